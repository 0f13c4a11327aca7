//go:build amd64 && !purego

package vec

// winogradInAVX2 and winogradOutAVX2 transform the first n values, n a
// multiple of 8, of the vectors in dst and src, which must all hold that
// many: the caller checks.
//
//go:noescape
func winogradInAVX2(dst, src *[6][]float32, n int)

//go:noescape
func winogradOutAVX2(dst *[4][]float32, src *[6][]float32, n int)

// deinterleave4AVX2 and interleave4AVX2 work on n groups of 4, n a
// multiple of 8.
//
//go:noescape
func deinterleave4AVX2(d0, d1, d2, d3, src *float32, n int)

//go:noescape
func interleave4AVX2(dst, s0, s1, s2, s3 *float32, n int)
