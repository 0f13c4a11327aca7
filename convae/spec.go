package convae

import (
	"errors"
	"fmt"
	"strings"
)

// Op kinds of a Spec.
const (
	OpConv           = "conv"            // 2-D convolution, weight [Out, In, K, K]
	OpConvTranspose  = "convT"           // transposed convolution, weight [In, Out, K, K] as PyTorch stores it
	OpReLU           = "relu"            // max(x, 0)
	OpLeakyReLU      = "leaky_relu"      // x for x>0, Slope·x otherwise
	OpSigmoid        = "sigmoid"         // 1/(1+e^-x)
	OpPixelShuffle   = "pixel_shuffle"   // C·r² × H × W → C × rH × rW
	OpPixelUnshuffle = "pixel_unshuffle" // C × rH × rW → C·r² × H × W
	OpSave           = "save"            // remembers the current activation under Name
	OpConcat         = "concat"          // [current, saved From] along channels
	OpAdd            = "add"             // current + saved From
	OpResidual       = "residual"        // input[:Out] + Sign·current: the net predicts the noise
	OpUnblend        = "unblend"         // input[:Out] with a predicted mark taken off (see UnblendMaxOpacity)
)

// An unblend op reads Out+1 channels: a, then w_1 … w_Out. It takes off
// the input's first Out channels x a visible mark of opacity
// α = UnblendMaxOpacity·σ(a − UnblendOffset) and colour W = σ(w), inverting
// the alpha blend x = (1 − α)·y + α·W:
//
//	y = (x − α·W) / (1 − α)
//
// so the network predicts where a watermark is and what colour it has, and
// the photo under it passes through untouched. The offset makes a fresh
// network start close to the identity.
//
// An unblend op may read Out more channels after those, f_1 … f_Out: the
// network's own estimate of the picture under the mark, x + f (see
// MarkFill), where a nearly opaque mark leaves too little of it to unblend.
// The op's output is the unblended picture either way; the estimate is
// trained by its own loss (see MarkTarget) and read through a MarkNet.
const (
	UnblendMaxOpacity = 0.95
	UnblendOffset     = 5
)

// Limits that keep a spec (and so a model file) from asking for absurd sizes.
const (
	maxOps      = 512
	maxChannels = 4096
	maxKernel   = 15
	maxFactor   = 8
	maxParams   = 64 << 20 // 64 Mi parameters: 256 MiB of float32
)

// Op is one step of a Spec. Only the fields that its Kind uses are set.
type Op struct {
	Kind   string  `json:"op"`
	Name   string  `json:"name,omitempty"`   // parameter prefix (conv, convT) or saved name (save)
	Out    int     `json:"out,omitempty"`    // output channels (conv, convT)
	Kernel int     `json:"k,omitempty"`      // kernel side (conv, convT)
	Stride int     `json:"s,omitempty"`      // stride (conv, convT); 0 means 1
	Pad    int     `json:"p,omitempty"`      // zero padding (conv, convT)
	NoBias bool    `json:"nobias,omitempty"` // omit the bias (conv, convT)
	Slope  float32 `json:"slope,omitempty"`  // negative slope (leaky_relu)
	Factor int     `json:"r,omitempty"`      // up/down-scaling factor (pixel_shuffle, pixel_unshuffle)
	From   string  `json:"from,omitempty"`   // saved name (concat, add)
	Sign   float32 `json:"sign,omitempty"`   // +1 or -1 (residual)
}

// Spec describes a network as data: the channels it reads and writes and the
// sequence of operations between them. It is saved inside every model file.
//
// The network's input may carry more channels than its output (for example a
// noise-level map after the colour planes); a residual op then combines the
// first Out input channels with the current activation.
type Spec struct {
	Name string `json:"name"`
	In   int    `json:"in"`
	Out  int    `json:"out"`
	Ops  []Op   `json:"ops"`
}

// ErrBadSpec is wrapped by every error that reports an invalid Spec.
var ErrBadSpec = errors.New("invalid network spec")

// ParamInfo names one parameter tensor of a network and gives its shape.
type ParamInfo struct {
	Name  string
	Shape []int
}

// Len returns the number of values of the parameter.
func (p ParamInfo) Len() int {
	n := 1
	for _, d := range p.Shape {
		n *= d
	}
	return n
}

