package convae

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// presetSpec returns the spec of the built-in architecture called name.
func presetSpec(t *testing.T, name string) Spec {
	t.Helper()
	p, err := LookupPreset(name)
	if err != nil {
		t.Fatal(err)
	}
	return p.Spec
}

// randomInput returns an input of shape s with values in [0, 1), seeded.
func randomInput(s Shape, seed uint64) *Tensor {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := NewTensor(s)
	for i := range x.Data {
		x.Data[i] = rng.Float32()
	}
	return x
}

// firstConv returns the first convolution op of spec and the index of the
// activation it computes in a Net compiled from spec.
func firstConv(t *testing.T, n *Net) (Op, int) {
	t.Helper()
	i := slices.IndexFunc(n.nodes, func(nd node) bool {
		c, ok := nd.layer.(*convLayer)
		return ok && !c.transposed
	})
	j := slices.IndexFunc(n.spec.Ops, func(op Op) bool { return op.Kind == OpConv })
	if i < 0 || j < 0 {
		t.Fatal("no convolution")
	}
	return n.spec.Ops[j], i + 1
}

// withoutActivationAfterFirstConv returns spec without the non-linearity
// that follows its first convolution, so that the activation computed there
// is the convolution's linear response; parameters are unchanged.
func withoutActivationAfterFirstConv(spec Spec) Spec {
	ops := slices.Clone(spec.Ops)
	j := slices.IndexFunc(ops, func(op Op) bool { return op.Kind == OpConv })
	if j+1 < len(ops) && (ops[j+1].Kind == OpReLU || ops[j+1].Kind == OpLeakyReLU) {
		ops = slices.Delete(ops, j+1, j+2)
	}
	spec.Ops = ops
	return spec
}

// TestFirstFiltersMatchTheFirstConvolution checks the mapping of the first
// layer's kernels back to the input's colour planes, through the
// pixel-unshuffles before it: each filter's response, as the network
// computes it, is the dot product of the mapped filter with the
// full-resolution window of the colour planes under it, plus the bias.
func TestFirstFiltersMatchTheFirstConvolution(t *testing.T) {
	tests := []struct {
		name     string
		spec     Spec
		scale    int // input pixels per pixel of the first convolution's input
		wantSide int
	}{
		{"unet-s, no unshuffle", presetSpec(t, "unet-s"), 1, 3},
		{"unet-m, 2× unshuffle and a noise-level plane", presetSpec(t, "unet-m"), 2, 6},
		{"two 2× unshuffles, then a 5×5 stride-2 convolution", Spec{Name: "u4", In: 4, Out: 3, Ops: []Op{
			{Kind: OpPixelUnshuffle, Factor: 2}, {Kind: OpSave, Name: "half"}, {Kind: OpPixelUnshuffle, Factor: 2},
			{Kind: OpConv, Name: "first", Out: 6, Kernel: 5, Stride: 2, Pad: 2}, relu,
			{Kind: OpConvTranspose, Name: "up", Out: 48, Kernel: 2, Stride: 2},
			{Kind: OpPixelShuffle, Factor: 4},
		}}, 4, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := withoutActivationAfterFirstConv(tt.spec)
			net, err := NewNet(spec, 7)
			if err != nil {
				t.Fatal(err)
			}
			op, act := firstConv(t, net)
			f, ok := net.FirstFilters()
			if !ok || f.Count != op.Out || f.Side != tt.wantSide || len(f.Weights) != f.Count*FilterChannels*f.Side*f.Side {
				t.Fatalf("FirstFilters: ok %v, %d filters of side %d with %d weights; want %d of side %d",
					ok, f.Count, f.Side, len(f.Weights), op.Out, tt.wantSide)
			}
			side := 2 * spec.Multiple() * 2
			x := randomInput(Shape{N: 1, C: spec.In, H: side, W: side}, 3)
			p := side * side
			clear(x.Data[FilterChannels*p:]) // a noise-level plane is not part of the filters
			net.Forward(x)
			y := net.acts[act]
			if y.H != side/tt.scale/op.stride() {
				t.Fatalf("first convolution computes %v, want a side of %d", y.Shape, side/tt.scale/op.stride())
			}
			bias := net.Param(op.Name + ".bias")
			for o := range f.Count {
				w := f.Filter(o)
				for oy := range y.H {
					for ox := range y.W {
						// The window's corner, in input pixels.
						y0, x0 := tt.scale*(op.stride()*oy-op.Pad), tt.scale*(op.stride()*ox-op.Pad)
						want := float64(bias[o])
						for c := range FilterChannels {
							for i := range f.Side {
								for j := range f.Side {
									if yy, xx := y0+i, x0+j; yy >= 0 && yy < side && xx >= 0 && xx < side {
										want += float64(w[(c*f.Side+i)*f.Side+j]) * float64(x.Data[(c*side+yy)*side+xx])
									}
								}
							}
						}
						got := float64(y.Data[(o*y.H+oy)*y.W+ox])
						if math.Abs(got-want) > 1e-4*(1+math.Abs(want)) {
							t.Fatalf("filter %d at (%d, %d): the network computes %g, the mapped filter %g", o, oy, ox, got, want)
						}
					}
				}
			}
		})
	}
}

