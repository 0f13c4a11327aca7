//go:build !amd64 || purego

package vec

func winogradInAVX2(dst, src *[6][]float32, n int)                { panic("vec: no AVX2") }
func winogradOutAVX2(dst *[4][]float32, src *[6][]float32, n int) { panic("vec: no AVX2") }
func deinterleave4AVX2(d0, d1, d2, d3, src *float32, n int)       { panic("vec: no AVX2") }
func interleave4AVX2(dst, s0, s1, s2, s3 *float32, n int)         { panic("vec: no AVX2") }