// layout is what checking a spec learns about it.
type layout struct {
	params   []ParamInfo
	multiple int     // input sides must be multiples of this
	radius   int     // receptive radius in input pixels (upper bound)
	macs     float64 // multiply-accumulates per input pixel in the forward pass
	// markChannels is how many channels the last unblend op reads: Out+1,
	// or 2·Out+1 with a fill; 0 without one.
	markChannels int
}

func specErr(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrBadSpec, fmt.Sprintf(format, a...))
}

// Validate checks that s is well formed: known ops, positive sizes within
// limits, saved names defined before use, matching channel counts, and a
// final activation with Out channels.
func (s Spec) Validate() error {
	_, err := s.layout()
	return err
}

// Params lists the parameter tensors of s in the order in which they are
// stored, named like PyTorch's named_parameters ("e1a.weight", "e1a.bias").
func (s Spec) Params() ([]ParamInfo, error) {
	l, err := s.layout()
	if err != nil {
		return nil, err
	}
	return l.params, nil
}

// NumParams returns the number of trainable values of s, or 0 if s is invalid.
func (s Spec) NumParams() int {
	l, err := s.layout()
	if err != nil {
		return 0
	}
	n := 0
	for _, p := range l.params {
		n += p.Len()
	}
	return n
}

// Multiple returns the number that the height and width of an input must be
// multiples of (the product of the down-sampling factors), or 0 if s is invalid.
func (s Spec) Multiple() int {
	l, err := s.layout()
	if err != nil {
		return 0
	}
	return l.multiple
}

// ReceptiveRadius returns an upper bound on how far, in input pixels, an
// output pixel can see: tiles need that much context. It is 0 if s is invalid.
func (s Spec) ReceptiveRadius() int {
	l, err := s.layout()
	if err != nil {
		return 0
	}
	return l.radius
}

// FLOPsPerPixel returns the floating-point operations (two per
// multiply-accumulate) of one forward pass per input pixel, counting the
// convolutions only, or 0 if s is invalid.
func (s Spec) FLOPsPerPixel() float64 {
	l, err := s.layout()
	if err != nil {
		return 0
	}
	return 2 * l.macs
}

// area is the number of activation pixels per input pixel at scale up/down.
func area(down, up int) float64 {
	r := float64(up) / float64(down)
	return r * r
}

