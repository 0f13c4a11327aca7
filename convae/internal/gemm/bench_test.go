package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"gonum.org/v1/gonum/blas/blas32"
)

// benchShapes are products of the U-Net convolutions: forward
// (C[Cout×HW] = W·col), backward data (col' = Wᵀ·dY) and backward weights
// (dW += dY·colᵀ), named after (Cout, K, HW).
var benchShapes = []struct {
	name    string
	tA, tB  bool
	m, n, k int
	beta    float32
}{
	{"fwd/32x27x4096", false, false, 32, 4096, 27, 0},
	{"fwd/32x288x4096", false, false, 32, 4096, 288, 0},
	{"fwd/64x288x1024", false, false, 64, 1024, 288, 0},
	{"fwd/64x576x1024", false, false, 64, 1024, 576, 0},
	{"fwd/128x576x256", false, false, 128, 256, 576, 0},
	{"fwd/128x1152x256", false, false, 128, 256, 1152, 0},
	{"fwd/64x1152x1024", false, false, 64, 1024, 1152, 0},
	{"fwd/32x576x4096", false, false, 32, 4096, 576, 0},
	{"fwd/3x288x4096", false, false, 3, 4096, 288, 0},
	{"fwd/32x288x16384", false, false, 32, 16384, 288, 0},
	{"bwdData/32x288x4096", true, false, 288, 4096, 32, 0},
	{"bwdData/64x576x1024", true, false, 576, 1024, 64, 0},
	{"bwdData/128x1152x256", true, false, 1152, 256, 128, 0},
	{"bwdData/3x288x4096", true, false, 288, 4096, 3, 0},
	{"bwdWeights/32x288x4096", false, true, 32, 288, 4096, 1},
	{"bwdWeights/64x576x1024", false, true, 64, 576, 1024, 1},
	{"bwdWeights/128x1152x256", false, true, 128, 1152, 256, 1},
	{"bwdWeights/3x288x4096", false, true, 3, 288, 4096, 1},
}

// BenchmarkSgemm times each shape with every available micro-kernel and
// with gonum's pure-Go blas32 for comparison.
func BenchmarkSgemm(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, sh := range benchShapes {
		lda, ldb := sh.k, sh.n
		if sh.tA {
			lda = sh.m
		}
		if sh.tB {
			ldb = sh.k
		}
		a := matrix(r, sh.m, sh.k, sh.k)
		bm := matrix(r, sh.k, sh.n, sh.n)
		c := matrix(r, sh.m, sh.n, sh.n)
		flops := 2 * float64(sh.m) * float64(sh.n) * float64(sh.k)
		run := func(b *testing.B, f func()) {
			b.ReportAllocs()
			f()
			b.ResetTimer()
			best := time.Duration(math.MaxInt64)
			for b.Loop() {
				t0 := time.Now()
				f()
				best = min(best, time.Since(t0))
			}
			reportGFLOPS(b, flops, best)
		}
		for kname, kern := range testKernels() {
			b.Run(fmt.Sprintf("%s/%s", sh.name, kname), func(b *testing.B) {
				var ws Workspace
				run(b, func() {
					ws.sgemm(kern, defaultBlocking, sh.tA, sh.tB, sh.m, sh.n, sh.k, a, lda, bm, ldb, sh.beta, c, sh.n)
				})
			})
		}
		b.Run(sh.name+"/gonum", func(b *testing.B) {
			impl := blas32.Implementation()
			run(b, func() {
				impl.Sgemm(transpose(sh.tA), transpose(sh.tB), sh.m, sh.n, sh.k, 1, a, lda, bm, ldb, sh.beta, c, sh.n)
			})
		})
	}
}

// BenchmarkPeak reports the FMA peak of one core, the yardstick of
// BenchmarkSgemm.
func BenchmarkPeak(b *testing.B) {
	if !peakLoop(0) {
		b.Skip("no FMA loop in this build or on this CPU")
	}
	b.ReportAllocs()
	best := time.Duration(math.MaxInt64)
	for b.Loop() {
		t0 := time.Now()
		peakLoop(peakChunk)
		best = min(best, time.Since(t0))
	}
	reportGFLOPS(b, 192*peakChunk, best)
}

// reportGFLOPS reports the mean rate of a benchmark doing flops per
// iteration, and the rate of its fastest iteration: on a machine shared
// with other work the latter is the steadier figure.
func reportGFLOPS(b *testing.B, flops float64, best time.Duration) {
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	b.ReportMetric(flops/best.Seconds()/1e9, "best-GFLOP/s")
}

// BenchmarkKernel times the micro-kernel alone on L1-resident slivers: the
// ceiling Sgemm can reach.
func BenchmarkKernel(b *testing.B) {
	for _, k := range []int{64, 256} {
		for kname, kern := range testKernels() {
			b.Run(fmt.Sprintf("k%d/%s", k, kname), func(b *testing.B) {
				a := make([]float32, mr*k)
				bs := make([]float32, nr*k)
				c := make([]float32, mr*nr)
				b.ReportAllocs()
				best := time.Duration(math.MaxInt64)
				for b.Loop() {
					t0 := time.Now()
					for range 100 {
						kern(k, a, bs, c, nr, 1)
					}
					best = min(best, time.Since(t0))
				}
				reportGFLOPS(b, 100*2*mr*nr*float64(k), best)
			})
		}
	}
}
