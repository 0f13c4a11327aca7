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
