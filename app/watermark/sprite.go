package watermark

import "image"

// sprite is a coverage map in [0, 1] drawn in its own frame, before it is
// rotated and placed on a picture: a rasterised text line, a logo, or the
// dilated or blurred copy of one used for an outline or a shadow. Pixel
// (x, y) has its centre at (x+0.5, y+0.5) and value a[y*w+x].
type sprite struct {
	w, h int
	a    []float32
}

// newSprite returns a transparent sprite of w×h pixels.
func newSprite(w, h int) sprite {
	return sprite{w: w, h: h, a: make([]float32, w*h)}
}

// empty reports whether the sprite covers nothing.
func (s sprite) empty() bool {
	for _, v := range s.a {
		if v > 0 {
			return false
		}
	}
	return true
}

// maxAlpha combines mask into s with a per-pixel maximum: mask's pixel
// (mx, my) lands on s's pixel (mx+at.X, my+at.Y). Pixels falling outside s
// are dropped.
func (s sprite) maxAlpha(mask *image.Alpha, at image.Point) {
	b := mask.Rect
	for my := b.Min.Y; my < b.Max.Y; my++ {
		y := my - b.Min.Y + at.Y
		if y < 0 || y >= s.h {
			continue
		}
		row := mask.Pix[(my-b.Min.Y)*mask.Stride:]
		for mx := b.Min.X; mx < b.Max.X; mx++ {
			x := mx - b.Min.X + at.X
			if x < 0 || x >= s.w {
				continue
			}
			v := float32(row[mx-b.Min.X]) / 255
			if i := y*s.w + x; v > s.a[i] {
				s.a[i] = v
			}
		}
	}
}

// dilated returns a copy of s grown by r pixels in every direction (a
// maximum filter over a (2r+1)² square, applied separably), the shape of an
// outline drawn around the glyphs. Coverage that would leave the frame is
// dropped, so s needs r pixels of transparent padding.
func (s sprite) dilated(r int) sprite {
	tmp := newSprite(s.w, s.h)
	for y := range s.h {
		row, out := s.a[y*s.w:(y+1)*s.w], tmp.a[y*s.w:(y+1)*s.w]
		for x := range s.w {
			var m float32
			for k := max(0, x-r); k <= min(s.w-1, x+r); k++ {
				m = max(m, row[k])
			}
			out[x] = m
		}
	}
	dst := newSprite(s.w, s.h)
	for x := range s.w {
		for y := range s.h {
			var m float32
			for k := max(0, y-r); k <= min(s.h-1, y+r); k++ {
				m = max(m, tmp.a[k*s.w+x])
			}
			dst.a[y*s.w+x] = m
		}
	}
	return dst
}

// blurred returns a copy of s smoothed by a (2r+1)² box filter applied
// separably, which softens edges the way a blurred or feathered mark looks.
// r = 0 returns s itself.
func (s sprite) blurred(r int) sprite {
	if r <= 0 {
		return s
	}
	norm := 1 / float32(2*r+1)
	tmp := newSprite(s.w, s.h)
	for y := range s.h {
		row, out := s.a[y*s.w:(y+1)*s.w], tmp.a[y*s.w:(y+1)*s.w]
		for x := range s.w {
			var sum float32
			for k := max(0, x-r); k <= min(s.w-1, x+r); k++ {
				sum += row[k]
			}
			out[x] = sum * norm
		}
	}
	dst := newSprite(s.w, s.h)
	for x := range s.w {
		for y := range s.h {
			var sum float32
			for k := max(0, y-r); k <= min(s.h-1, y+r); k++ {
				sum += tmp.a[k*s.w+x]
			}
			dst.a[y*s.w+x] = min(sum*norm, 1)
		}
	}
	return dst
}

// at samples s bilinearly at the point (x, y) of its frame; the sprite is
// transparent outside its w×h pixels.
func (s sprite) at(x, y float64) float32 {
	fx, fy := x-0.5, y-0.5
	if fx <= -1 || fy <= -1 || fx >= float64(s.w) || fy >= float64(s.h) {
		return 0
	}
	x0, y0 := floor(fx), floor(fy)
	tx, ty := float32(fx-float64(x0)), float32(fy-float64(y0))
	var v00, v10, v01, v11 float32
	if x0 >= 0 && y0 >= 0 && x0+1 < s.w && y0+1 < s.h {
		i := y0*s.w + x0
		v00, v10, v01, v11 = s.a[i], s.a[i+1], s.a[i+s.w], s.a[i+s.w+1]
	} else {
		v00, v10 = s.pixel(x0, y0), s.pixel(x0+1, y0)
		v01, v11 = s.pixel(x0, y0+1), s.pixel(x0+1, y0+1)
	}
	top := v00 + tx*(v10-v00)
	bottom := v01 + tx*(v11-v01)
	return top + ty*(bottom-top)
}

// pixel returns the coverage of pixel (x, y), 0 outside the sprite.
func (s sprite) pixel(x, y int) float32 {
	if x < 0 || y < 0 || x >= s.w || y >= s.h {
		return 0
	}
	return s.a[y*s.w+x]
}
