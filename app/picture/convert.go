package picture

import (
	"image"
	"image/color"
)

// unit8 maps an 8-bit sample to [0, 1]: unit8[v] == v/255.
var unit8 = func() (t [256]float32) {
	for i := range t {
		t[i] = float32(i) / 255
	}
	return t
}()

// FromImage converts src to an Image with straight (not premultiplied)
// colour. Alpha stays nil when src is opaque; Gray is set for Gray and
// Gray16 sources. 16-bit sources keep their precision. The common types
// (YCbCr, NYCbCrA, RGBA, NRGBA, RGBA64, NRGBA64, Gray, Gray16, Paletted,
// CMYK) are read directly from their pixel slices; others through At.
// FromImage panics if src has no pixels.
func FromImage(src image.Image) *Image {
	b := src.Bounds()
	m := New(b.Dx(), b.Dy())
	switch s := src.(type) {
	case *image.YCbCr:
		if !fromYCbCr(m, s) {
			fromAny(m, src)
		}
	case *image.NYCbCrA:
		if !fromYCbCr(m, &s.YCbCr) {
			fromAny(m, src)
		} else if !s.Opaque() {
			m.Alpha = make([]float32, m.Width*m.Height)
			fromPlane8(m.Alpha, m.Width, s.A[s.AOffset(b.Min.X, b.Min.Y):], s.AStride)
		}
	case *image.Gray:
		m.Gray = true
		fromPlane8(m.Plane(0), m.Width, s.Pix[s.PixOffset(b.Min.X, b.Min.Y):], s.Stride)
		copyFirstPlane(m)
	case *image.Gray16:
		m.Gray = true
		fromPlane16(m.Plane(0), m.Width, s.Pix[s.PixOffset(b.Min.X, b.Min.Y):], s.Stride)
		copyFirstPlane(m)
	case *image.NRGBA:
		fromRGBA8(m, s.Pix[s.PixOffset(b.Min.X, b.Min.Y):], s.Stride, false, s.Opaque())
	case *image.RGBA:
		fromRGBA8(m, s.Pix[s.PixOffset(b.Min.X, b.Min.Y):], s.Stride, true, s.Opaque())
	case *image.NRGBA64:
		fromRGBA16(m, s.Pix[s.PixOffset(b.Min.X, b.Min.Y):], s.Stride, false, s.Opaque())
	case *image.RGBA64:
		fromRGBA16(m, s.Pix[s.PixOffset(b.Min.X, b.Min.Y):], s.Stride, true, s.Opaque())
	case *image.Paletted:
		fromPaletted(m, s)
	case *image.CMYK:
		fromCMYK(m, s.Pix[s.PixOffset(b.Min.X, b.Min.Y):], s.Stride)
	default:
		fromAny(m, src)
	}
	return m
}

// copyFirstPlane copies the red plane of m to green and blue.
func copyFirstPlane(m *Image) {
	copy(m.Plane(1), m.Plane(0))
	copy(m.Plane(2), m.Plane(0))
}

// fromPlane8 fills the plane dst, w values a row, from 8-bit samples whose
// rows start every stride bytes in pix.
func fromPlane8(dst []float32, w int, pix []uint8, stride int) {
	for y := range len(dst) / w {
		row := pix[y*stride : y*stride+w]
		out := dst[y*w : (y+1)*w]
		for x, v := range row {
			out[x] = unit8[v]
		}
	}
}

// fromPlane16 is fromPlane8 for big-endian 16-bit samples.
func fromPlane16(dst []float32, w int, pix []uint8, stride int) {
	for y := range len(dst) / w {
		row := pix[y*stride : y*stride+2*w]
		out := dst[y*w : (y+1)*w]
		for x := range out {
			out[x] = float32(uint16(row[2*x])<<8|uint16(row[2*x+1])) / 0xffff
		}
	}
}