func TestFirstFiltersRefusals(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
	}{
		{"no convolution", Spec{Name: "id", In: 3, Out: 3, Ops: []Op{{Kind: OpReLU}}}},
		{"a transposed convolution first", Spec{Name: "t", In: 3, Out: 3, Ops: []Op{
			{Kind: OpConvTranspose, Name: "up", Out: 4, Kernel: 2, Stride: 2}, down3("down", 3)}}},
		{"grey input", Spec{Name: "g", In: 1, Out: 1, Ops: []Op{conv3("c", 1)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			net, err := NewNet(tt.spec, 1)
			if err != nil {
				t.Fatal(err)
			}
			if f, ok := net.FirstFilters(); ok {
				t.Errorf("FirstFilters reported %d filters of side %d", f.Count, f.Side)
			}
		})
	}
}

// FirstFilters is a copy: changing it leaves the network alone.
func TestFirstFiltersIsACopy(t *testing.T) {
	net, err := NewNet(presetSpec(t, "unet-s"), 1)
	if err != nil {
		t.Fatal(err)
	}
	before := slices.Clone(net.Params())
	f, _ := net.FirstFilters()
	clear(f.Weights)
	if !slices.Equal(net.Params(), before) {
		t.Error("clearing the filters changed the network")
	}
}

// activationOf returns the index in n.acts of the output of the
// convolution whose weight is called name.
func activationOf(t *testing.T, n *Net, name string) int {
	t.Helper()
	off := 0
	for _, p := range n.infos {
		if p.Name == name+".weight" {
			break
		}
		off += p.Len()
	}
	for i, nd := range n.nodes {
		if c, ok := nd.layer.(*convLayer); ok && c.wOff == off {
			return i + 1
		}
	}
	t.Fatalf("no convolution %q", name)
	return 0
}

func TestBottleneckShape(t *testing.T) {
	tests := []struct {
		name  string
		spec  Spec
		side  int
		want  Shape  // of the bottleneck, for a batch of 2
		layer string // the convolution that computes it
	}{
		{"diabolo", presetSpec(t, "diabolo"), 32, Shape{2, 64, 4, 4}, "code"},
		{"ref", presetSpec(t, "ref"), 32, Shape{2, 128, 8, 8}, "e3"},
		{"unet-m", presetSpec(t, "unet-m"), 32, Shape{2, 128, 4, 4}, "mid_1"},
		{"unet-wm", presetSpec(t, "unet-wm"), 32, Shape{2, 256, 2, 2}, "mid_1"},
		{"no down-sampling: the last inner activation", Spec{Name: "flat", In: 3, Out: 3, Ops: []Op{
			conv3("a", 5), relu, conv3("b", 2), relu, conv3("out", 3)}}, 8, Shape{2, 2, 8, 8}, "b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			net, err := NewNet(tt.spec, 2)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := net.Bottleneck(); ok {
				t.Error("a bottleneck before the first Forward")
			}
			net.Forward(randomInput(Shape{N: 2, C: tt.spec.In, H: tt.side, W: tt.side}, 5))
			b, ok := net.Bottleneck()
			if !ok || b.Shape != tt.want {
				t.Fatalf("Bottleneck: ok %v, shape %v; want %v", ok, b.Shape, tt.want)
			}
			if !slices.Equal(b.Data, net.acts[activationOf(t, net, tt.layer)].Data) {
				t.Errorf("the bottleneck is not the output of %q", tt.layer)
			}
		})
	}
}

func TestNoBottleneckInASingleLayer(t *testing.T) {
	net, err := NewNet(Spec{Name: "one", In: 3, Out: 3, Ops: []Op{conv3("c", 3)}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	net.Forward(randomInput(Shape{N: 1, C: 3, H: 4, W: 4}, 1))
	if b, ok := net.Bottleneck(); ok {
		t.Errorf("a single layer has a bottleneck of shape %v", b.Shape)
	}
}

// Bottleneck reports the latest Forward, whatever its batch size, and the
// copies it returned earlier keep their values.
func TestBottleneckFollowsTheLatestForward(t *testing.T) {
	spec := UNetSpec("u", UNetConfig{Width: 4, Levels: 2, Blocks: 1, Unshuffle: true, NoiseLevel: true})
	net, err := NewNet(spec, 3)
	if err != nil {
		t.Fatal(err)
	}
	twin, err := NewNet(spec, 3) // same weights, for reference values
	if err != nil {
		t.Fatal(err)
	}
	inputs := []*Tensor{
		randomInput(Shape{N: 1, C: 4, H: 16, W: 16}, 1),
		randomInput(Shape{N: 1, C: 4, H: 16, W: 16}, 2),
		randomInput(Shape{N: 3, C: 4, H: 32, W: 16}, 3),
	}
	var got []*Tensor
	for _, x := range inputs {
		net.Forward(x)
		b, ok := net.Bottleneck()
		if !ok {
			t.Fatal("no bottleneck after Forward")
		}
		got = append(got, b)
	}
	if slices.Equal(got[0].Data, got[1].Data) {
		t.Error("two inputs give the same bottleneck")
	}
	for i, x := range inputs {
		twin.Forward(x)
		want, _ := twin.Bottleneck()
		if got[i].Shape != want.Shape || !slices.Equal(got[i].Data, want.Data) {
			t.Errorf("input %d: bottleneck %v differs from a fresh pass's %v", i, got[i].Shape, want.Shape)
		}
	}
	if want := (Shape{N: 3, C: 16, H: 4, W: 2}); got[2].Shape != want {
		t.Errorf("bottleneck of a 3×4×32×16 input: %v, want %v", got[2].Shape, want)
	}
}
