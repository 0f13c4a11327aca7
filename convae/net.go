package convae

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
)

// node is a layer of a compiled network with the indices of the
// activations it reads: activation 0 is the network input, activation i+1
// the output of node i.
type node struct {
	layer  layer
	inputs []int
}

// Net is a network built from a Spec, with its parameters, its gradients
// and the buffers of one batch shape. A Net is not safe for concurrent use;
// it spreads each pass over its own worker goroutines.
type Net struct {
	spec   Spec
	infos  []ParamInfo
	params []float32 // every parameter, in the order of infos
	grads  []float32 // their gradients, same layout; allocated by the first Backward
	nodes  []node
	ws     []*worker

	in    Shape     // input shape the buffers below are sized for
	acts  []*Tensor // acts[0] is the input, acts[i+1] the output of nodes[i]
	dacts []*Tensor // gradients of acts; dacts[0] and the last stay nil
	ins   []*Tensor // scratch for a node's inputs
	dxs   []*Tensor // scratch for their gradients
}

// NewNet builds a network from spec with parameters initialised as PyTorch
// initialises Conv2d and ConvTranspose2d (uniform in ±1/√fan_in), drawn
// from a generator seeded with seed, and one worker goroutine per CPU.
func NewNet(spec Spec, seed uint64) (*Net, error) {
	n, err := newNet(spec)
	if err != nil {
		return nil, err
	}
	n.initParams(rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)))
	return n, nil
}

// newNet compiles spec with zeroed parameters.
func newNet(spec Spec) (*Net, error) {
	infos, err := spec.Params()
	if err != nil {
		return nil, err
	}
	total := 0
	for _, p := range infos {
		total += p.Len()
	}
	n := &Net{spec: spec, infos: infos, params: make([]float32, total)}
	n.compile()
	n.SetWorkers(runtime.GOMAXPROCS(0))
	return n, nil
}

// compile turns the ops of the (validated) spec into nodes, fusing an
// activation that follows a convolution into it.
func (n *Net) compile() {
	offsets := map[string]int{}
	off := 0
	for _, p := range n.infos {
		offsets[p.Name] = off
		off += p.Len()
	}
	cur := 0
	saved := map[string]int{}
	add := func(l layer, inputs ...int) {
		n.nodes = append(n.nodes, node{layer: l, inputs: inputs})
		cur = len(n.nodes)
	}
	ops := n.spec.Ops
	for i := 0; i < len(ops); i++ {
		op := ops[i]
		switch op.Kind {
		case OpConv, OpConvTranspose:
			c := &convLayer{transposed: op.Kind == OpConvTranspose, out: op.Out, k: op.Kernel, s: op.stride(), p: op.Pad}
			wInfo := n.infos[indexOf(n.infos, op.Name+".weight")]
			c.wOff = offsets[op.Name+".weight"]
			c.weight = n.params[c.wOff : c.wOff+wInfo.Len()]
			if !op.NoBias {
				c.bOff = offsets[op.Name+".bias"]
				c.bias = n.params[c.bOff : c.bOff+op.Out]
			}
			if i+1 < len(ops) && (ops[i+1].Kind == OpReLU || ops[i+1].Kind == OpLeakyReLU) {
				c.act = activation{kind: ops[i+1].Kind, slope: ops[i+1].Slope}
				i++
			}
			add(c, cur)
		case OpReLU, OpLeakyReLU:
			add(&actLayer{activation{kind: op.Kind, slope: op.Slope}}, cur)
		case OpSigmoid:
			add(sigmoidLayer{}, cur)
		case OpPixelShuffle, OpPixelUnshuffle:
			add(&shuffleLayer{r: op.Factor, inverse: op.Kind == OpPixelUnshuffle}, cur)
		case OpSave:
			saved[op.Name] = cur
		case OpConcat:
			add(concatLayer{}, cur, saved[op.From])
		case OpAdd:
			add(addLayer{}, cur, saved[op.From])
		case OpResidual:
			add(residualLayer{sign: op.Sign}, cur, 0)
		case OpUnblend:
			add(&unblendLayer{out: n.spec.Out}, cur, 0)
		}
	}
}

