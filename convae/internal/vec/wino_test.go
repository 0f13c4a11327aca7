package vec

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// The transform matrices of wino.go, in float64.
var (
	winoBT = [][6]float64{
		{4, 0, -5, 0, 1, 0},
		{0, -4, -4, 1, 1, 0},
		{0, 4, -4, -1, 1, 0},
		{0, -2, -1, 2, 1, 0},
		{0, 2, -1, -2, 1, 0},
		{0, 4, 0, -5, 0, 1},
	}
	winoAT = [][6]float64{
		{1, 1, 1, 1, 1, 0},
		{0, 1, -1, 2, -2, 0},
		{0, 1, 1, 4, 4, 0},
		{0, 1, -1, 8, -8, 1},
	}
)

// winoTol is the error allowed in a transformed value whose terms add up
// to sum in absolute value: 4 float32 ulps of sum (each of the two or
// three roundings costs at most half of one).
func winoTol(sum float64) float64 { return 4 * 0x1p-23 * sum }

// checkTransform checks dst[k][i] against Σⱼ m[k][j]·src[j][i] in float64
// for i < n.
func checkTransform(t *testing.T, name string, m [][6]float64, dst, src [][]float32, n int) {
	t.Helper()
	for k := range m {
		for i := 0; i < n; i++ {
			var want, sum float64
			for j, c := range m[k] {
				x := c * float64(src[j][i])
				want += x
				sum += math.Abs(x)
			}
			if got := float64(dst[k][i]); math.Abs(got-want) > winoTol(sum) {
				t.Fatalf("%s n=%d: dst[%d][%d] = %g, want %g (±%g)", name, n, k, i, got, want, winoTol(sum))
			}
		}
	}
}

// copies returns deep copies of vs, to their capacities.
func copies(vs [][]float32) [][]float32 {
	c := make([][]float32, len(vs))
	for k, v := range vs {
		c[k] = append([]float32(nil), v[:cap(v)]...)
	}
	return c
}

// TestWinograd checks WinogradIn and WinogradOut, as dispatched on this
// machine, and their Go loops against the matrices on every length up to
// 70 (crossing the 8-value blocks of the assembly), with sources longer
// than needed, some of them not 32-byte aligned, and values past the end
// of every dst that must stay untouched.
func TestWinograd(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	cases := []struct {
		name string
		m    [][6]float64
		run  func(dst, src [][]float32)
	}{
		{"WinogradIn", winoBT, func(d, s [][]float32) { WinogradIn((*[6][]float32)(d), (*[6][]float32)(s)) }},
		{"winogradInGo", winoBT, func(d, s [][]float32) { winogradInGo((*[6][]float32)(d), (*[6][]float32)(s), 0) }},
		{"WinogradOut", winoAT, func(d, s [][]float32) { WinogradOut((*[4][]float32)(d), (*[6][]float32)(s)) }},
		{"winogradOutGo", winoAT, func(d, s [][]float32) { winogradOutGo((*[4][]float32)(d), (*[6][]float32)(s), 0) }},
	}
	for _, c := range cases {
		for n := 0; n <= 70; n++ {
			src := make([][]float32, 6)
			for j := range src {
				src[j] = randomVec(rng, n+4)[j%2:][:n+j%3]
			}
			dst := make([][]float32, len(c.m))
			for k := range dst {
				dst[k] = randomVec(rng, n+5)[k%2:]
			}
			dst[0] = dst[0][:n] // the length that counts
			before, srcBefore := copies(dst), copies(src)
			c.run(dst, src)
			checkTransform(t, c.name, c.m, dst, src, n)
			for k, d := range dst {
				if !sameValues(d[n:cap(d)], before[k][n:]) {
					t.Fatalf("%s n=%d wrote past the end of dst[%d]", c.name, n, k)
				}
			}
			for j, s := range src {
				if !sameValues(s[:cap(s)], srcBefore[j]) {
					t.Fatalf("%s n=%d changed src[%d]", c.name, n, j)
				}
			}
		}
	}
}

