//go:build !amd64 || purego

package vec

const hasAVX2 = false

func biasActAVX2(v []float32, bias, slope float32) { biasActGo(v, bias, slope) }
func actGradAVX2(y, dy []float32, slope float32)   { actGradGo(y, dy, slope) }
func addAVX2(dst, src []float32)                   { addGo(dst, src) }

func sumAVX2(dst, a, b *float32, n int)               { panic("vec: no AVX2") }
func subAVX2(dst, a, b *float32, n int)               { panic("vec: no AVX2") }
func sum3AVX2(dst, a, b, c *float32, n int)           { panic("vec: no AVX2") }
func diff3AVX2(dst, a, b, c *float32, n int)          { panic("vec: no AVX2") }
func deinterleaveAVX2(even, odd, src *float32, n int) { panic("vec: no AVX2") }
func interleaveAVX2(dst, even, odd *float32, n int)   { panic("vec: no AVX2") }
func gatherEvenAVX2(dst, src *float32, n int)         { panic("vec: no AVX2") }
func addEvenAVX2(dst, src *float32, n int)            { panic("vec: no AVX2") }
