package watermark

import (
	"errors"
	"fmt"
	"image"
	"math"
	"math/rand/v2"

	"diabolo/app/picture"
)

// ErrSizeMismatch is wrapped by the errors returned when a picture and a
// mark, or two pictures of a collection, differ in size.
var ErrSizeMismatch = errors.New("size mismatch")

// Mark is a visible watermark laid over a picture of a given size: at pixel
// i it blends the colour (Colour[i], Colour[n+i], Colour[2n+i]) with opacity
// Alpha[i] over the picture, n = Width*Height:
//
//	out = (1 − Alpha)·img + Alpha·Colour
//
// the alpha-blending model of Dekel et al. (CVPR 2017). A mark made of
// several layers (a text over its outline or shadow) is stored as the single
// equivalent layer, so Colour varies from pixel to pixel.
type Mark struct {
	Width, Height int
	// Alpha holds Width*Height opacities in [0, 1]; 0 leaves a pixel as it
	// is.
	Alpha []float32
	// Colour holds three planes of Width*Height straight (not
	// premultiplied) colour values in [0, 1], laid out like picture.Image's
	// Pix; it is 0 where Alpha is 0.
	Colour []float32
}

// newMark returns a fully transparent mark of the given size.
func newMark(width, height int) *Mark {
	n := width * height
	return &Mark{Width: width, Height: height, Alpha: make([]float32, n), Colour: make([]float32, picture.Channels*n)}
}

// checkSize returns an error wrapping ErrSizeMismatch unless img has the
// mark's size.
func (m *Mark) checkSize(img *picture.Image) error {
	if img.Width != m.Width || img.Height != m.Height {
		return fmt.Errorf("watermark: %w: picture is %dx%d, mark is %dx%d",
			ErrSizeMismatch, img.Width, img.Height, m.Width, m.Height)
	}
	return nil
}

// Apply blends m over the colour planes of img in place. Pixels where Alpha
// is 0 are left exactly as they are; img.Alpha is never touched. On a gray
// picture (img.Gray) the mark's luma is blended instead of its colour, so the
// picture stays gray. The error wraps ErrSizeMismatch if img and m differ in
// size.
func (m *Mark) Apply(img *picture.Image) error {
	if err := m.checkSize(img); err != nil {
		return err
	}
	n := m.Width * m.Height
	r, g, b := img.Plane(0), img.Plane(1), img.Plane(2)
	for i, a := range m.Alpha {
		if a == 0 {
			continue
		}
		cr, cg, cb := m.Colour[i], m.Colour[n+i], m.Colour[2*n+i]
		if img.Gray {
			cr = luma(cr, cg, cb)
			cg, cb = cr, cr
		}
		r[i] = clamp01((1-a)*r[i] + a*cr)
		g[i] = clamp01((1-a)*g[i] + a*cg)
		b[i] = clamp01((1-a)*b[i] + a*cb)
	}
	return nil
}

// maxRemovableAlpha is the opacity above which Remove no longer divides by
// 1 − α: the underlying picture is then all but lost, and the division would
// only amplify quantisation noise.
const maxRemovableAlpha = 0.98

// Remove undoes Apply on img in place, inverting the blend:
//
//	img = (J − Alpha·Colour) / (1 − Alpha)
//
// clamped to [0, 1], with Alpha capped at 0.98 where it is higher. Pixels
// where Alpha is 0 are left exactly as they are. On a gray picture the
// mark's luma is used, as in Apply. The error wraps ErrSizeMismatch if img
// and m differ in size.
func (m *Mark) Remove(img *picture.Image) error {
	if err := m.checkSize(img); err != nil {
		return err
	}
	n := m.Width * m.Height
	r, g, b := img.Plane(0), img.Plane(1), img.Plane(2)
	for i, a := range m.Alpha {
		if a == 0 {
			continue
		}
		a = min(a, maxRemovableAlpha)
		cr, cg, cb := m.Colour[i], m.Colour[n+i], m.Colour[2*n+i]
		if img.Gray {
			cr = luma(cr, cg, cb)
			cg, cb = cr, cr
		}
		inv := 1 / (1 - a)
		r[i] = clamp01((r[i] - a*cr) * inv)
		g[i] = clamp01((g[i] - a*cg) * inv)
		b[i] = clamp01((b[i] - a*cb) * inv)
	}
	return nil
}