// TestWinogradAsm runs the assembly alone on the blocks of 8 of every
// length up to 70 against the Go loops: the same to a few ulps, and
// nothing written past the blocks.
func TestWinogradAsm(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2")
	}
	rng := rand.New(rand.NewPCG(11, 12))
	cases := []struct {
		name     string
		m        [][6]float64
		asm, ref func(dst, src [][]float32, m int)
	}{
		{"winogradInAVX2", winoBT,
			func(d, s [][]float32, m int) { winogradInAVX2((*[6][]float32)(d), (*[6][]float32)(s), m) },
			func(d, s [][]float32, m int) { winogradInGo((*[6][]float32)(d), (*[6][]float32)(s), 0) }},
		{"winogradOutAVX2", winoAT,
			func(d, s [][]float32, m int) { winogradOutAVX2((*[4][]float32)(d), (*[6][]float32)(s), m) },
			func(d, s [][]float32, m int) { winogradOutGo((*[4][]float32)(d), (*[6][]float32)(s), 0) }},
	}
	for _, c := range cases {
		for n := 0; n <= 70; n++ {
			m := n &^ 7
			src := make([][]float32, 6)
			for j := range src {
				src[j] = randomVec(rng, n)
			}
			dst, ref := make([][]float32, len(c.m)), make([][]float32, len(c.m))
			for k := range dst {
				dst[k] = randomVec(rng, n)
				ref[k] = make([]float32, m)
			}
			before := copies(dst)
			c.asm(dst, src, m)
			c.ref(ref, src, m)
			for k := range dst {
				for i := 0; i < m; i++ {
					var sum float64
					for j, x := range c.m[k] {
						sum += math.Abs(x * float64(src[j][i]))
					}
					if d := math.Abs(float64(dst[k][i]) - float64(ref[k][i])); d > winoTol(sum) {
						t.Fatalf("%s n=%d: dst[%d][%d] = %g, Go gives %g", c.name, n, k, i, dst[k][i], ref[k][i])
					}
				}
				if !sameValues(dst[k][m:], before[k][m:]) {
					t.Fatalf("%s n=%d wrote past the %d values of the blocks", c.name, n, m)
				}
			}
		}
	}
}

// TestInterleave4 checks Deinterleave4 and Interleave4, as dispatched on
// this machine, and their Go loops against their definitions, exactly, on
// every number of groups up to 70 (crossing the 8-group blocks of the
// assembly) and every remainder of the interleaved length by 4, with
// values past the end that must stay untouched.
func TestInterleave4(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	deinterleaves := []struct {
		name string
		run  func(dst *[4][]float32, src []float32)
	}{{"Deinterleave4", Deinterleave4}, {"deinterleave4Go", deinterleave4Go}}
	interleaves := []struct {
		name string
		run  func(dst []float32, src *[4][]float32)
	}{{"Interleave4", Interleave4}, {"interleave4Go", interleave4Go}}
	bits := math.Float32bits
	for n := 0; n <= 70; n++ {
		for r := 0; r < 4; r++ {
			for _, c := range deinterleaves {
				src := randomVec(rng, 4*n+r+1)[1:] // not aligned
				var dst [4][]float32
				for k := range dst {
					dst[k] = randomVec(rng, n+k%3)
				}
				before := copies(dst[:])
				c.run(&dst, src)
				for k, d := range dst {
					for i := 0; i < n; i++ {
						if bits(d[i]) != bits(src[4*i+k]) {
							t.Fatalf("%s len=%d: dst[%d][%d] = %g, want %g", c.name, 4*n+r, k, i, d[i], src[4*i+k])
						}
					}
					if !sameValues(d[n:], before[k][n:]) {
						t.Fatalf("%s len=%d wrote past the end of dst[%d]", c.name, 4*n+r, k)
					}
				}
			}
			for _, c := range interleaves {
				var src [4][]float32
				for k := range src {
					src[k] = randomVec(rng, n+k%3+1)[1:]
				}
				dst := randomVec(rng, 4*n+r+3)
				before := append([]float32(nil), dst...)
				c.run(dst[:4*n+r], &src)
				for i := 0; i < n; i++ {
					for k, s := range src {
						if bits(dst[4*i+k]) != bits(s[i]) {
							t.Fatalf("%s len=%d: dst[%d] = %g, want src[%d][%d] = %g", c.name, 4*n+r, 4*i+k, dst[4*i+k], k, i, s[i])
						}
					}
				}
				if !sameValues(dst[4*n:], before[4*n:]) {
					t.Fatalf("%s len=%d wrote past the groups", c.name, 4*n+r)
				}
			}
		}
	}
}

