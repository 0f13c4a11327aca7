package convae

import (
	"math"
	"slices"
	"testing"
)

// A network with a full-resolution head that adopts the parameters of the
// same network without one computes what it computes, and the head's last
// convolution, zeroed, still gets a gradient to learn from. Parameters
// whose shapes differ are not adopted.
func TestAdoptStartsAsTheSource(t *testing.T) {
	body := UNetConfig{Width: 4, Levels: 1, Blocks: 1, Unshuffle: true, NoiseLevel: true, Unblend: true}
	src := markedNet(t, body)
	withHead := body
	withHead.Head = 4
	dst, err := NewNet(UNetSpec("head", withHead), 5)
	if err != nil {
		t.Fatal(err)
	}
	adopted := dst.Adopt(src)
	var want []string
	for _, p := range src.ParamInfos() {
		want = append(want, p.Name)
	}
	if !slices.Equal(adopted, want) {
		t.Errorf("adopted %v, want every parameter of the source: %v", adopted, want)
	}
	if len(dst.ParamInfos()) != len(src.ParamInfos())+4 {
		t.Fatalf("the head adds %d parameter tensors, want 4", len(dst.ParamInfos())-len(src.ParamInfos()))
	}
	x := NewTensor(Shape{N: 2, C: 4, H: 16, W: 16})
	for i := range x.Data {
		x.Data[i] = float32(i%17) / 17
	}
	ySrc := src.Forward(x)
	yDst := dst.Forward(x)
	var changed float64
	for i, v := range yDst.Data {
		if d := math.Abs(float64(v - ySrc.Data[i])); d > 1e-6 {
			t.Fatalf("value %d: %g with the head, %g without", i, v, ySrc.Data[i])
		}
		changed = max(changed, math.Abs(float64(v-x.Data[i%(3*256)+(i/(3*256))*4*256])))
	}
	if changed < 0.01 {
		t.Errorf("the source changes its input by at most %g: too close to the identity to tell", changed)
	}
	// The head's last convolution starts at zero but its gradient does not.
	dst.Backward(yDst)
	grads := dst.Grads()
	off := 0
	var headGrad float64
	for _, p := range dst.ParamInfos() {
		if p.Name == "head1.weight" {
			for _, g := range grads[off : off+p.Len()] {
				headGrad = max(headGrad, math.Abs(float64(g)))
			}
		}
		off += p.Len()
	}
	if headGrad == 0 {
		t.Error("the head's last convolution gets no gradient: it would never learn")
	}

	wider := body
	wider.Width = 8
	other, err := NewNet(UNetSpec("wider", wider), 7)
	if err != nil {
		t.Fatal(err)
	}
	before := slices.Clone(other.Params())
	got := other.Adopt(src)
	for _, name := range got {
		if name != "out.bias" {
			t.Errorf("adopted %s across a change of width", name)
		}
	}
	if n := len(got); n != 1 {
		t.Errorf("adopted %d parameters across a change of width, want only out.bias (same shape)", n)
	}
	if slices.Equal(before, other.Params()) {
		t.Error("adopting out.bias changed nothing")
	}
}

// A mark network with a fill adopts every parameter of the same network
// without one, its last convolution grown by the fill's outputs, which
// start at zero: it unblends as the source does, and its fill returns the
// marked input until it is trained.
func TestAdoptGrowsTheLastConvolution(t *testing.T) {
	body := UNetConfig{Width: 4, Levels: 1, Blocks: 1, Unshuffle: true, NoiseLevel: true, Unblend: true}
	src := markedNet(t, body)
	withFill := body
	withFill.Fill = true
	dst, err := NewNet(UNetSpec("fill", withFill), 5)
	if err != nil {
		t.Fatal(err)
	}
	adopted := dst.Adopt(src)
	if len(adopted) != len(src.ParamInfos()) {
		t.Fatalf("adopted %d of %d parameters: %v", len(adopted), len(src.ParamInfos()), adopted)
	}
	x := NewTensor(Shape{N: 2, C: 4, H: 16, W: 16})
	for i := range x.Data {
		x.Data[i] = float32(i%17) / 17
	}
	ySrc := slices.Clone(src.Forward(x).Data)
	if yDst := dst.Forward(x); !slices.Equal(yDst.Data, ySrc) {
		t.Error("with a fill adopted, the network unblends otherwise")
	}
	marks, _ := dst.MarkNet()
	m := marks.Forward(x)
	p := 16 * 16
	for k := 0; k < 2; k++ {
		for c := 0; c < 3; c++ {
			for i := 0; i < p; i++ {
				marked := x.Item(k)[c*p+i]
				if got := MarkFill(marked, m.Item(k)[(4+c)*p+i]); got != marked {
					t.Fatalf("item %d channel %d pixel %d: fresh fill %g, want the input %g", k, c, i, got, marked)
				}
			}
		}
	}

	// A grown convolution that another reads is not adopted: the network
	// would no longer compute what the source computes.
	wider := body
	wider.Width = 8
	other, err := NewNet(UNetSpec("wider", wider), 7)
	if err != nil {
		t.Fatal(err)
	}
	if got := other.Adopt(src); len(got) != 1 {
		t.Errorf("adopted %v across a change of width, want only out.bias", got)
	}
}

// markedNet returns a small mark network of architecture cfg whose
// parameters are scaled up so that it finds marks far from the identity.
func markedNet(t *testing.T, cfg UNetConfig) *Net {
	t.Helper()
	net, err := NewNet(UNetSpec("plain", cfg), 3)
	if err != nil {
		t.Fatal(err)
	}
	for i := range net.Params() {
		net.Params()[i] *= 4
	}
	return net
}
