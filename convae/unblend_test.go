package convae

import (
	"math"
	"strings"
	"testing"
)

// A mark laid over a picture by alpha blending comes off exactly when the
// unblend op is given its opacity and colour.
func TestUnblendInvertsTheAlphaBlend(t *testing.T) {
	logit := func(p float64) float32 { return float32(math.Log(p / (1 - p))) }
	cases := []struct {
		alpha, colour, clean float64
	}{
		{0.475, 0.5, 0.3},
		{0.8, 1, 0.1},
		{0.2, 0, 0.9},
		{1e-4, 0.7, 0.5},
	}
	cur := NewTensor(Shape{N: 1, C: 4, H: 1, W: len(cases)})
	x := NewTensor(Shape{N: 1, C: 4, H: 1, W: len(cases)})
	p := len(cases)
	for i, c := range cases {
		cur.Data[i] = logit(c.alpha/UnblendMaxOpacity) + UnblendOffset
		for ch := 0; ch < 3; ch++ {
			cur.Data[(ch+1)*p+i] = logit(c.colour*0.98 + 0.01)
			x.Data[ch*p+i] = float32((1-c.alpha)*c.clean + c.alpha*(c.colour*0.98+0.01))
		}
		x.Data[3*p+i] = 1 // a mask channel, which unblend does not read
	}
	y := NewTensor(Shape{N: 1, C: 3, H: 1, W: p})
	(&unblendLayer{}).forward([]*worker{{}}, []*Tensor{cur, x}, y)
	for i, c := range cases {
		for ch := 0; ch < 3; ch++ {
			if got := y.Data[ch*p+i]; math.Abs(float64(got)-c.clean) > 1e-5 {
				t.Errorf("α %g, colour %g: unblended %g, want %g", c.alpha, c.colour, got, c.clean)
			}
		}
	}
}

func TestUnblendSpecs(t *testing.T) {
	spec := UNetSpec("u", UNetConfig{Width: 4, Levels: 1, Blocks: 1, Unshuffle: true, NoiseLevel: true, Unblend: true})
	if err := spec.Validate(); err != nil {
		t.Fatalf("U-Net with unblend: %v", err)
	}
	net, err := NewNet(spec, 1)
	if err != nil {
		t.Fatal(err)
	}
	// A fresh network starts close to the identity.
	x := NewTensor(Shape{N: 1, C: 4, H: 16, W: 16})
	for i := range x.Data {
		x.Data[i] = float32(i%17) / 17
	}
	y := net.Forward(x)
	for i, v := range y.Data {
		if d := math.Abs(float64(v - x.Data[i])); d > 0.05 {
			t.Fatalf("fresh unblend net changes value %d by %g", i, d)
		}
	}
	fill := UNetSpec("f", UNetConfig{Width: 4, Levels: 1, Blocks: 1, Unshuffle: true, NoiseLevel: true, Unblend: true, Fill: true})
	if err := fill.Validate(); err != nil {
		t.Fatalf("U-Net with unblend and a fill: %v", err)
	}
	for _, c := range []int{3, 5, 6, 8} {
		bad := Spec{Name: "bad", In: 3, Out: 3, Ops: []Op{{Kind: OpConv, Name: "c", Out: c, Kernel: 1}, {Kind: OpUnblend}}}
		if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "needs a full-size activation of 4 channels (opacity and colour), or 7 (and a fill)") {
			t.Errorf("unblend after %d channels: %v", c, err)
		}
	}
}

