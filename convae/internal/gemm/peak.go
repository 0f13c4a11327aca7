package gemm

import "time"

// peakChunk is the number of iterations of the FMA loop timed at once:
// 192·peakChunk flops, a fraction of a millisecond.
const peakChunk = 1 << 15

// PeakGFLOPS measures the single-core float32 fused multiply-add peak, in
// GFLOP/s: for about d it runs an assembly loop of twelve independent
// 8-wide VFMADD231PS and reports its best rate. It returns 0 when the
// build or the CPU has no such loop (purego builds, non-amd64, no FMA).
func PeakGFLOPS(d time.Duration) float64 {
	best := 0.0
	end := time.Now().Add(d)
	for {
		t0 := time.Now()
		if !peakLoop(peakChunk) {
			return 0
		}
		t1 := time.Now()
		if s := t1.Sub(t0).Seconds(); s > 0 {
			best = max(best, 192*peakChunk/s/1e9)
		}
		if !t1.Before(end) {
			return best
		}
	}
}
