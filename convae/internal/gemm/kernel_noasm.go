//go:build !amd64 || purego

package gemm

// bestKernel is the micro-kernel Sgemm uses on this machine.
var bestKernel microKernel = kernelGo

// peakLoop reports that no vector FMA loop is available in this build.
func peakLoop(n int) bool { return false }

// packRows24 is packRows24Go in this build.
func packRows24(dst, src []float32, ld, k, slivers int) {
	packRows24Go(dst, src, ld, k, slivers)
}

// packCols24 is packCols24Go in this build.
func packCols24(dst, src []float32, ld, k int) { packCols24Go(dst, src, ld, k) }

// packA4 is packA4Go in this build.
func packA4(dst, src []float32, ld, k int) { packA4Go(dst, src, ld, k) }

// hasStrided reports that this build has no strided kernel.
const hasStrided = false

func kernelStrided(k int, a, b, c []float32, ldb, ldc int) { panic("gemm: no strided kernel") }