// Coverage returns the fraction of pixels whose Alpha exceeds threshold.
func (m *Mark) Coverage(threshold float32) float64 {
	var count int
	for _, a := range m.Alpha {
		if a > threshold {
			count++
		}
	}
	return float64(count) / float64(len(m.Alpha))
}

// MeanAlpha returns the mean opacity over all pixels.
func (m *Mark) MeanAlpha() float64 {
	var sum float64
	for _, a := range m.Alpha {
		sum += float64(a)
	}
	return sum / float64(len(m.Alpha))
}

// Bounds returns the smallest rectangle holding every pixel where Alpha is
// above threshold, or the empty rectangle if there is none.
func (m *Mark) Bounds(threshold float32) image.Rectangle {
	return alphaBounds(m.Alpha, m.Width, m.Height, threshold)
}

// alphaBounds returns the smallest rectangle holding every value of the
// w×h plane a above threshold.
func alphaBounds(a []float32, w, h int, threshold float32) image.Rectangle {
	r := image.Rectangle{Min: image.Pt(w, h)}
	for y := range h {
		for x, v := range a[y*w : (y+1)*w] {
			if v > threshold {
				r.Min.X, r.Min.Y = min(r.Min.X, x), min(r.Min.Y, y)
				r.Max.X, r.Max.Y = max(r.Max.X, x+1), max(r.Max.Y, y+1)
			}
		}
	}
	if r.Empty() {
		return image.Rectangle{}
	}
	return r
}

// layer is one sprite of a mark, drawn with one colour and opacity, shifted
// by (dx, dy) in the sprite's frame (a shadow's offset) before placement.
type layer struct {
	sprite  sprite
	colour  [3]float32
	opacity float32
	dx, dy  float64
}

// placement says where a mark's layers land on the picture: rotated by angle
// (radians; positive turns clockwise on screen, where y grows downwards)
// about their centre, which lands on
// (cx, cy); or, when tiled, repeated over the whole picture on a lattice of
// cellW×cellH cells in the rotated frame, odd rows shifted by stagger·cellW.
type placement struct {
	angle        float64
	cx, cy       float64
	tiled        bool
	cellW, cellH float64
	stagger      float64
}

// composite draws the layers, bottom first, into m, which holds
// premultiplied colour until finish is called: each layer of coverage a and
// colour c updates P = a·c + (1−a)·P and α = a + (1−a)·α, the result of
// blending the layers one after the other. Each picture pixel is mapped
// into the mark's frame once and every layer sampled there.
func (m *Mark) composite(layers []layer, p placement) {
	sin, cos := math.Sincos(-p.angle)
	n := m.Width * m.Height
	x0, y0, x1, y1 := 0, 0, m.Width, m.Height
	// reachU and reachV bound |u| and |v| in the mark's frame wherever a
	// layer may cover something.
	var reachU, reachV float64
	for _, l := range layers {
		reachU = max(reachU, float64(l.sprite.w)/2+math.Abs(l.dx)+1)
		reachV = max(reachV, float64(l.sprite.h)/2+math.Abs(l.dy)+1)
	}
	if !p.tiled {
		x0, y0, x1, y1 = p.footprint(reachU, reachV, m.Width, m.Height)
	}
	invW, invH := 1/p.cellW, 1/p.cellH
	for y := y0; y < y1; y++ {
		py := float64(y) + 0.5 - p.cy
		px := float64(x0) + 0.5 - p.cx
		// The point's coordinates in the mark's frame, stepped along the row.
		u0 := cos*px - sin*py
		v0 := sin*px + cos*py
		for x := x0; x < x1; x, u0, v0 = x+1, u0+cos, v0+sin {
			u, v := u0, v0
			if p.tiled {
				// Map to the same point of the lattice cell around the origin.
				row := float64(floor(v*invH + 0.5))
				v -= row * p.cellH
				u -= row * p.stagger * p.cellW
				u -= float64(floor(u*invW+0.5)) * p.cellW
			}
			if math.Abs(u) > reachU || math.Abs(v) > reachV {
				continue
			}
			i := y*m.Width + x
			for k := range layers {
				l := &layers[k]
				a := l.opacity * l.sprite.at(u+float64(l.sprite.w)/2-l.dx, v+float64(l.sprite.h)/2-l.dy)
				if a <= 0 {
					continue
				}
				for c := range picture.Channels {
					m.Colour[c*n+i] = a*l.colour[c] + (1-a)*m.Colour[c*n+i]
				}
				m.Alpha[i] = a + (1-a)*m.Alpha[i]
			}
		}
	}
}