// With mark targets, Backward adds the gradient of weight × the mean binary
// cross-entropies between σ(a − offset) and target/max, and between σ(w)
// and the target colour weighted by target/max, checked here against
// finite differences of those losses alone: with no gradient from the main
// loss, and with one that Only stops at the op (nothing reaches the input
// either).
func TestUnblendMarkTargetGradient(t *testing.T) {
	const n, h, w, weight = 2, 2, 3, 0.7
	p := h * w
	cur := NewTensor(Shape{N: n, C: 4, H: h, W: w})
	x := NewTensor(Shape{N: n, C: 4, H: h, W: w})
	target := make([]float32, n*p)
	for i := range cur.Data {
		cur.Data[i] = float32(i%7)/3 - 1 + UnblendOffset
		x.Data[i] = float32(i%5) / 5
	}
	for i := range target {
		target[i] = float32(i%4) / 4
	}
	colour := make([]float32, n*3*p)
	for i := range colour {
		colour[i] = float32(i%5) / 5
	}
	bce := func(a []float32) float64 {
		var s float64
		for k := 0; k < n; k++ {
			for i := 0; i < p; i++ {
				q := 1 / (1 + math.Exp(-float64(a[k*4*p+i]-UnblendOffset)))
				want := float64(target[k*p+i]) / UnblendMaxOpacity
				s -= want*math.Log(q) + (1-want)*math.Log(1-q)
				for c := 0; c < 3; c++ {
					r := 1 / (1 + math.Exp(-float64(a[k*4*p+(c+1)*p+i])))
					tc := float64(colour[(k*3+c)*p+i])
					s -= want * (tc*math.Log(r) + (1-tc)*math.Log(1-r))
				}
			}
		}
		return weight * s / float64(n*p)
	}
	for _, only := range []bool{false, true} {
		l := &unblendLayer{target: MarkTarget{Alpha: target, Colour: colour, Weight: weight, Only: only}}
		y := NewTensor(Shape{N: n, C: 3, H: h, W: w})
		dy := NewTensor(y.Shape)
		if only {
			for i := range dy.Data {
				dy.Data[i] = float32(i%3) - 1
			}
		}
		dc, dx := NewTensor(cur.Shape), NewTensor(x.Shape)
		l.backward([]*worker{{}}, []*Tensor{cur, x}, y, dy, []*Tensor{dc, dx})
		for k := 0; k < n; k++ {
			for i := 0; i < 4*p; i++ {
				j := k*4*p + i
				if num := centralDifference(bce, cur.Data, j, 1e-2); math.Abs(num-float64(dc.Data[j])) > 1e-4 {
					t.Errorf("only %v, item %d value %d: backward %g, finite difference %g", only, k, i, dc.Data[j], num)
				}
			}
		}
		for i, v := range dx.Data {
			if v != 0 {
				t.Fatalf("only %v: input gradient %d is %g, want 0", only, i, v)
			}
		}
	}
}