// TestWinoShortPanics shortens each slice in turn by one value: the call
// must panic, before it writes anything, on the Go path (5) and on the
// assembly one (16, and 21 with a tail).
func TestWinoShortPanics(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	// vecs returns k random slices of n values, the one at short (if any)
	// shortened by one, in capacity too: reslicing to n, as the functions
	// do, only panics past the capacity.
	vecs := func(k, n, short int) [][]float32 {
		vs := make([][]float32, k)
		for i := range vs {
			vs[i] = randomVec(rng, n)
		}
		if short >= 0 && short < k {
			vs[short] = vs[short][: n-1 : n-1]
		}
		return vs
	}
	type call struct {
		name string
		dst  [][]float32 // must stay as they are
		run  func()
	}
	var calls []call
	for _, n := range []int{5, 16, 21} {
		// dst[0] gives the length of the transforms: it cannot be short.
		for pos := 1; pos < 12; pos++ {
			dst, src := vecs(6, n, pos), vecs(6, n, pos-6)
			calls = append(calls, call{fmt.Sprintf("WinogradIn n=%d slice %d", n, pos), dst,
				func() { WinogradIn((*[6][]float32)(dst), (*[6][]float32)(src)) }})
		}
		for pos := 1; pos < 10; pos++ {
			dst, src := vecs(4, n, pos), vecs(6, n, pos-4)
			calls = append(calls, call{fmt.Sprintf("WinogradOut n=%d slice %d", n, pos), dst,
				func() { WinogradOut((*[4][]float32)(dst), (*[6][]float32)(src)) }})
		}
		for k := 0; k < 4; k++ {
			dst, src := vecs(4, n, k), randomVec(rng, 4*n)
			calls = append(calls, call{fmt.Sprintf("Deinterleave4 n=%d dst[%d]", n, k), dst,
				func() { Deinterleave4((*[4][]float32)(dst), src) }})
			dst2, src2 := randomVec(rng, 4*n), vecs(4, n, k)
			calls = append(calls, call{fmt.Sprintf("Interleave4 n=%d src[%d]", n, k), [][]float32{dst2},
				func() { Interleave4(dst2, (*[4][]float32)(src2)) }})
		}
	}
	for _, c := range calls {
		before := copies(c.dst)
		panicked := func() (p bool) {
			defer func() { p = recover() != nil }()
			c.run()
			return false
		}()
		if !panicked {
			t.Errorf("%s: no panic", c.name)
		}
		for k, d := range c.dst {
			if !sameValues(d[:cap(d)], before[k]) {
				t.Errorf("%s: dst[%d] written before the panic", c.name, k)
			}
		}
	}
}

// benchPair runs the dispatched function (the assembly, where there is
// AVX2) and the Go loop side by side.
func benchPair(b *testing.B, bytes int64, asm, goLoop func()) {
	b.Run("asm", func(b *testing.B) {
		if !hasAVX2 {
			b.Skip("no AVX2")
		}
		b.SetBytes(bytes)
		for b.Loop() {
			asm()
		}
	})
	b.Run("go", func(b *testing.B) {
		b.SetBytes(bytes)
		for b.Loop() {
			goLoop()
		}
	})
}

const winoBenchN = 1024

func benchVecs(rng *rand.Rand, k, n int) [][]float32 {
	vs := make([][]float32, k)
	for i := range vs {
		vs[i] = randomVec(rng, n)
	}
	return vs
}

func BenchmarkWinogradIn(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	dst := (*[6][]float32)(benchVecs(rng, 6, winoBenchN))
	src := (*[6][]float32)(benchVecs(rng, 6, winoBenchN))
	benchPair(b, 12*4*winoBenchN,
		func() { WinogradIn(dst, src) },
		func() { winogradInGo(dst, src, 0) })
}

func BenchmarkWinogradOut(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	dst := (*[4][]float32)(benchVecs(rng, 4, winoBenchN))
	src := (*[6][]float32)(benchVecs(rng, 6, winoBenchN))
	benchPair(b, 10*4*winoBenchN,
		func() { WinogradOut(dst, src) },
		func() { winogradOutGo(dst, src, 0) })
}

func BenchmarkDeinterleave4(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	dst := (*[4][]float32)(benchVecs(rng, 4, winoBenchN))
	src := randomVec(rng, 4*winoBenchN)
	benchPair(b, 2*4*4*winoBenchN,
		func() { Deinterleave4(dst, src) },
		func() { deinterleave4Go(dst, src) })
}

func BenchmarkInterleave4(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	dst := randomVec(rng, 4*winoBenchN)
	src := (*[4][]float32)(benchVecs(rng, 4, winoBenchN))
	benchPair(b, 2*4*4*winoBenchN,
		func() { Interleave4(dst, src) },
		func() { interleave4Go(dst, src) })
}
