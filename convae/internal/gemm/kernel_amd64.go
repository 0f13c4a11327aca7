//go:build amd64 && !purego

package gemm

import "golang.org/x/sys/cpu"

// hasFMA reports whether the AVX2+FMA assembly may run on this CPU. It is
// set once at package initialisation and never changes.
var hasFMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// kernel4x24 is the AVX2+FMA micro-kernel: with a the packed mr×k sliver
// of op(A) and b the packed k×nr sliver of op(B), it computes the 4×24 tile
// C = A·B + beta·C, C having row stride ldc (in elements). beta == 0
// overwrites C without reading it.
//
//go:noescape
func kernel4x24(k int, a, b, c *float32, ldc int, beta float32)

// kernel4x24s is kernel4x24 with beta 0 and B read in place, row p of the
// tile's 24 columns at b + p·ldb (in elements).
//
//go:noescape
func kernel4x24s(k int, a, b, c *float32, ldb, ldc int)

// fmaLoop runs n iterations of 12 independent 8-wide fused multiply-adds,
// that is 192·n floating-point operations.
//
//go:noescape
func fmaLoop(n int)

// kernelAVX2 wraps kernel4x24 as a microKernel, checking the bounds the
// assembly relies on.
func kernelAVX2(k int, a, b, c []float32, ldc int, beta float32) {
	_ = a[mr*k-1]
	_ = b[nr*k-1]
	_ = c[(mr-1)*ldc+nr-1]
	kernel4x24(k, &a[0], &b[0], &c[0], ldc, beta)
}

// hasStrided reports whether kernelStrided may run on this CPU.
var hasStrided = hasFMA

// kernelStrided wraps kernel4x24s, checking the bounds the assembly
// relies on.
func kernelStrided(k int, a, b, c []float32, ldb, ldc int) {
	_ = a[mr*k-1]
	_ = b[(k-1)*ldb+nr-1]
	_ = c[(mr-1)*ldc+nr-1]
	kernel4x24s(k, &a[0], &b[0], &c[0], ldb, ldc)
}

// bestKernel is the micro-kernel Sgemm uses on this machine, chosen once
// at package initialisation.
var bestKernel = pickKernel()

// pickKernel returns the assembly kernel when the CPU runs it, the Go one
// otherwise.
func pickKernel() microKernel {
	if hasFMA {
		return kernelAVX2
	}
	return kernelGo
}

// peakLoop runs the FMA throughput loop for about n·192 flops and reports
// whether it could (the CPU has FMA).
func peakLoop(n int) bool {
	if !hasFMA {
		return false
	}
	fmaLoop(n)
	return true
}

// Packing primitives in assembly; see their Go counterparts in pack.go.
// k8 counts blocks of eight columns; the wrappers below leave the rest of
// the columns to the Go versions.
//
//go:noescape
func packRows24AVX(dst, src *float32, ld, k, slivers int)

//go:noescape
func packCols24AVX(dst, src *float32, ld, k8 int)

//go:noescape
func packA4AVX(dst, src *float32, ld, k8 int)

// packRows24 is packRows24Go, in assembly when the CPU allows.
func packRows24(dst, src []float32, ld, k, slivers int) {
	if !hasFMA || k == 0 || slivers == 0 {
		packRows24Go(dst, src, ld, k, slivers)
		return
	}
	_ = dst[slivers*k*nr-1]
	_ = src[(k-1)*ld+slivers*nr-1]
	packRows24AVX(&dst[0], &src[0], ld, k, slivers)
}

// packCols24 is packCols24Go, in assembly when the CPU allows.
func packCols24(dst, src []float32, ld, k int) {
	k8 := k / 8
	if !hasFMA || k8 == 0 {
		packCols24Go(dst, src, ld, k)
		return
	}
	_ = dst[k*nr-1]
	_ = src[(nr-1)*ld+k-1]
	packCols24AVX(&dst[0], &src[0], ld, k8)
	if r := 8 * k8; r < k {
		packCols24Go(dst[r*nr:], src[r:], ld, k-r)
	}
}

// packA4 is packA4Go, in assembly when the CPU allows.
func packA4(dst, src []float32, ld, k int) {
	k8 := k / 8
	if !hasFMA || k8 == 0 {
		packA4Go(dst, src, ld, k)
		return
	}
	_ = dst[k*mr-1]
	_ = src[(mr-1)*ld+k-1]
	packA4AVX(&dst[0], &src[0], ld, k8)
	if r := 8 * k8; r < k {
		packA4Go(dst[r*mr:], src[r:], ld, k-r)
	}
}
