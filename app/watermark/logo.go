package watermark

import (
	"image"
	"image/draw"
	"math"
	"math/rand/v2"

	"golang.org/x/image/vector"
)

// shape is a kind of procedural logo outline.
type shape int

// The logo shapes. Training marks use circles, stars and rounded
// rectangles; held-out marks use rings and regular polygons.
const (
	shapeCircle shape = iota
	shapeStar
	shapeRoundRect
	shapeRing
	shapePolygon
)

// String returns the shape's name.
func (s shape) String() string {
	switch s {
	case shapeCircle:
		return "circle"
	case shapeStar:
		return "star"
	case shapeRoundRect:
		return "rounded rectangle"
	case shapeRing:
		return "ring"
	case shapePolygon:
		return "polygon"
	}
	return "unknown shape"
}

// trainingShapes are the logo shapes of training marks.
func trainingShapes() []shape { return []shape{shapeCircle, shapeStar, shapeRoundRect} }

// heldOutShapes are the logo shapes of held-out marks.
func heldOutShapes() []shape { return []shape{shapeRing, shapePolygon} }

// point is a vertex of a contour, in pixels of the sprite frame.
type point struct{ x, y float64 }

// circleSegments is the number of sides of the polygon standing for a circle:
// enough that no facet shows at logo sizes.
const circleSegments = 48

// regular returns the n vertices of a regular polygon of radius r centred on
// c, the first at angle phase; reversed lists them the other way round, which
// cuts a hole when drawn inside another contour.
func regular(c point, r float64, n int, phase float64, reversed bool) []point {
	pts := make([]point, n)
	for i := range n {
		k := i
		if reversed {
			k = n - i
		}
		t := phase + 2*math.Pi*float64(k)/float64(n)
		pts[i] = point{c.x + r*math.Cos(t), c.y + r*math.Sin(t)}
	}
	return pts
}

// star returns the 2n vertices of an n-pointed star centred on c.
func star(c point, outer, inner float64, n int, phase float64) []point {
	pts := make([]point, 2*n)
	for i := range 2 * n {
		r := outer
		if i%2 == 1 {
			r = inner
		}
		t := phase + math.Pi*float64(i)/float64(n)
		pts[i] = point{c.x + r*math.Cos(t), c.y + r*math.Sin(t)}
	}
	return pts
}

// roundRect returns the contour of the rectangle [x0, x1]×[y0, y1] with
// corners rounded to radius r.
func roundRect(x0, y0, x1, y1, r float64) []point {
	const steps = 8
	corners := [4]struct {
		c     point
		start float64
	}{
		{point{x1 - r, y0 + r}, -math.Pi / 2},
		{point{x1 - r, y1 - r}, 0},
		{point{x0 + r, y1 - r}, math.Pi / 2},
		{point{x0 + r, y0 + r}, math.Pi},
	}
	pts := make([]point, 0, 4*(steps+1))
	for _, k := range corners {
		for i := range steps + 1 {
			t := k.start + math.Pi/2*float64(i)/steps
			pts = append(pts, point{k.c.x + r*math.Cos(t), k.c.y + r*math.Sin(t)})
		}
	}
	return pts
}

// fill rasterises the contours, anti-aliased, into a w×h sprite. Contours
// wound in opposite directions cancel, so an inner reversed contour is a
// hole.
func fill(w, h int, contours ...[]point) sprite {
	z := vector.NewRasterizer(w, h)
	z.DrawOp = draw.Src
	for _, c := range contours {
		if len(c) < 3 {
			continue
		}
		z.MoveTo(float32(c[0].x), float32(c[0].y))
		for _, p := range c[1:] {
			z.LineTo(float32(p.x), float32(p.y))
		}
		z.ClosePath()
	}
	dst := image.NewAlpha(image.Rect(0, 0, w, h))
	z.Draw(dst, dst.Bounds(), image.Opaque, image.Point{})
	s := newSprite(w, h)
	s.maxAlpha(dst, image.Point{})
	return s
}

// drawShape rasterises a shape of kind k, about size pixels across, centred
// in a sprite with pad transparent pixels on every side. It also returns the
// radius of the disc inside the shape where initials fit.
func drawShape(k shape, size float64, pad int, rng *rand.Rand) (sprite, float64) {
	side := int(math.Ceil(size)) + 2*pad
	c := point{float64(side) / 2, float64(side) / 2}
	r := size / 2
	switch k {
	case shapeStar:
		n := 5 + rng.IntN(4)
		inner := r * (0.45 + 0.2*rng.Float64())
		return fill(side, side, star(c, r, inner, n, -math.Pi/2)), inner * 0.9
	case shapeRoundRect:
		aspect := 0.55 + 0.45*rng.Float64()
		hw, hh := r, r*aspect
		corner := min(hw, hh) * (0.15 + 0.5*rng.Float64())
		return fill(side, side, roundRect(c.x-hw, c.y-hh, c.x+hw, c.y+hh, corner)), hh * 0.9
	case shapeRing:
		inner := r * (0.55 + 0.25*rng.Float64())
		return fill(side, side, regular(c, r, circleSegments, 0, false), regular(c, inner, circleSegments, 0, true)), inner * 0.9
	case shapePolygon:
		n := 3 + rng.IntN(6)
		phase := rng.Float64() * 2 * math.Pi
		return fill(side, side, regular(c, r, n, phase, false)), r * math.Cos(math.Pi/float64(n)) * 0.8
	default:
		return fill(side, side, regular(c, r, circleSegments, 0, false)), r * 0.85
	}
}

// stamp combines the initials sprite text into the logo sprite logo, the
// box around the glyphs centred on the logo: knocked out of a filled shape,
// or added inside a ring.
func stamp(logo, text sprite, knockOut bool) {
	b := alphaBounds(text.a, text.w, text.h, 0)
	if b.Empty() {
		return
	}
	ox, oy := (logo.w-b.Dx())/2-b.Min.X, (logo.h-b.Dy())/2-b.Min.Y
	for y := b.Min.Y; y < b.Max.Y; y++ {
		ly := y + oy
		if ly < 0 || ly >= logo.h {
			continue
		}
		for x := b.Min.X; x < b.Max.X; x++ {
			lx := x + ox
			if lx < 0 || lx >= logo.w {
				continue
			}
			t, i := text.a[y*text.w+x], ly*logo.w+lx
			if knockOut {
				logo.a[i] *= 1 - t
			} else {
				logo.a[i] = max(logo.a[i], t)
			}
		}
	}
}
