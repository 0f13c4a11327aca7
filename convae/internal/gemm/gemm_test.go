package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// shapes are the m, n, k of the correctness tests: tiny, non-multiples of
// mr and nr, exact multiples, and a few crossing the kc, mc and nc blocks.
var shapes = []struct{ m, n, k int }{
	{1, 1, 1},
	{1, 70, 2},
	{70, 1, 70},
	{2, 3, 5},
	{3, 24, 27},
	{4, 24, 1},
	{4, 24, 16},
	{5, 25, 9},
	{7, 13, 31},
	{8, 48, 64},
	{17, 23, 70},
	{33, 47, 3},
	{64, 48, 33},
	{69, 70, 68},
	{70, 70, 70},
	{12, 50, 300},  // two kc blocks
	{250, 30, 20},  // two mc blocks
	{5, 4100, 3},   // two nc blocks
	{9, 4105, 260}, // all three
}

// blockings are the cache blockings tested: the real one, and small ones
// that make the small shapes cross many block boundaries.
var blockings = map[string]blocking{
	"default": defaultBlocking,
	"small":   {kc: 8, mc: 8, nc: 48, group: 1},
	"grouped": {kc: 9, mc: 8, nc: 120, group: 3},
	"shallow": {kc: 8, mc: 8, nc: 48, shallowK: 9, panel: 200, group: 2},
	"odd":     {kc: 5, mc: 12, nc: 24, shallowK: 4, panel: 100},
}

// betas are the beta values tested; beta 0 is run on a C full of NaNs.
var betas = []float32{0, 1, 0.5}

// matrix returns a rows×cols matrix of stride ld with values in [-1, 1)
// and the padding columns set to NaN, which must never be read.
func matrix(r *rand.Rand, rows, cols, ld int) []float32 {
	s := make([]float32, max(0, (rows-1)*ld+cols))
	for i := range s {
		if i%ld < cols {
			s[i] = 2*r.Float32() - 1
		} else {
			s[i] = float32(math.NaN())
		}
	}
	return s
}

// tolerance returns the allowed error on each entry of C: 1e-5 times the
// sum of the magnitudes of the terms that make it.
func tolerance(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) []float64 {
	tol := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				ai, bi := termIndex(transA, transB, i, j, p, lda, ldb)
				av, bv := a[ai], b[bi]
				s += math.Abs(float64(av) * float64(bv))
			}
			if beta != 0 {
				s += math.Abs(float64(beta) * float64(c[i*ldc+j]))
			}
			tol[i*n+j] = 1e-5*s + 1e-30
		}
	}
	return tol
}

func transpose(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// sgemmCase is one product of TestSgemm.
type sgemmCase struct {
	name         string
	tA, tB       bool
	m, n, k, pad int // pad: extra columns in the strides of A, B and C
	beta         float32
	bl           blocking
}

// sgemmCases crosses shapes, transpositions, padding, betas and blockings;
// the small blockings only get the small shapes.
func sgemmCases() []sgemmCase {
	var cases []sgemmCase
	for bname, bl := range blockings {
		for _, sh := range shapes {
			if bname != "default" && sh.m*sh.n*sh.k > 100000 {
				continue
			}
			for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
				for _, pad := range []int{0, 3} {
					for _, beta := range betas {
						cases = append(cases, sgemmCase{
							name: fmt.Sprintf("%s/m%d_n%d_k%d/tA=%v_tB=%v/pad%d/beta%g", bname, sh.m, sh.n, sh.k, tr[0], tr[1], pad, beta),
							tA:   tr[0], tB: tr[1], m: sh.m, n: sh.n, k: sh.k, pad: pad, beta: beta, bl: bl,
						})
					}
				}
			}
		}
	}
	return cases
}