// layout walks the spec at an abstract scale, checking every op.
func (s Spec) layout() (layout, error) {
	l := layout{multiple: 1}
	if s.In <= 0 || s.In > maxChannels || s.Out <= 0 || s.Out > maxChannels {
		return l, specErr("channels in=%d out=%d outside 1..%d", s.In, s.Out, maxChannels)
	}
	if len(s.Ops) == 0 || len(s.Ops) > maxOps {
		return l, specErr("%d ops, want 1..%d", len(s.Ops), maxOps)
	}
	c := s.In
	// Spatial scale is tracked as down/up factors relative to the input:
	// size = input * up / down.
	down, up := 1, 1
	jump := 1 // input pixels per activation pixel, for the receptive radius
	savedAt := map[string]struct{ c, down, up int }{}
	names := map[string]bool{}
	total := 0
	addParam := func(name string, shape ...int) error {
		if names[name] {
			return specErr("parameter %q defined twice", name)
		}
		names[name] = true
		p := ParamInfo{Name: name, Shape: shape}
		total += p.Len()
		if total > maxParams {
			return specErr("more than %d parameters", maxParams)
		}
		l.params = append(l.params, p)
		return nil
	}
	for i, op := range s.Ops {
		where := fmt.Sprintf("op %d (%s)", i, op.Kind)
		switch op.Kind {
		case OpConv, OpConvTranspose:
			if op.Name == "" || strings.ContainsAny(op.Name, " \t\n") {
				return l, specErr("%s: missing or bad name %q", where, op.Name)
			}
			stride := op.stride()
			if op.Out <= 0 || op.Out > maxChannels || op.Kernel <= 0 || op.Kernel > maxKernel ||
				stride <= 0 || stride > maxFactor || op.Pad < 0 || op.Pad >= op.Kernel {
				return l, specErr("%s %q: out=%d k=%d s=%d p=%d outside limits", where, op.Name, op.Out, op.Kernel, stride, op.Pad)
			}
			if op.Kind == OpConv {
				if stride > 1 && op.Kernel%2 == 0 {
					return l, specErr("%s %q: even kernels need stride 1", where, op.Name)
				}
				if stride == 1 && 2*op.Pad != op.Kernel-1 {
					return l, specErr("%s %q: stride-1 conv must keep the size (p = (k-1)/2)", where, op.Name)
				}
				if stride > 1 && op.Kernel-2*op.Pad > stride || op.Kernel-2*op.Pad < 1 {
					return l, specErr("%s %q: k=%d p=%d does not divide the size by %d", where, op.Name, op.Kernel, op.Pad, stride)
				}
				if err := addParam(op.Name+".weight", op.Out, c, op.Kernel, op.Kernel); err != nil {
					return l, err
				}
				l.radius += ((op.Kernel-1)/2 + stride - 1) * jump
				down *= stride
				jump *= stride
				l.macs += float64(op.Out*c*op.Kernel*op.Kernel) * area(down, up)
				if down%up == 0 {
					l.multiple = max(l.multiple, down/up)
				}
			} else {
				if op.Kernel-2*op.Pad != stride {
					return l, specErr("%s %q: transposed conv must multiply the size by its stride (k - 2p = s)", where, op.Name)
				}
				if err := addParam(op.Name+".weight", c, op.Out, op.Kernel, op.Kernel); err != nil {
					return l, err
				}
				l.radius += (op.Kernel + stride - 1) / stride * jump
				l.macs += float64(op.Out*c*op.Kernel*op.Kernel) * area(down, up)
				up *= stride
				jump = max(1, jump/stride)
			}
			if !op.NoBias {
				if err := addParam(op.Name+".bias", op.Out); err != nil {
					return l, err
				}
			}
			c = op.Out
		case OpReLU, OpSigmoid:
		case OpLeakyReLU:
			if op.Slope < 0 || op.Slope >= 1 {
				return l, specErr("%s: slope %g outside [0, 1)", where, op.Slope)
			}
		case OpPixelShuffle:
			r := op.Factor
			if r < 2 || r > maxFactor || c%(r*r) != 0 {
				return l, specErr("%s: factor %d does not divide %d channels by its square", where, r, c)
			}
			c /= r * r
			up *= r
			jump = max(1, jump/r)
		case OpPixelUnshuffle:
			r := op.Factor
			if r < 2 || r > maxFactor || c*r*r > maxChannels {
				return l, specErr("%s: factor %d outside 2..%d", where, r, maxFactor)
			}
			c *= r * r
			down *= r
			l.radius += (r - 1) * jump
			jump *= r
			if down%up == 0 {
				l.multiple = max(l.multiple, down/up)
			}
		case OpSave:
			if op.Name == "" {
				return l, specErr("%s: missing name", where)
			}
			if _, dup := savedAt[op.Name]; dup {
				return l, specErr("%s: name %q saved twice", where, op.Name)
			}
			savedAt[op.Name] = struct{ c, down, up int }{c, down, up}
		case OpConcat, OpAdd:
			sv, ok := savedAt[op.From]
			if !ok {
				return l, specErr("%s: nothing saved as %q before it", where, op.From)
			}
			if sv.down*up != down*sv.up {
				return l, specErr("%s: %q has another spatial size than the current activation", where, op.From)
			}
			if op.Kind == OpConcat {
				c += sv.c
				if c > maxChannels {
					return l, specErr("%s: %d channels, above %d", where, c, maxChannels)
				}
			} else if sv.c != c {
				return l, specErr("%s: %q has %d channels, the current activation %d", where, op.From, sv.c, c)
			}
		case OpResidual:
			if op.Sign != 1 && op.Sign != -1 {
				return l, specErr("%s: sign %g, want 1 or -1", where, op.Sign)
			}
			if down != up || c != s.Out || s.Out > s.In {
				return l, specErr("%s: needs a full-size activation of %d channels and at least as many inputs", where, s.Out)
			}
		case OpUnblend:
			if down != up || (c != s.Out+1 && c != 2*s.Out+1) || s.Out > s.In {
				return l, specErr("%s: needs a full-size activation of %d channels (opacity and colour), or %d (and a fill), and at least %d inputs", where, s.Out+1, 2*s.Out+1, s.Out)
			}
			l.markChannels = c
			c = s.Out
		default:
			return l, specErr("%s: unknown op", where)
		}
	}
	if down != up {
		return l, specErr("output is not the size of the input (scale %d/%d)", up, down)
	}
	if c != s.Out {
		return l, specErr("last activation has %d channels, spec says out=%d", c, s.Out)
	}
	l.multiple = max(l.multiple, 1)
	if l.multiple > 1<<12 {
		return l, specErr("down-sampling by %d", l.multiple)
	}
	return l, nil
}

func (op Op) stride() int {
	if op.Stride == 0 {
		return 1
	}
	return op.Stride
}