func indexOf(infos []ParamInfo, name string) int {
	for i, p := range infos {
		if p.Name == name {
			return i
		}
	}
	panic("convae: no parameter " + name)
}

// initParams draws every weight and bias uniformly in ±1/√fan_in, where
// fan_in is PyTorch's: weight.size(1)·k·k (in·k·k for a convolution,
// out·k·k for a transposed one, whose weight is [in, out, k, k]).
func (n *Net) initParams(rng *rand.Rand) {
	off := 0
	fanIn := 1
	for _, p := range n.infos {
		v := n.params[off : off+p.Len()]
		off += p.Len()
		if len(p.Shape) == 4 {
			fanIn = p.Shape[1] * p.Shape[2] * p.Shape[3]
		}
		bound := 1 / math.Sqrt(float64(fanIn))
		for i := range v {
			v[i] = float32((2*rng.Float64() - 1) * bound)
		}
	}
}

// SetWorkers sets the number of goroutines a pass is spread over (at least
// one). Results are deterministic for a given worker count.
func (n *Net) SetWorkers(k int) {
	k = max(1, k)
	n.ws = make([]*worker, k)
	for i := range n.ws {
		n.ws[i] = &worker{}
	}
	n.ws[0].grads = n.grads
}

// Workers returns the number of goroutines a pass is spread over.
func (n *Net) Workers() int { return len(n.ws) }

// MarkTarget holds the true marks of a batch of N×C×H×W inputs for a
// network with an unblend op (OpUnblend): their opacity Alpha (N·H·W values
// in [0, 1]) and Colour (N·Out·H·W values in [0, 1], read where Alpha is
// above 0).
type MarkTarget struct {
	Alpha, Colour []float32
	// Weight multiplies the gradients of two mean binary cross-entropies:
	// of the predicted opacity over UnblendMaxOpacity against Alpha over
	// it, and of the predicted colour against Colour, weighted by that
	// opacity.
	Weight float32
	// Only makes these the network's only losses: the gradient of the
	// main loss with respect to the unblended output stops at the unblend
	// op, so the network learns the marks' opacity and colour alone.
	Only bool
	// Clean, for a network whose unblend op has a fill, holds the pictures
	// under the marks (N·Out·H·W values): the fill is then trained by
	// FillWeight times the mean absolute error of MarkFill against Clean,
	// each pixel weighted by its opacity in Alpha over UnblendMaxOpacity
	// plus 0.1, so that it learns to leave unmarked pixels as they are but
	// above all to find the picture under the strongest marks. Clean is not
	// read by networks without a fill.
	Clean      []float32
	FillWeight float32
}

// SetMarkTarget gives the unblend ops of the network the true marks of the
// next batches; Backward then adds the gradients of their auxiliary losses
// (see MarkTarget). These targets teach the network where marks are and
// what colour they have, which the main loss alone teaches only slowly. A
// zero MarkTarget removes them. It reports whether the network has an
// unblend op.
func (n *Net) SetMarkTarget(t MarkTarget) bool {
	found := false
	for _, nd := range n.nodes {
		if u, ok := nd.layer.(*unblendLayer); ok {
			u.target = t
			found = true
		}
	}
	return found
}