// TestSgemm compares every kernel with gonum's blas32 on all shapes, the
// four transpositions, strided sub-matrices, several betas and blockings.
func TestSgemm(t *testing.T) {
	cases := sgemmCases()
	for kname, kern := range testKernels() {
		t.Run(kname, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			var ws Workspace // shared by all cases, as in real use
			for _, tc := range cases {
				m, n, k := tc.m, tc.n, tc.k
				ar, ac := m, k
				if tc.tA {
					ar, ac = k, m
				}
				br, bc := k, n
				if tc.tB {
					br, bc = n, k
				}
				lda, ldb, ldc := ac+tc.pad, bc+tc.pad, n+tc.pad
				a := matrix(r, ar, ac, lda)
				b := matrix(r, br, bc, ldb)
				c := matrix(r, m, n, ldc)
				want := append([]float32(nil), c...)
				if tc.beta == 0 {
					for i := range c {
						c[i] = float32(math.NaN())
						want[i] = 0
					}
				}
				tol := tolerance(tc.tA, tc.tB, m, n, k, a, lda, b, ldb, tc.beta, want, ldc)
				blas32.Implementation().Sgemm(transpose(tc.tA), transpose(tc.tB), m, n, k, 1, a, lda, b, ldb, tc.beta, want, ldc)
				ws.sgemm(kern, tc.bl, tc.tA, tc.tB, m, n, k, a, lda, b, ldb, tc.beta, c, ldc)
				if err := compare(c, want, tol, m, n, ldc); err != "" {
					t.Fatalf("%s: %s", tc.name, err)
				}
			}
		})
	}
}

// compare checks C against the oracle within tol, and that the padding
// between rows was left alone.
func compare(got, want []float32, tol []float64, m, n, ldc int) string {
	for i := range got {
		row, col := i/ldc, i%ldc
		if col >= n {
			if !math.IsNaN(float64(got[i])) {
				return fmt.Sprintf("padding C[%d][%d] written: %g", row, col, got[i])
			}
			continue
		}
		if d := math.Abs(float64(got[i]) - float64(want[i])); !(d <= tol[row*n+col]) {
			return fmt.Sprintf("C[%d][%d] = %g, want %g (tolerance %g)", row, col, got[i], want[i], tol[row*n+col])
		}
	}
	return ""
}

// TestNaive checks the reference against gonum on a few shapes.
func TestNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct {
		tA, tB  bool
		m, n, k int
		beta    float32
	}{
		{false, false, 5, 7, 3, 0},
		{true, false, 6, 2, 9, 1},
		{false, true, 3, 8, 4, 0.5},
		{true, true, 9, 9, 9, -2},
	} {
		ar, ac, br, bc := tc.m, tc.k, tc.k, tc.n
		if tc.tA {
			ar, ac = ac, ar
		}
		if tc.tB {
			br, bc = bc, br
		}
		a, b, c := matrix(r, ar, ac, ac), matrix(r, br, bc, bc), matrix(r, tc.m, tc.n, tc.n)
		want := append([]float32(nil), c...)
		tol := tolerance(tc.tA, tc.tB, tc.m, tc.n, tc.k, a, ac, b, bc, tc.beta, c, tc.n)
		blas32.Implementation().Sgemm(transpose(tc.tA), transpose(tc.tB), tc.m, tc.n, tc.k, 1, a, ac, b, bc, tc.beta, want, tc.n)
		Naive(tc.tA, tc.tB, tc.m, tc.n, tc.k, a, ac, b, bc, tc.beta, c, tc.n)
		if err := compare(c, want, tol, tc.m, tc.n, tc.n); err != "" {
			t.Errorf("%+v: %s", tc, err)
		}
	}
}

