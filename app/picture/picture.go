// Package picture holds decoded photos as planar float32 colour channels, the
// form in which the rest of Diabolo reads and writes pixels.
package picture

import (
	"fmt"
	"image"
)

// Image is a decoded photo: three planar colour channels (red, green, blue)
// in [0, 1], laid out channel-major exactly like one item of an NCHW tensor,
// so Pix can be handed to the network without copying.
//
// Pix[c*Width*Height + y*Width + x] is channel c of pixel (x, y).
type Image struct {
	Width, Height int
	// Pix holds 3*Width*Height values in [0, 1].
	Pix []float32
	// Alpha holds Width*Height opacity values in [0, 1], or is nil for an
	// opaque image. Alpha is carried through processing, never denoised.
	Alpha []float32
	// Gray reports that the source had a single luminance channel; the three
	// colour planes are then equal and encoders may write one channel back.
	Gray bool
}

// Channels is the number of colour planes in every Image.
const Channels = 3

// New returns an opaque black image of the given size.
// It panics if a side is not positive.
func New(width, height int) *Image {
	if width <= 0 || height <= 0 {
		panic(fmt.Sprintf("picture: bad size %dx%d", width, height))
	}
	return &Image{Width: width, Height: height, Pix: make([]float32, Channels*width*height)}
}

// Plane returns the Width*Height values of channel c (0 red, 1 green, 2 blue).
func (m *Image) Plane(c int) []float32 {
	n := m.Width * m.Height
	return m.Pix[c*n : (c+1)*n : (c+1)*n]
}

// Clone returns a deep copy of m.
func (m *Image) Clone() *Image {
	c := *m
	c.Pix = append([]float32(nil), m.Pix...)
	if m.Alpha != nil {
		c.Alpha = append([]float32(nil), m.Alpha...)
	}
	return &c
}

// SameSize reports whether m and o have the same width and height.
func (m *Image) SameSize(o *Image) bool {
	return m.Width == o.Width && m.Height == o.Height
}

// Clamp limits every colour value of m to [0, 1] in place.
func (m *Image) Clamp() {
	for i, v := range m.Pix {
		if v < 0 {
			m.Pix[i] = 0
		} else if v > 1 {
			m.Pix[i] = 1
		}
	}
}

// Quantize rounds every colour value of m to the nearest of the 256 levels of
// an 8-bit file, after clamping to [0, 1], so an in-memory image matches what
// saving it as an 8-bit PNG and reading it back would give.
func (m *Image) Quantize() {
	for i, v := range m.Pix {
		if v < 0 {
			v = 0
		} else if v > 1 {
			v = 1
		}
		m.Pix[i] = float32(int(v*255+0.5)) / 255
	}
}

// Bounds returns the rectangle m covers, from (0, 0).
func (m *Image) Bounds() image.Rectangle { return image.Rect(0, 0, m.Width, m.Height) }

// Crop returns a copy of the part of m inside r, alpha included. It panics
// if r is empty or not within m.Bounds().
func (m *Image) Crop(r image.Rectangle) *Image {
	if r.Empty() || !r.In(m.Bounds()) {
		panic(fmt.Sprintf("picture: crop %v of a %dx%d image", r, m.Width, m.Height))
	}
	out := New(r.Dx(), r.Dy())
	out.Gray = m.Gray
	if m.Alpha != nil {
		out.Alpha = make([]float32, r.Dx()*r.Dy())
	}
	copyRect(out, m, image.Rectangle{Max: r.Size()}, r.Min)
	return out
}

// Paste copies src, alpha included where both have it, into m with src's
// top-left corner at at. It panics if src does not fit inside m there.
func (m *Image) Paste(src *Image, at image.Point) {
	r := src.Bounds().Add(at)
	if !r.In(m.Bounds()) {
		panic(fmt.Sprintf("picture: paste of a %dx%d image at %v into a %dx%d one", src.Width, src.Height, at, m.Width, m.Height))
	}
	copyRect(m, src, r, image.Point{})
}

// copyRect copies the pixels of src from origin from on into the
// rectangle r of dst, row by row: colour planes, and alpha where both
// images have it.
func copyRect(dst, src *Image, r image.Rectangle, from image.Point) {
	dn, sn := dst.Width*dst.Height, src.Width*src.Height
	for y := r.Min.Y; y < r.Max.Y; y++ {
		d := y*dst.Width + r.Min.X
		s := (from.Y+y-r.Min.Y)*src.Width + from.X
		for c := 0; c < Channels; c++ {
			copy(dst.Pix[c*dn+d:c*dn+d+r.Dx()], src.Pix[c*sn+s:c*sn+s+r.Dx()])
		}
		if dst.Alpha != nil && src.Alpha != nil {
			copy(dst.Alpha[d:d+r.Dx()], src.Alpha[s:s+r.Dx()])
		}
	}
}
