package vec

import (
	"math"
	"math/rand/v2"
	"testing"
)

func randomVec(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return v
}

// sameValues treats -0 and +0 as equal, as arithmetic does.
func sameValues(a, b []float32) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestMatchesGo runs each loop, as dispatched on this machine, against its
// Go version on every length up to 70 (crossing the 16, 8 and 1 steps of
// the assembly) and on a slice with elements past its end that must stay
// untouched.
func TestMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n <= 70; n++ {
		for _, slope := range []float32{0, 0.1, 1} {
			v := randomVec(rng, n+3)
			want := append([]float32(nil), v...)
			BiasAct(v[:n], 0.25, slope)
			biasActGo(want[:n], 0.25, slope)
			if !sameValues(v, want) {
				t.Fatalf("BiasAct n=%d slope=%g: %v, want %v", n, slope, v, want)
			}

			y := randomVec(rng, n)
			clear(y[:min(n, 2)]) // y = 0 counts as not positive
			dy := randomVec(rng, n+3)
			want = append([]float32(nil), dy...)
			ActGrad(y, dy, slope)
			actGradGo(y, want, slope)
			if !sameValues(dy, want) {
				t.Fatalf("ActGrad n=%d slope=%g: %v, want %v", n, slope, dy, want)
			}
		}
		src := randomVec(rng, n)
		dst := randomVec(rng, n+3)
		want := append([]float32(nil), dst...)
		Add(dst, src)
		addGo(want, src)
		if !sameValues(dst, want) {
			t.Fatalf("Add n=%d: %v, want %v", n, dst, want)
		}
	}
}

// TestCombinations checks Sum, Sub, Sum3 and Diff3, as dispatched on this
// machine, against their definitions in float32 on every length up to 40,
// with values past the end of dst that must stay untouched.
func TestCombinations(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	cases := []struct {
		name string
		run  func(dst, a, b, c []float32)
		want func(a, b, c float32) float32
	}{
		{"Sum", func(d, a, b, _ []float32) { Sum(d, a, b) }, func(a, b, _ float32) float32 { return a + b }},
		{"Sub", func(d, a, b, _ []float32) { Sub(d, a, b) }, func(a, b, _ float32) float32 { return a - b }},
		{"Sum3", Sum3, func(a, b, c float32) float32 { return a + b + c }},
		{"Diff3", Diff3, func(a, b, c float32) float32 { return a - b - c }},
	}
	for _, c := range cases {
		for n := 0; n <= 40; n++ {
			a, b, x := randomVec(rng, n+1), randomVec(rng, n+2), randomVec(rng, n)
			dst := randomVec(rng, n+3)
			past := append([]float32(nil), dst[n:]...)
			c.run(dst[:n], a, b, x)
			for i := 0; i < n; i++ {
				if want := c.want(a[i], b[i], x[i]); dst[i] != want {
					t.Fatalf("%s n=%d: [%d] = %g, want %g", c.name, n, i, dst[i], want)
				}
			}
			if !sameValues(dst[n:], past) {
				t.Fatalf("%s n=%d wrote past the end", c.name, n)
			}
		}
	}
}

// TestInterleave checks Deinterleave and Interleave against their
// definitions on every length up to 50, and that they undo each other.
func TestInterleave(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for n := 0; n <= 50; n++ {
		src := randomVec(rng, n)
		even, odd := randomVec(rng, n/2+2), randomVec(rng, n/2+2)
		pastEven, pastOdd := even[n/2], odd[n/2]
		Deinterleave(even, odd, src)
		for i := 0; i < n/2; i++ {
			if even[i] != src[2*i] || odd[i] != src[2*i+1] {
				t.Fatalf("Deinterleave n=%d: pair %d = (%g, %g), want (%g, %g)", n, i, even[i], odd[i], src[2*i], src[2*i+1])
			}
		}
		if even[n/2] != pastEven || odd[n/2] != pastOdd {
			t.Fatalf("Deinterleave n=%d wrote past the pairs", n)
		}
		back := randomVec(rng, n)
		Interleave(back, even, odd)
		if !sameValues(back[:n/2*2], src[:n/2*2]) {
			t.Fatalf("Interleave n=%d: %v, want %v", n, back, src)
		}
	}
}

// TestStrided checks GatherEven and AddEven against their definitions on
// every length up to 40, with the strided side exactly as long as needed
// and one longer, and nothing written past the end.
func TestStrided(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for n := 0; n <= 40; n++ {
		for extra := 0; extra <= 1; extra++ {
			long := max(0, 2*n-1+extra)
			src := randomVec(rng, long)
			dst := randomVec(rng, n+2)
			past := append([]float32(nil), dst[n:]...)
			GatherEven(dst[:n], src)
			for i := 0; i < n; i++ {
				if dst[i] != src[2*i] {
					t.Fatalf("GatherEven n=%d: [%d] = %g, want %g", n, i, dst[i], src[2*i])
				}
			}
			if !sameValues(dst[n:], past) {
				t.Fatalf("GatherEven n=%d wrote past the end", n)
			}

			packed := randomVec(rng, n)
			strided := randomVec(rng, long+2)
			want := append([]float32(nil), strided...)
			for i, v := range packed {
				want[2*i] += v
			}
			AddEven(strided[:long], packed)
			if !sameValues(strided, want) {
				t.Fatalf("AddEven n=%d extra=%d: %v, want %v", n, extra, strided, want)
			}
		}
	}
}

// TestValues checks the Go versions against the definitions.
func TestValues(t *testing.T) {
	cases := []struct {
		x, bias, slope, want float32
	}{
		{1, 0.5, 0, 1.5},
		{-1, 0.5, 0, 0},
		{-1, 0.5, 0.1, -0.05},
		{-3, 1, 1, -2},
	}
	for _, c := range cases {
		for _, f := range []func([]float32, float32, float32){BiasAct, biasActGo} {
			v := []float32{c.x}
			f(v, c.bias, c.slope)
			if math.Abs(float64(v[0]-c.want)) > 1e-7 {
				t.Errorf("act(%g+%g) slope %g = %g, want %g", c.x, c.bias, c.slope, v[0], c.want)
			}
		}
	}
	dy := []float32{2, 2, 2}
	ActGrad([]float32{1, 0, -1}, dy, 0.5)
	if dy[0] != 2 || dy[1] != 1 || dy[2] != 1 {
		t.Errorf("ActGrad = %v, want [2 1 1]", dy)
	}
}

func TestShortDestinationPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Add into a shorter slice did not panic")
		}
	}()
	Add(make([]float32, 2), make([]float32, 3))
}

func BenchmarkBiasAct(b *testing.B) {
	v := randomVec(rand.New(rand.NewPCG(1, 1)), 1<<16)
	b.SetBytes(4 << 16)
	for i := 0; i < b.N; i++ {
		BiasAct(v, 0.01, 0)
	}
}