// TestSgemmEmpty checks the degenerate sizes: nothing to do when m or n is
// 0, and C = beta·C when k is 0.
func TestSgemmEmpty(t *testing.T) {
	nan := float32(math.NaN())
	for _, tc := range []struct {
		name    string
		m, n, k int
		beta    float32
		c, want []float32
	}{
		{"m=0", 0, 2, 3, 0, []float32{nan}, []float32{nan}},
		{"n=0", 2, 0, 3, 0, []float32{nan}, []float32{nan}},
		{"k=0,beta=0", 1, 2, 0, 0, []float32{nan, nan}, []float32{0, 0}},
		{"k=0,beta=1", 1, 2, 0, 1, []float32{1, 2}, []float32{1, 2}},
		{"k=0,beta=2", 1, 2, 0, 2, []float32{1, 2}, []float32{2, 4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ws Workspace
			ws.Sgemm(false, false, tc.m, tc.n, tc.k, []float32{1, 2, 3, 4, 5, 6}, 3, []float32{1, 2, 3, 4, 5, 6}, 2, tc.beta, tc.c, max(1, tc.n))
			for i := range tc.c {
				if g, w := tc.c[i], tc.want[i]; g != w && !(g != g && w != w) {
					t.Fatalf("c = %v, want %v", tc.c, tc.want)
				}
			}
		})
	}
}

// TestSgemmPanics checks that invalid arguments panic with a gemm: message.
func TestSgemmPanics(t *testing.T) {
	s := make([]float32, 12)
	for _, tc := range []struct {
		name          string
		tA, tB        bool
		m, n, k       int
		a             []float32
		lda           int
		b             []float32
		ldb           int
		c             []float32
		ldc           int
		wantSubstring string
	}{
		{"negative m", false, false, -1, 2, 2, s, 2, s, 2, s, 2, "negative"},
		{"lda too small", false, false, 2, 2, 3, s, 2, s, 2, s, 2, "lda"},
		{"lda too small transposed", true, false, 3, 2, 2, s, 2, s, 2, s, 2, "lda"},
		{"ldb too small", false, true, 2, 2, 3, s, 3, s, 2, s, 2, "ldb"},
		{"ldc too small", false, false, 2, 3, 2, s, 2, s, 3, s, 2, "ldc"},
		{"a too short", false, false, 4, 2, 4, s, 4, s, 2, s, 2, "len(a)"},
		{"b too short", false, false, 2, 4, 4, s, 4, s, 4, s, 4, "len(b)"},
		{"c too short", false, false, 5, 3, 1, s, 1, s, 3, s, 3, "len(c)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				msg, _ := recover().(string)
				if !strings.HasPrefix(msg, "gemm: ") || !strings.Contains(msg, tc.wantSubstring) {
					t.Errorf("panic %q, want a gemm: panic about %s", msg, tc.wantSubstring)
				}
			}()
			var ws Workspace
			ws.Sgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, tc.a, tc.lda, tc.b, tc.ldb, 0, tc.c, tc.ldc)
		})
	}
}

// TestSgemmNoAlloc checks that a grown workspace is reused.
func TestSgemmNoAlloc(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var ws Workspace
	for _, tc := range []struct {
		name    string
		tA, tB  bool
		m, n, k int
	}{
		{"forward", false, false, 32, 300, 288},
		{"backward data", true, false, 288, 300, 32},
		{"backward weights", false, true, 32, 288, 600},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := matrix(r, tc.m, tc.k, tc.k)
			b := matrix(r, tc.k, tc.n, tc.n)
			c := make([]float32, tc.m*tc.n)
			lda, ldb := tc.k, tc.n
			if tc.tA {
				lda = tc.m
			}
			if tc.tB {
				ldb = tc.k
			}
			ws.Sgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, a, lda, b, ldb, 0, c, tc.n)
			if n := testing.AllocsPerRun(5, func() {
				ws.Sgemm(tc.tA, tc.tB, tc.m, tc.n, tc.k, a, lda, b, ldb, 1, c, tc.n)
			}); n != 0 {
				t.Errorf("%g allocations per call, want 0", n)
			}
		})
	}
}

// TestPeakGFLOPS checks that the peak is measured when the FMA loop exists.
func TestPeakGFLOPS(t *testing.T) {
	g := PeakGFLOPS(5 * time.Millisecond)
	if g < 0 || (peakLoop(0) && g == 0) {
		t.Errorf("PeakGFLOPS = %g", g)
	}
	t.Logf("peak %.1f GFLOP/s", g)
}
