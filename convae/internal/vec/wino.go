package vec

// The 1-D transforms of Winograd's F(4, 3) (Lavin and Gray, 2016), applied
// element-wise to six (or four) vectors at once, and the four-way
// (de)interleaving that lays rows out for them.
//
//	Bᵀ = | 4  0 -5  0  1  0 |    Aᵀ = | 1  1  1  1  1  0 |
//	     | 0 -4 -4  1  1  0 |         | 0  1 -1  2 -2  0 |
//	     | 0  4 -4 -1  1  0 |         | 0  1  1  4  4  0 |
//	     | 0 -2 -1  2  1  0 |         | 0  1 -1  8 -8  1 |
//	     | 0  2 -1 -2  1  0 |
//	     | 0  4  0 -5  0  1 |
//
// On amd64 with AVX2 the assembly takes blocks of 8 values (of 8 groups
// of 4 for the (de)interleaves) and the Go loops the rest. The assembly
// fuses multiplications and additions, so WinogradIn's first and last
// rows may differ from the Go loop's in the last bit.

// WinogradIn sets dst[k][i] = Σⱼ Bᵀ[k][j]·src[j][i] for i < len(dst[0]):
// the input transform of F(4, 3) along one direction. Every dst[k] and
// src[j] must hold at least len(dst[0]) values; a dst may not overlap a
// src.
func WinogradIn(dst, src *[6][]float32) {
	n := len(dst[0])
	m := 0
	if hasAVX2 && n >= 8 {
		// Check every length before the assembly writes anything.
		for k := range dst {
			_, _ = dst[k][:n], src[k][:n]
		}
		m = n &^ 7
		winogradInAVX2(dst, src, m)
	}
	winogradInGo(dst, src, m)
}

// WinogradOut sets dst[k][i] = Σⱼ Aᵀ[k][j]·src[j][i] for i < len(dst[0]):
// the output transform of F(4, 3) along one direction. Every dst[k] and
// src[j] must hold at least len(dst[0]) values; a dst may not overlap a
// src.
func WinogradOut(dst *[4][]float32, src *[6][]float32) {
	n := len(dst[0])
	m := 0
	if hasAVX2 && n >= 8 {
		for k := range dst {
			_ = dst[k][:n]
		}
		for j := range src {
			_ = src[j][:n]
		}
		m = n &^ 7
		winogradOutAVX2(dst, src, m)
	}
	winogradOutGo(dst, src, m)
}

// Deinterleave4 sets dst[k][i] = src[4i+k] for i < len(src)/4. It panics
// if a dst[k] is shorter than that.
func Deinterleave4(dst *[4][]float32, src []float32) {
	n := len(src) / 4
	if hasAVX2 && n >= 8 {
		d0, d1, d2, d3 := dst[0][:n], dst[1][:n], dst[2][:n], dst[3][:n]
		m := n &^ 7
		deinterleave4AVX2(&d0[0], &d1[0], &d2[0], &d3[0], &src[0], m)
		deinterleave4Go(&[4][]float32{d0[m:], d1[m:], d2[m:], d3[m:]}, src[4*m:4*n])
		return
	}
	deinterleave4Go(dst, src)
}

// Interleave4 sets dst[4i+k] = src[k][i] for i < len(dst)/4. It panics if
// a src[k] is shorter than that.
func Interleave4(dst []float32, src *[4][]float32) {
	n := len(dst) / 4
	if hasAVX2 && n >= 8 {
		s0, s1, s2, s3 := src[0][:n], src[1][:n], src[2][:n], src[3][:n]
		m := n &^ 7
		interleave4AVX2(&dst[0], &s0[0], &s1[0], &s2[0], &s3[0], m)
		interleave4Go(dst[4*m:4*n], &[4][]float32{s0[m:], s1[m:], s2[m:], s3[m:]})
		return
	}
	interleave4Go(dst, src)
}

// winogradInGo is WinogradIn on the values from lo on.
func winogradInGo(dst, src *[6][]float32, lo int) {
	n := len(dst[0])
	d0, d1, d2, d3, d4, d5 := dst[0][lo:n], dst[1][lo:n], dst[2][lo:n], dst[3][lo:n], dst[4][lo:n], dst[5][lo:n]
	s0, s1, s2, s3, s4, s5 := src[0][lo:n], src[1][lo:n], src[2][lo:n], src[3][lo:n], src[4][lo:n], src[5][lo:n]
	for i := range d0 {
		a, b, c, d, e := s0[i], s1[i], s2[i], s3[i], s4[i]
		d0[i] = 4*a - 5*c + e
		p, q := e-4*c, d-4*b
		d1[i] = p + q
		d2[i] = p - q
		r, u := e-c, 2*(d-b)
		d3[i] = r + u
		d4[i] = r - u
		d5[i] = 4*b - 5*d + s5[i]
	}
}

// winogradOutGo is WinogradOut on the values from lo on.
func winogradOutGo(dst *[4][]float32, src *[6][]float32, lo int) {
	n := len(dst[0])
	d0, d1, d2, d3 := dst[0][lo:n], dst[1][lo:n], dst[2][lo:n], dst[3][lo:n]
	s0, s1, s2, s3, s4, s5 := src[0][lo:n], src[1][lo:n], src[2][lo:n], src[3][lo:n], src[4][lo:n], src[5][lo:n]
	for i := range d0 {
		p, m := s1[i]+s2[i], s1[i]-s2[i]
		q, r := s3[i]+s4[i], s3[i]-s4[i]
		d0[i] = s0[i] + p + q
		d1[i] = m + 2*r
		d2[i] = p + 4*q
		d3[i] = m + 8*r + s5[i]
	}
}

func deinterleave4Go(dst *[4][]float32, src []float32) {
	n := len(src) / 4
	d0, d1, d2, d3 := dst[0][:n], dst[1][:n], dst[2][:n], dst[3][:n]
	for i := range d0 {
		d0[i], d1[i], d2[i], d3[i] = src[4*i], src[4*i+1], src[4*i+2], src[4*i+3]
	}
}

func interleave4Go(dst []float32, src *[4][]float32) {
	n := len(dst) / 4
	s0, s1, s2, s3 := src[0][:n], src[1][:n], src[2][:n], src[3][:n]
	for i := range s0 {
		dst[4*i], dst[4*i+1], dst[4*i+2], dst[4*i+3] = s0[i], s1[i], s2[i], s3[i]
	}
}