// MarkNet returns a network that computes what the final unblend op of n
// reads — the logit of a mark's opacity and the Out logits of its colour
// at every pixel (see MarkOpacity and MarkColour), then, with a fill, the
// Out channels of its estimate of the picture under the mark (see
// MarkFill) — instead of the unblended picture: n's spec without that op,
// with a copy of n's parameters and as many workers. ok is false when n
// does not end with an unblend op.
func (n *Net) MarkNet() (*Net, bool) {
	ops := n.spec.Ops
	if len(ops) == 0 || ops[len(ops)-1].Kind != OpUnblend {
		return nil, false
	}
	l, err := n.spec.layout()
	if err != nil {
		panic(fmt.Sprintf("convae: compiled spec %q is invalid: %v", n.spec.Name, err))
	}
	spec := n.spec
	spec.Ops = ops[: len(ops)-1 : len(ops)-1]
	spec.Out = l.markChannels
	m, err := newNet(spec)
	if err != nil {
		// A valid unblend spec stays valid without its last op.
		panic(fmt.Sprintf("convae: mark network of %q: %v", n.spec.Name, err))
	}
	copy(m.params, n.params)
	m.SetWorkers(n.Workers())
	return m, true
}

// Spec returns the architecture of n.
func (n *Net) Spec() Spec { return n.spec }

// ParamInfos lists the parameter tensors of n in storage order.
func (n *Net) ParamInfos() []ParamInfo { return n.infos }

// Params returns all parameters of n as one vector (shared, not a copy), in
// the order of ParamInfos.
func (n *Net) Params() []float32 { return n.params }

// Grads returns the gradients computed by the last Backward, laid out like
// Params (shared, not a copy); nil before the first Backward.
func (n *Net) Grads() []float32 { return n.grads }

// Param returns the values of the parameter called name (shared), or nil.
func (n *Net) Param(name string) []float32 {
	off := 0
	for _, p := range n.infos {
		if p.Name == name {
			return n.params[off : off+p.Len()]
		}
		off += p.Len()
	}
	return nil
}

// CheckInput returns an error unless s is an input shape n accepts.
func (n *Net) CheckInput(s Shape) error {
	m := n.spec.Multiple()
	switch {
	case s.N <= 0 || s.H <= 0 || s.W <= 0:
		return fmt.Errorf("convae: empty input %v", s)
	case s.C != n.spec.In:
		return fmt.Errorf("convae: input has %d channels, network %q wants %d", s.C, n.spec.Name, n.spec.In)
	case s.H%m != 0 || s.W%m != 0:
		return fmt.Errorf("convae: input %d×%d is not a multiple of %d", s.H, s.W, m)
	}
	return nil
}

// prepare sizes the activation buffers for input shape s.
func (n *Net) prepare(s Shape) {
	if s == n.in && n.acts != nil {
		return
	}
	if n.acts == nil {
		n.acts = make([]*Tensor, len(n.nodes)+1)
		n.dacts = make([]*Tensor, len(n.nodes)+1)
		for i := range n.acts {
			n.acts[i] = &Tensor{}
			if i > 0 && i < len(n.nodes) {
				n.dacts[i] = &Tensor{}
			}
		}
		n.ins = make([]*Tensor, 0, 2)
		n.dxs = make([]*Tensor, 0, 2)
	}
	n.in = s
	n.acts[0].Shape = s
	shapes := make([]Shape, 0, 2)
	for i, nd := range n.nodes {
		shapes = shapes[:0]
		for _, j := range nd.inputs {
			shapes = append(shapes, n.acts[j].Shape)
		}
		n.acts[i+1].reshape(nd.layer.outShape(shapes))
	}
}

// Forward runs the network on x, whose shape must pass CheckInput (it
// panics otherwise), and returns the output. The output and x itself are
// kept for Backward: they stay valid, and x must not change, until the
// next Forward.
func (n *Net) Forward(x *Tensor) *Tensor {
	if err := n.CheckInput(x.Shape); err != nil {
		panic(err)
	}
	n.prepare(x.Shape)
	n.acts[0].Data = x.Data
	ins := n.ins[:0]
	for i, nd := range n.nodes {
		ins = ins[:0]
		for _, j := range nd.inputs {
			ins = append(ins, n.acts[j])
		}
		nd.layer.forward(n.ws, ins, n.acts[i+1])
	}
	return n.acts[len(n.nodes)]
}

