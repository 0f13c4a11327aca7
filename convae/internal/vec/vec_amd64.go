//go:build amd64 && !purego

package vec

import "golang.org/x/sys/cpu"

// hasAVX2 selects the assembly loops; it is fixed at start-up.
var hasAVX2 = cpu.X86.HasAVX2

//go:noescape
func biasActAVX2(v []float32, bias, slope float32)

//go:noescape
func actGradAVX2(y, dy []float32, slope float32)

//go:noescape
func addAVX2(dst, src []float32)

//go:noescape
func sumAVX2(dst, a, b *float32, n int)

//go:noescape
func subAVX2(dst, a, b *float32, n int)

//go:noescape
func sum3AVX2(dst, a, b, c *float32, n int)

//go:noescape
func diff3AVX2(dst, a, b, c *float32, n int)

// deinterleaveAVX2 and interleaveAVX2 work on n pairs, n a multiple of 8.
//
//go:noescape
func deinterleaveAVX2(even, odd, src *float32, n int)

//go:noescape
func interleaveAVX2(dst, even, odd *float32, n int)

// gatherEvenAVX2 and addEvenAVX2 work on n values of the packed side, n a
// multiple of 8, and touch 2n values of the strided one.
//
//go:noescape
func gatherEvenAVX2(dst, src *float32, n int)

//go:noescape
func addEvenAVX2(dst, src *float32, n int)