// A MarkNet computes the opacity and colour logits that its network's
// unblend op reads: unblending with MarkOpacity and MarkColour gives the
// network's own output. Networks without an unblend op have none.
func TestMarkNet(t *testing.T) {
	for _, fill := range []bool{false, true} {
		testMarkNet(t, fill)
	}
	plain, err := NewNet(UNetSpec("r", UNetConfig{Width: 4, Levels: 1, Blocks: 1}), 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := plain.MarkNet(); ok {
		t.Error("a residual network has a mark network")
	}
}

func testMarkNet(t *testing.T, fill bool) {
	spec := UNetSpec("u", UNetConfig{Width: 4, Levels: 1, Blocks: 1, Unshuffle: true, NoiseLevel: true, Unblend: true, Fill: fill})
	net, err := NewNet(spec, 3)
	if err != nil {
		t.Fatal(err)
	}
	for i := range net.Params() {
		net.Params()[i] *= 4 // marks far from the identity
	}
	marks, ok := net.MarkNet()
	if !ok {
		t.Fatal("no mark network for an unblend net")
	}
	want := 4
	if fill {
		want = 7
	}
	if got := marks.Spec().Out; got != want {
		t.Errorf("fill %v: mark network has %d outputs, want %d", fill, got, want)
	}
	x := NewTensor(Shape{N: 2, C: 4, H: 16, W: 16})
	for i := range x.Data {
		x.Data[i] = float32(i%17) / 17
	}
	y := net.Forward(x)
	m := marks.Forward(x)
	p := 16 * 16
	var changed float64
	for k := 0; k < 2; k++ {
		xk, yk, mk := x.Item(k), y.Item(k), m.Item(k)
		for i := 0; i < p; i++ {
			a := MarkOpacity(mk[i])
			for c := 0; c < 3; c++ {
				want := (xk[c*p+i] - a*MarkColour(mk[(c+1)*p+i])) / (1 - a)
				if d := math.Abs(float64(want - yk[c*p+i])); d > 1e-5 {
					t.Fatalf("item %d pixel %d channel %d: net %g, unblended mark net %g", k, i, c, yk[c*p+i], want)
				}
				changed = max(changed, math.Abs(float64(yk[c*p+i]-xk[c*p+i])))
			}
		}
	}
	if changed < 0.01 {
		t.Errorf("fill %v: the test network changes its input by at most %g: too close to the identity to tell", fill, changed)
	}
}

// With a fill, the unblend op's output is unchanged, and Backward adds to
// the fill channels the gradient of FillWeight × the mean absolute error
// of MarkFill against the clean picture, each pixel weighted by 0.1 plus
// its target opacity over the maximum (checked against finite
// differences); without clean pictures the fill gets no gradient.
func TestUnblendFillGradient(t *testing.T) {
	const n, h, w, weight, fillWeight = 2, 2, 3, 0.7, 1.3
	p := h * w
	cur := NewTensor(Shape{N: n, C: 7, H: h, W: w})
	x := NewTensor(Shape{N: n, C: 4, H: h, W: w})
	for i := range cur.Data {
		cur.Data[i] = float32(i%7)/3 - 1 + UnblendOffset
		x.Data[i%len(x.Data)] = float32(i%5) / 5
	}
	target, colour, clean := make([]float32, n*p), make([]float32, n*3*p), make([]float32, n*3*p)
	for i := range target {
		target[i] = float32(i%4) / 4
	}
	for i := range colour {
		colour[i] = float32(i%5) / 5
		// Far enough from x + f that a finite step does not cross the kink.
		clean[i] = float32(i%3)/2 - 0.3
	}
	fillIndex := func(k, c, i int) int { return k*7*p + (4+c)*p + i }
	l1 := func(a []float32) float64 {
		var s float64
		for k := 0; k < n; k++ {
			for c := 0; c < 3; c++ {
				for i := 0; i < p; i++ {
					want := float64(target[k*p+i]) / UnblendMaxOpacity
					e := float64(MarkFill(x.Data[k*4*p+c*p+i], a[fillIndex(k, c, i)]) - clean[(k*3+c)*p+i])
					s += (0.1 + want) * math.Abs(e)
				}
			}
		}
		return fillWeight * s / float64(n*p)
	}
	four := NewTensor(Shape{N: n, C: 4, H: h, W: w})
	for k := 0; k < n; k++ {
		copy(four.Item(k), cur.Item(k)[:4*p])
	}
	l := &unblendLayer{out: 3}
	withFill, without := NewTensor(Shape{N: n, C: 3, H: h, W: w}), NewTensor(Shape{N: n, C: 3, H: h, W: w})
	l.forward([]*worker{{}}, []*Tensor{cur, x}, withFill)
	l.forward([]*worker{{}}, []*Tensor{four, x}, without)
	for i := range withFill.Data {
		if withFill.Data[i] != without.Data[i] {
			t.Fatalf("value %d: %g with a fill, %g without", i, withFill.Data[i], without.Data[i])
		}
	}
	for _, givenClean := range []bool{true, false} {
		l.target = MarkTarget{Alpha: target, Colour: colour, Weight: weight, Only: true, FillWeight: fillWeight}
		if givenClean {
			l.target.Clean = clean
		}
		dy := NewTensor(withFill.Shape)
		dc, dx := NewTensor(cur.Shape), NewTensor(x.Shape)
		l.backward([]*worker{{}}, []*Tensor{cur, x}, withFill, dy, []*Tensor{dc, dx})
		for k := 0; k < n; k++ {
			for c := 0; c < 3; c++ {
				for i := 0; i < p; i++ {
					j := fillIndex(k, c, i)
					num := 0.0
					if givenClean {
						num = centralDifference(l1, cur.Data, j, 1e-3)
					}
					if math.Abs(num-float64(dc.Data[j])) > 1e-4 {
						t.Errorf("clean given %v, item %d channel %d pixel %d: backward %g, finite difference %g", givenClean, k, c, i, dc.Data[j], num)
					}
				}
			}
		}
	}
}

// centralDifference returns the derivative of loss with respect to v[j]
// by central differences of the given step, leaving v as it was.
func centralDifference(loss func([]float32) float64, v []float32, j int, step float32) float64 {
	saved := v[j]
	v[j] = saved + step
	up := loss(v)
	v[j] = saved - step
	down := loss(v)
	v[j] = saved
	return (up - down) / float64(2*step)
}