// fromYCbCr fills m from s with the 16-bit conversion of color.YCbCr, so
// the result matches s.At exactly. It reports false, doing nothing, for
// layouts it does not handle (unknown subsampling, negative coordinates).
func fromYCbCr(m *Image, s *image.YCbCr) bool {
	var hShift, vShift uint // log2 of the chroma subsampling
	switch s.SubsampleRatio {
	case image.YCbCrSubsampleRatio444:
	case image.YCbCrSubsampleRatio422:
		hShift = 1
	case image.YCbCrSubsampleRatio420:
		hShift, vShift = 1, 1
	case image.YCbCrSubsampleRatio440:
		vShift = 1
	case image.YCbCrSubsampleRatio411:
		hShift = 2
	case image.YCbCrSubsampleRatio410:
		hShift, vShift = 2, 1
	default:
		return false
	}
	b := s.Rect
	if b.Min.X < 0 || b.Min.Y < 0 {
		return false
	}
	w := m.Width
	red, green, blue := m.Plane(0), m.Plane(1), m.Plane(2)
	cx0 := b.Min.X >> hShift
	for y := b.Min.Y; y < b.Max.Y; y++ {
		lumaRow := s.Y[s.YOffset(b.Min.X, y):][:w]
		cRow := (y>>vShift - b.Min.Y>>vShift) * s.CStride
		cb, cr := s.Cb[cRow:], s.Cr[cRow:]
		o := (y - b.Min.Y) * w
		r, g, bl := red[o:o+w], green[o:o+w], blue[o:o+w]
		for i, luma := range lumaRow {
			// The arithmetic of color.YCbCr.RGBA, inlined by hand.
			ci := (b.Min.X+i)>>hShift - cx0
			yy := int32(luma) * 0x10101
			cb1 := int32(cb[ci]) - 128
			cr1 := int32(cr[ci]) - 128
			r[i] = float32(clamp16(yy+91881*cr1)) * (1.0 / 0xffff)
			g[i] = float32(clamp16(yy-22554*cb1-46802*cr1)) * (1.0 / 0xffff)
			bl[i] = float32(clamp16(yy+116130*cb1)) * (1.0 / 0xffff)
		}
	}
	return true
}

// clamp16 returns v>>8 limited to [0, 0xffff], as color.YCbCr.RGBA does.
func clamp16(v int32) int32 {
	if uint32(v)&0xff000000 == 0 {
		return v >> 8
	}
	return ^(v >> 31) & 0xffff
}

// fromRGBA8 fills m from 8-bit interleaved RGBA samples whose rows start
// every stride bytes in pix. premultiplied says whether the colour is
// premultiplied by alpha; opaque that every alpha is the maximum.
func fromRGBA8(m *Image, pix []uint8, stride int, premultiplied, opaque bool) {
	w, h := m.Width, m.Height
	red, green, blue := m.Plane(0), m.Plane(1), m.Plane(2)
	if !opaque {
		m.Alpha = make([]float32, w*h)
	}
	for y := range h {
		row := pix[y*stride : y*stride+4*w]
		o := y * w
		for x := range w {
			p := row[4*x : 4*x+4 : 4*x+4]
			i := o + x
			a := p[3]
			switch {
			case opaque:
				red[i], green[i], blue[i] = unit8[p[0]], unit8[p[1]], unit8[p[2]]
			case !premultiplied || a == 0xff:
				red[i], green[i], blue[i] = unit8[p[0]], unit8[p[1]], unit8[p[2]]
				m.Alpha[i] = unit8[a]
			case a != 0:
				fa := float32(a)
				red[i], green[i], blue[i] = straight(float32(p[0]), fa), straight(float32(p[1]), fa), straight(float32(p[2]), fa)
				m.Alpha[i] = unit8[a]
			}
			// Fully transparent premultiplied pixels keep black and alpha 0.
		}
	}
}