// Backward computes the gradients of the loss with respect to every
// parameter, given dy, its gradient with respect to the output of the last
// Forward. It overwrites Grads (gradients are not accumulated over calls)
// and may overwrite dy.
func (n *Net) Backward(dy *Tensor) {
	last := len(n.nodes)
	if dy.Shape != n.acts[last].Shape {
		panic(fmt.Sprintf("convae: Backward got a gradient of shape %v for an output of shape %v", dy.Shape, n.acts[last].Shape))
	}
	for i := 1; i < last; i++ {
		d := n.dacts[i]
		d.reshape(n.acts[i].Shape)
		eachItem(n.ws, d.Shape, func(lo, hi int) { clear(d.Data[lo:hi]) })
	}
	if n.grads == nil {
		n.grads = make([]float32, len(n.params))
		n.ws[0].grads = n.grads
	}
	clear(n.grads)
	for _, w := range n.ws[1:] {
		if len(w.grads) != len(n.grads) {
			w.grads = make([]float32, len(n.grads))
		} else {
			clear(w.grads)
		}
	}
	ins, dxs := n.ins[:0], n.dxs[:0]
	for i := last - 1; i >= 0; i-- {
		nd := n.nodes[i]
		ins, dxs = ins[:0], dxs[:0]
		for _, j := range nd.inputs {
			ins = append(ins, n.acts[j])
			dxs = append(dxs, n.dacts[j])
		}
		dyi := dy
		if i+1 < last {
			dyi = n.dacts[i+1]
		}
		nd.layer.backward(n.ws, ins, n.acts[i+1], dyi, dxs)
	}
	for _, w := range n.ws[1:] {
		addTo(n.grads, w.grads)
	}
}

// Adopt copies into n every parameter of src that n has under the same name
// and shape, and returns their names. When every other parameter of src is
// adopted so, those that n has larger along their first dimension only (a
// last convolution with more outputs, such as a fill added to a mark
// network) take src's values as their first ones, start at zero beyond
// them, and are adopted too. Adopt then zeroes the parameters that src
// lacks of each convolution whose output an add op takes, with at most
// activations in between, so that a branch that n adds to src's
// architecture starts by adding nothing: where the rest of n is src's, n
// then computes what src computes, and training goes on from there.
func (n *Net) Adopt(src *Net) (adopted []string) {
	have := map[string]bool{}
	var grown []ParamInfo
	for _, p := range src.infos {
		mine := n.Param(p.Name)
		if mine == nil {
			continue
		}
		shape := n.infos[indexOf(n.infos, p.Name)].Shape
		if !slices.Equal(shape, p.Shape) {
			if len(shape) == len(p.Shape) && shape[0] > p.Shape[0] && slices.Equal(shape[1:], p.Shape[1:]) {
				grown = append(grown, p)
			}
			continue
		}
		copy(mine, src.Param(p.Name))
		have[p.Name] = true
		adopted = append(adopted, p.Name)
	}
	if len(adopted)+len(grown) == len(src.infos) {
		for _, p := range grown {
			mine := n.Param(p.Name)
			clear(mine)
			copy(mine, src.Param(p.Name))
			have[p.Name] = true
			adopted = append(adopted, p.Name)
		}
	}
	ops := n.spec.Ops
	for i, op := range ops {
		if op.Kind != OpAdd {
			continue
		}
		j := i - 1
		for j >= 0 && (ops[j].Kind == OpReLU || ops[j].Kind == OpLeakyReLU) {
			j--
		}
		if j < 0 || ops[j].Kind != OpConv && ops[j].Kind != OpConvTranspose {
			continue
		}
		for _, name := range []string{ops[j].Name + ".weight", ops[j].Name + ".bias"} {
			if v := n.Param(name); v != nil && !have[name] {
				clear(v)
			}
		}
	}
	return adopted
}
