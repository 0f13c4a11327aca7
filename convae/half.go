package convae

import "math"

// IEEE 754 half precision (binary16): 1 sign bit, 5 exponent bits (bias
// 15), 10 fraction bits. Models saved with Model.Half hold their
// parameters this way: half the size, and a relative rounding error of at
// most 2⁻¹¹, far below what changes a picture.

// maxHalf is the largest finite half-precision value.
const maxHalf = 65504

// toHalf returns the half-precision value nearest to f (ties to even).
// Values beyond maxHalf become infinities; callers check the range first.
func toHalf(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23&0xff) - 127
	frac := b & 0x7fffff
	switch {
	case exp == 128: // Inf or NaN
		if frac != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	case exp > 15:
		return sign | 0x7c00
	case exp >= -14: // normal
		h := uint32(exp+15)<<10 | frac>>13
		return sign | uint16(roundHalfEven(h, frac&0x1fff, 0x1000))
	case exp >= -25: // subnormal: the implicit 1 joins the fraction
		m := frac | 0x800000
		// f = m·2^(exp−23) and a subnormal half counts units of 2⁻²⁴,
		// so the half's fraction is m shifted right by −exp − 1.
		shift := uint(-exp - 1)
		dropped := m & (1<<shift - 1)
		return sign | uint16(roundHalfEven(m>>shift, dropped, 1<<(shift-1)))
	}
	return sign // underflows to zero
}

// roundHalfEven rounds the truncated value v up when the dropped bits are
// above half an ulp, or exactly half and v is odd. A carry into the
// exponent is what rounding up the largest fraction should give.
func roundHalfEven(v, dropped, half uint32) uint32 {
	if dropped > half || (dropped == half && v&1 == 1) {
		v++
	}
	return v
}

// fromHalf returns the float32 value of the half-precision value h, exactly.
func fromHalf(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	case exp != 0:
		return math.Float32frombits(sign | (exp+112)<<23 | frac<<13)
	case frac == 0:
		return math.Float32frombits(sign)
	}
	// Subnormal: frac·2⁻²⁴, exact in float32.
	v := float32(frac) * (1.0 / (1 << 24))
	if sign != 0 {
		v = -v
	}
	return v
}
