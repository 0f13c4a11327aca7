package ui

import (
	"image"
	"math"

	"golang.org/x/image/draw"

	"diabolo/app/picture"
)

// Rendering the compare view.
//
// The panes do not hand whole photos to the GPU as textures: a 12-megapixel
// photo is a 48 MB texture per pane, and three of them (plus the slider's
// two) at every zoom change would strain modest graphics drivers. Instead
// each pane is a canvas.Raster that renders just the visible crop, one output
// pixel per screen pixel, into an image.NRGBA the size of the pane. Sampling
// is nearest-neighbour, so at 100% and above every image pixel maps to an
// exact block of screen pixels. Below 100% the crop is sampled from a
// pyramid of box-filtered halvings (built once per image, in the
// background), so zoomed-out views are smooth rather than aliased. The cost
// of a redraw is proportional to the pane's size, not to the photo's.

// minPyramidSide is the size below which no further halvings are made.
const minPyramidSide = 32

// pyramid holds an image and its successive halvings: levels[0] is the full
// image, levels[k] has 1/2^k of its width and height (rounded up).
// A pyramid is immutable once built and may be read from any goroutine.
type pyramid struct {
	levels []*image.NRGBA
}

// newPyramid builds the pyramid of src, which it keeps as level 0.
func newPyramid(src *image.NRGBA) *pyramid {
	p := &pyramid{levels: []*image.NRGBA{src}}
	for {
		b := p.levels[len(p.levels)-1].Bounds()
		if b.Dx() <= minPyramidSide && b.Dy() <= minPyramidSide {
			return p
		}
		p.levels = append(p.levels, halve(p.levels[len(p.levels)-1]))
	}
}

// size returns the size of the full image.
func (p *pyramid) size() (w, h int) {
	b := p.levels[0].Bounds()
	return b.Dx(), b.Dy()
}

// halve returns src at half its width and height (rounded up), each pixel the
// alpha-weighted mean of the 2×2 block (or smaller block at an odd edge) it
// covers.
func halve(src *image.NRGBA) *image.NRGBA {
	sb := src.Bounds()
	w, h := (sb.Dx()+1)/2, (sb.Dy()+1)/2
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			var r, g, b, a, n uint32
			for dy := range 2 {
				sy := 2*y + dy
				if sy >= sb.Dy() {
					break
				}
				for dx := range 2 {
					sx := 2*x + dx
					if sx >= sb.Dx() {
						break
					}
					i := src.PixOffset(sb.Min.X+sx, sb.Min.Y+sy)
					pa := uint32(src.Pix[i+3])
					r += uint32(src.Pix[i]) * pa
					g += uint32(src.Pix[i+1]) * pa
					b += uint32(src.Pix[i+2]) * pa
					a += pa
					n++
				}
			}
			o := dst.PixOffset(x, y)
			if a > 0 {
				dst.Pix[o] = uint8((r + a/2) / a)
				dst.Pix[o+1] = uint8((g + a/2) / a)
				dst.Pix[o+2] = uint8((b + a/2) / a)
			}
			dst.Pix[o+3] = uint8((a + n/2) / n)
		}
	}
	return dst
}

// level returns the pyramid level to sample at scale (screen pixels per image
// pixel) and its size relative to the full image: the coarsest level that
// still has at least one pixel per screen pixel.
func (p *pyramid) level(scale float64) (*image.NRGBA, float64) {
	k := 0
	for k+1 < len(p.levels) && math.Exp2(float64(k+1))*scale <= 1 {
		k++
	}
	return p.levels[k], math.Exp2(float64(-k))
}

// renderInto draws, into columns [x0, x1) of dst, the part of p's image that
// viewport v shows there, with nearest-neighbour sampling. dst is assumed to
// be the view (its top-left pixel is the view's top-left pixel). Pixels
// outside the image are left untouched.
func (p *pyramid) renderInto(dst *image.NRGBA, v *viewport, x0, x1 int) {
	if p == nil || v.scale <= 0 {
		return
	}
	src, f := p.level(v.scale)
	sw, sh := src.Bounds().Dx(), src.Bounds().Dy()
	db := dst.Bounds()
	x0, x1 = max(x0, 0), min(x1, db.Dx())
	if x0 >= x1 {
		return
	}
	// Source column of each destination column, -1 outside the image.
	cols := make([]int, x1-x0)
	for i := range cols {
		sx := math.Floor((v.origin.X + (float64(x0+i)+0.5)/v.scale) * f)
		cols[i] = -1
		if sx >= 0 && sx < float64(sw) {
			cols[i] = int(sx) * 4
		}
	}
	for y := range db.Dy() {
		sy := math.Floor((v.origin.Y + (float64(y)+0.5)/v.scale) * f)
		if sy < 0 || sy >= float64(sh) {
			continue
		}
		srow := src.Pix[int(sy)*src.Stride:]
		drow := dst.Pix[y*dst.Stride+x0*4:]
		for i, sx := range cols {
			if sx >= 0 {
				copy(drow[i*4:i*4+4], srow[sx:sx+4])
			}
		}
	}
}

// thumbnail returns src scaled down (never up) to fit in a side×side square,
// keeping its aspect ratio.
func thumbnail(src *image.NRGBA, side int) *image.NRGBA {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= side && h <= side {
		return src
	}
	// Halve first, cheaply and without aliasing, then finish with a bilinear
	// resample.
	for w >= 4*side && h >= 4*side {
		src = halve(src)
		b = src.Bounds()
		w, h = b.Dx(), b.Dy()
	}
	tw, th := side, side
	if w > h {
		th = max(1, int(math.Round(float64(h)*float64(side)/float64(w))))
	} else {
		tw = max(1, int(math.Round(float64(w)*float64(side)/float64(h))))
	}
	dst := image.NewNRGBA(image.Rect(0, 0, tw, th))
	draw.BiLinear.Scale(dst, dst.Bounds(), src, b, draw.Src, nil)
	return dst
}

// residual returns an image of what separates a from b, amplified by gain:
// with signed set, mid-grey plus the signed difference a−b (the noise a
// denoiser removed); otherwise the absolute difference on black (what a
// watermark remover changed). a and b must have the same size.
func residual(a, b *picture.Image, gain float32, signed bool) *picture.Image {
	out := picture.New(a.Width, a.Height)
	for i := range out.Pix {
		d := (a.Pix[i] - b.Pix[i]) * gain
		if signed {
			d += 0.5
		} else if d < 0 {
			d = -d
		}
		out.Pix[i] = d
	}
	out.Clamp()
	return out
}