// floor returns the largest integer not above x, which must be within the
// range of int; faster than math.Floor where that is not a machine
// instruction.
func floor(x float64) int {
	i := int(x)
	if float64(i) > x {
		i--
	}
	return i
}

// footprint returns the pixel rectangle [x0, x1)×[y0, y1) of a w×h picture
// that a mark reaching reachU and reachV from its centre, along its own
// axes, can cover once rotated and placed.
func (p placement) footprint(reachU, reachV float64, w, h int) (x0, y0, x1, y1 int) {
	sin, cos := math.Sincos(p.angle)
	ex := math.Abs(cos)*reachU + math.Abs(sin)*reachV
	ey := math.Abs(sin)*reachU + math.Abs(cos)*reachV
	x0 = max(0, floor(p.cx-ex))
	y0 = max(0, floor(p.cy-ey))
	x1 = min(w, floor(p.cx+ex)+1)
	y1 = min(h, floor(p.cy+ey)+1)
	return x0, y0, max(x0, x1), max(y0, y1)
}

// finish turns the premultiplied colour left by composite into straight
// colour.
func (m *Mark) finish() {
	n := m.Width * m.Height
	for i, a := range m.Alpha {
		if a <= 0 {
			continue
		}
		for c := range picture.Channels {
			m.Colour[c*n+i] = clamp01(m.Colour[c*n+i] / a)
		}
	}
}

// luma returns the Rec. 601 luma of a colour.
func luma(r, g, b float32) float32 {
	return 0.299*r + 0.587*g + 0.114*b
}

// clamp01 limits v to [0, 1].
func clamp01(v float32) float32 {
	return min(max(v, 0), 1)
}

// windowTries is how many random pixels of its bounds window tries to find
// one that the mark covers.
const windowTries = 32

// window returns a w×h part of m (no larger than m) showing part of the
// mark when there is one: a marked pixel is drawn at random and lands at
// a random place of the window.
func (m *Mark) window(w, h int, rng *rand.Rand) *Mark {
	w, h = min(w, m.Width), min(h, m.Height)
	x, y := rng.IntN(m.Width), rng.IntN(m.Height)
	if b := m.Bounds(0); !b.Empty() {
		for range windowTries {
			x, y = b.Min.X+rng.IntN(b.Dx()), b.Min.Y+rng.IntN(b.Dy())
			if m.Alpha[y*m.Width+x] > 0 {
				break
			}
		}
	}
	x0 := min(max(x-rng.IntN(w), 0), m.Width-w)
	y0 := min(max(y-rng.IntN(h), 0), m.Height-h)
	out := newMark(w, h)
	n, on := m.Width*m.Height, w*h
	for r := 0; r < h; r++ {
		src := (y0+r)*m.Width + x0
		copy(out.Alpha[r*w:(r+1)*w], m.Alpha[src:src+w])
		for c := 0; c < picture.Channels; c++ {
			copy(out.Colour[c*on+r*w:c*on+(r+1)*w], m.Colour[c*n+src:c*n+src+w])
		}
	}
	return out
}