// fromRGBA16 is fromRGBA8 for big-endian 16-bit samples.
func fromRGBA16(m *Image, pix []uint8, stride int, premultiplied, opaque bool) {
	w, h := m.Width, m.Height
	red, green, blue := m.Plane(0), m.Plane(1), m.Plane(2)
	if !opaque {
		m.Alpha = make([]float32, w*h)
	}
	for y := range h {
		row := pix[y*stride : y*stride+8*w]
		o := y * w
		for x := range w {
			p := row[8*x : 8*x+8 : 8*x+8]
			r := float32(uint16(p[0])<<8 | uint16(p[1]))
			g := float32(uint16(p[2])<<8 | uint16(p[3]))
			bl := float32(uint16(p[4])<<8 | uint16(p[5]))
			a := float32(uint16(p[6])<<8 | uint16(p[7]))
			i := o + x
			if premultiplied && !opaque {
				if a > 0 {
					red[i], green[i], blue[i] = straight(r, a), straight(g, a), straight(bl, a)
				}
			} else {
				red[i], green[i], blue[i] = r/0xffff, g/0xffff, bl/0xffff
			}
			if !opaque {
				m.Alpha[i] = a / 0xffff
			}
		}
	}
}

// straight returns a premultiplied colour sample c divided by its positive
// alpha a (both on the same scale), capped at 1 for invalid data.
func straight(c, a float32) float32 {
	return min(c/a, 1)
}

// fromPaletted fills m from a paletted image. Indices beyond the palette
// read as opaque black, as a missing colour.
func fromPaletted(m *Image, s *image.Paletted) {
	var table [256][4]float32 // straight red, green, blue, alpha
	opaque := true
	for i := range table {
		table[i][3] = 1
		if i < len(s.Palette) {
			table[i] = straightColor(s.Palette[i])
		}
	}
	b := s.Rect
	w := m.Width
	red, green, blue := m.Plane(0), m.Plane(1), m.Plane(2)
	alpha := make([]float32, w*m.Height)
	for y := range m.Height {
		row := s.Pix[s.PixOffset(b.Min.X, b.Min.Y+y):][:w]
		o := y * w
		for x, idx := range row {
			c := &table[idx]
			red[o+x], green[o+x], blue[o+x], alpha[o+x] = c[0], c[1], c[2], c[3]
			opaque = opaque && c[3] == 1
		}
	}
	if !opaque {
		m.Alpha = alpha
	}
}

// fromCMYK fills m from 8-bit CMYK samples whose rows start every stride
// bytes in pix, with the conversion of color.CMYK: each of red, green and
// blue is (1 - c)(1 - k) for its ink c.
func fromCMYK(m *Image, pix []uint8, stride int) {
	w := m.Width
	red, green, blue := m.Plane(0), m.Plane(1), m.Plane(2)
	for y := range m.Height {
		row := pix[y*stride : y*stride+4*w]
		o := y * w
		for x := range w {
			p := row[4*x : 4*x+4 : 4*x+4]
			white := 1 - unit8[p[3]]
			i := o + x
			red[i] = (1 - unit8[p[0]]) * white
			green[i] = (1 - unit8[p[1]]) * white
			blue[i] = (1 - unit8[p[2]]) * white
		}
	}
}

// fromAny fills m from any image through At, the slow general path.
func fromAny(m *Image, src image.Image) {
	b := src.Bounds()
	w := m.Width
	red, green, blue := m.Plane(0), m.Plane(1), m.Plane(2)
	alpha := make([]float32, w*m.Height)
	opaque := true
	for y := range m.Height {
		for x := range w {
			c := straightColor(src.At(b.Min.X+x, b.Min.Y+y))
			i := y*w + x
			red[i], green[i], blue[i], alpha[i] = c[0], c[1], c[2], c[3]
			opaque = opaque && c[3] == 1
		}
	}
	if !opaque {
		m.Alpha = alpha
	}
}

// straightColor returns c as straight red, green, blue and alpha in [0, 1].
func straightColor(c color.Color) [4]float32 {
	if c == nil {
		return [4]float32{0, 0, 0, 1}
	}
	r, g, b, a := c.RGBA()
	if a == 0 {
		return [4]float32{}
	}
	fa := float32(a)
	return [4]float32{straight(float32(r), fa), straight(float32(g), fa), straight(float32(b), fa), fa / 0xffff}
}

// ToNRGBA returns m as an 8-bit image with straight alpha, each value
// clamped to [0, 1] and rounded to the nearest level; opaque when m.Alpha is
// nil.
func (m *Image) ToNRGBA() *image.NRGBA {
	out := image.NewNRGBA(image.Rect(0, 0, m.Width, m.Height))
	red, green, blue := m.Plane(0), m.Plane(1), m.Plane(2)
	for i := range red {
		p := out.Pix[4*i : 4*i+4 : 4*i+4]
		p[0], p[1], p[2], p[3] = to8(red[i]), to8(green[i]), to8(blue[i]), 0xff
		if m.Alpha != nil {
			p[3] = to8(m.Alpha[i])
		}
	}
	return out
}

// ToNRGBA64 is ToNRGBA with 16 bits a sample.
func (m *Image) ToNRGBA64() *image.NRGBA64 {
	out := image.NewNRGBA64(image.Rect(0, 0, m.Width, m.Height))
	red, green, blue := m.Plane(0), m.Plane(1), m.Plane(2)
	for i := range red {
		p := out.Pix[8*i : 8*i+8 : 8*i+8]
		put16(p[0:2], red[i])
		put16(p[2:4], green[i])
		put16(p[4:6], blue[i])
		if m.Alpha != nil {
			put16(p[6:8], m.Alpha[i])
		} else {
			p[6], p[7] = 0xff, 0xff
		}
	}
	return out
}

// toGray returns the luma of m (Rec. 601 weights, as color.GrayModel), which
// equals each plane when the three planes are equal.
func (m *Image) toGray() *image.Gray {
	out := image.NewGray(image.Rect(0, 0, m.Width, m.Height))
	red, green, blue := m.Plane(0), m.Plane(1), m.Plane(2)
	for i := range out.Pix {
		out.Pix[i] = to8(luma(red[i], green[i], blue[i]))
	}
	return out
}

// toGray16 is toGray with 16 bits a sample.
func (m *Image) toGray16() *image.Gray16 {
	out := image.NewGray16(image.Rect(0, 0, m.Width, m.Height))
	red, green, blue := m.Plane(0), m.Plane(1), m.Plane(2)
	for i := range red {
		put16(out.Pix[2*i:2*i+2], luma(red[i], green[i], blue[i]))
	}
	return out
}

// toRGBA returns the colour of m as an opaque 8-bit image, ignoring alpha.
func (m *Image) toRGBA() *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, m.Width, m.Height))
	red, green, blue := m.Plane(0), m.Plane(1), m.Plane(2)
	for i := range red {
		p := out.Pix[4*i : 4*i+4 : 4*i+4]
		p[0], p[1], p[2], p[3] = to8(red[i]), to8(green[i]), to8(blue[i]), 0xff
	}
	return out
}

// luma weighs red, green and blue as the Rec. 601 luma; the weights sum to 1,
// so equal inputs come out unchanged.
func luma(r, g, b float32) float32 {
	if r == g && g == b {
		return r
	}
	return 0.299*r + 0.587*g + 0.114*b
}

// to8 clamps v to [0, 1] and rounds it to the nearest of 256 levels; NaN
// gives 0.
func to8(v float32) uint8 {
	if !(v > 0) {
		return 0
	}
	if v >= 1 {
		return 0xff
	}
	return uint8(v*0xff + 0.5)
}

// put16 stores v, clamped to [0, 1] and rounded to the nearest of 65536
// levels, big-endian in p[0:2]; NaN gives 0.
func put16(p []uint8, v float32) {
	var u uint16
	switch {
	case !(v > 0):
	case v >= 1:
		u = 0xffff
	default:
		u = uint16(v*0xffff + 0.5)
	}
	p[0], p[1] = uint8(u>>8), uint8(u)
}
