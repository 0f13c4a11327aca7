package ui

import (
	"image"
	"image/color"
	"math"
)

// maxMaskUndo is how many edits of a mask (strokes and clears) can be
// undone; older ones are forgotten.
const maxMaskUndo = 100

// maskTint is the colour, and its opacity, of the painted pixels laid over
// the marked image.
var maskTint = color.NRGBA{R: 255, G: 0, B: 255, A: 102} // magenta at 40%

// maskKey names the image a brush mask was painted on: the synthetic
// corruption of a photo (none, for a photo that came marked) and its seed.
// The task is left out, since a photo without synthetic corruption is the
// same image for either task.
type maskKey struct {
	spec string
	seed uint64
}

// maskKeyOf returns the key of the image that the corruption c makes.
func maskKeyOf(c corruption) maskKey {
	if c.spec == "" {
		return maskKey{} // the photo as it is, whatever the seed
	}
	return maskKey{spec: c.spec, seed: c.seed}
}

// maskEdit is one edit of a mask, kept to undo it: the pixels it changed
// and the value they had before, and the number that names the mask's
// state after it.
type maskEdit struct {
	pixels []int32
	was    uint8
	id     uint64
}

// brushMask is what the user painted over the marked image of one photo,
// for the watermark remover: one byte per pixel, 1 where painted. It keeps
// its edits so that the last ones can be undone. Its revision names the
// state it is in, so that a result can tell whether it was made with the
// mask as it is (undoing the strokes made since brings the revision back).
// It is plain data, used on the UI goroutine only.
type brushMask struct {
	width, height int
	of            maskKey // the image painted on
	serial        uint64  // tells this mask from the others of its photo
	pix           []uint8
	painted       int // pixels set to 1

	history []maskEdit // undoable edits, oldest first
	base    uint64     // the revision below the oldest edit kept, 0 at first
	lastID  uint64     // the id of the latest edit made
	stroke  *maskEdit  // the stroke in progress, nil between strokes
	last    point      // the last point of the stroke in progress
}

// newBrushMask returns an empty mask of a width×height image, the one
// that key names; serial must differ from that of the photo's earlier
// masks.
func newBrushMask(width, height int, key maskKey, serial uint64) *brushMask {
	return &brushMask{width: width, height: height, of: key, serial: serial, pix: make([]uint8, width*height)}
}

// maskState names a state of a photo's brush mask, which a result records
// to tell whether it was made with the mask as it is. The zero value is
// "nothing painted": no mask, or a mask never edited.
type maskState struct {
	serial, revision uint64
}

// state returns the state m is in; the zero value for a nil m.
func (m *brushMask) state() maskState {
	if m == nil || m.revision() == 0 {
		return maskState{}
	}
	return maskState{serial: m.serial, revision: m.revision()}
}

// revision names the state of the mask: 0 before any edit (nothing
// painted), and a number of its own after each edit, which undoing the
// edits made since brings back.
func (m *brushMask) revision() uint64 {
	if len(m.history) == 0 {
		return m.base
	}
	return m.history[len(m.history)-1].id
}

// fits reports whether m was painted on a width×height image named key.
func (m *brushMask) fits(width, height int, key maskKey) bool {
	return m != nil && m.width == width && m.height == height && m.of == key
}

// empty reports whether nothing is painted.
func (m *brushMask) empty() bool { return m == nil || m.painted == 0 }

// at reports whether pixel (x, y) is painted; pixels outside are not.
func (m *brushMask) at(x, y int) bool {
	return x >= 0 && y >= 0 && x < m.width && y < m.height && m.pix[y*m.width+x] != 0
}

// beginStroke starts a stroke at image point at, painting a disc of the
// given radius (image pixels) there, or unpainting it when erase is set.
func (m *brushMask) beginStroke(at point, radius float64, erase bool) {
	m.endStroke()
	m.stroke = &maskEdit{was: 0}
	if erase {
		m.stroke.was = 1
	}
	m.last = at
	m.paintSegment(at, at, radius)
}

// extendStroke carries the stroke in progress on to image point to, as a
// line as wide as the brush so that fast drags leave no gaps. Without a
// stroke in progress it begins one, erasing when erase is set.
func (m *brushMask) extendStroke(to point, radius float64, erase bool) {
	if m.stroke == nil {
		m.beginStroke(to, radius, erase)
		return
	}
	m.paintSegment(m.last, to, radius)
	m.last = to
}

// endStroke ends the stroke in progress and reports whether it changed
// anything, in which case it can be undone.
func (m *brushMask) endStroke() bool {
	s := m.stroke
	m.stroke = nil
	if s == nil || len(s.pixels) == 0 {
		return false
	}
	m.record(*s)
	return true
}

// paintSegment paints (or, for an erasing stroke, unpaints) every pixel
// whose centre lies within radius of the segment from a to b (image
// coordinates), recording the pixels it changes in the stroke in progress.
func (m *brushMask) paintSegment(a, b point, radius float64) {
	radius = max(radius, 0.5) // at least the pixel under the pointer
	x0 := max(int(math.Floor(min(a.X, b.X)-radius)), 0)
	x1 := min(int(math.Ceil(max(a.X, b.X)+radius)), m.width-1)
	y0 := max(int(math.Floor(min(a.Y, b.Y)-radius)), 0)
	y1 := min(int(math.Ceil(max(a.Y, b.Y)+radius)), m.height-1)
	r2 := radius * radius
	was, change := m.stroke.was, 1-2*int(m.stroke.was) // +1 painting, -1 erasing
	for y := y0; y <= y1; y++ {
		for x := x0; x <= x1; x++ {
			i := y*m.width + x
			if m.pix[i] != was || distanceToSegment2(point{float64(x) + 0.5, float64(y) + 0.5}, a, b) > r2 {
				continue
			}
			m.pix[i] = 1 - was
			m.painted += change
			m.stroke.pixels = append(m.stroke.pixels, int32(i))
		}
	}
}

// distanceToSegment2 returns the squared distance from p to the segment
// from a to b.
func distanceToSegment2(p, a, b point) float64 {
	dx, dy := b.X-a.X, b.Y-a.Y
	t := 0.0
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t = min(max(((p.X-a.X)*dx+(p.Y-a.Y)*dy)/l2, 0), 1)
	}
	ex, ey := p.X-(a.X+t*dx), p.Y-(a.Y+t*dy)
	return ex*ex + ey*ey
}

// clear unpaints every pixel and reports whether any was painted. The
// clear can be undone like a stroke.
func (m *brushMask) clear() bool {
	m.endStroke()
	if m.painted == 0 {
		return false
	}
	edit := maskEdit{was: 1, pixels: make([]int32, 0, m.painted)}
	for i, v := range m.pix {
		if v != 0 {
			edit.pixels = append(edit.pixels, int32(i))
			m.pix[i] = 0
		}
	}
	m.painted = 0
	m.record(edit)
	return true
}

// record keeps edit for undo, under a new revision.
func (m *brushMask) record(edit maskEdit) {
	if len(m.history) == maxMaskUndo {
		m.base = m.history[0].id // no longer undoable
		m.history = append(m.history[:0], m.history[1:]...)
	}
	m.lastID++
	edit.id = m.lastID
	m.history = append(m.history, edit)
}

// undo reverts the last stroke (painting or erasing) or clear and reports
// whether there was one.
func (m *brushMask) undo() bool {
	m.endStroke()
	if len(m.history) == 0 {
		return false
	}
	edit := m.history[len(m.history)-1]
	m.history = m.history[:len(m.history)-1]
	for _, i := range edit.pixels {
		m.pix[i] = edit.was
	}
	if edit.was == 0 {
		m.painted -= len(edit.pixels)
	} else {
		m.painted += len(edit.pixels)
	}
	return true
}

// snapshot returns a copy of the painted pixels, or nil when nothing is
// painted.
func (m *brushMask) snapshot() []uint8 {
	if m.empty() {
		return nil
	}
	return append([]uint8(nil), m.pix...)
}

// maskValues converts painted pixels (as snapshot returns them) into the
// mask restore.Options takes: 1 where painted, 0 elsewhere; nil for nil.
func maskValues(pix []uint8) []float32 {
	if pix == nil {
		return nil
	}
	out := make([]float32, len(pix))
	for i, v := range pix {
		if v != 0 {
			out[i] = 1
		}
	}
	return out
}

// drawOver tints, in dst, the screen pixels that viewport v shows of
// painted image pixels, sampling as pyramid.renderInto does (the image
// pixel under each screen pixel's centre).
func (m *brushMask) drawOver(dst *image.NRGBA, v *viewport) {
	if m.empty() || v.scale <= 0 {
		return
	}
	db := dst.Bounds()
	cols := make([]int, db.Dx()) // image column of each screen column, -1 outside
	for x := range cols {
		ix := math.Floor(v.origin.X + (float64(x)+0.5)/v.scale)
		cols[x] = -1
		if ix >= 0 && ix < float64(m.width) {
			cols[x] = int(ix)
		}
	}
	a := uint32(maskTint.A)
	for y := range db.Dy() {
		iy := math.Floor(v.origin.Y + (float64(y)+0.5)/v.scale)
		if iy < 0 || iy >= float64(m.height) {
			continue
		}
		row := m.pix[int(iy)*m.width:]
		drow := dst.Pix[y*dst.Stride:]
		for x, ix := range cols {
			if ix < 0 || row[ix] == 0 {
				continue
			}
			px := drow[x*4 : x*4+4]
			px[0] = blendByte(px[0], maskTint.R, a)
			px[1] = blendByte(px[1], maskTint.G, a)
			px[2] = blendByte(px[2], maskTint.B, a)
			px[3] = blendByte(px[3], 255, a)
		}
	}
}

// blendByte returns under with over laid on it at opacity a/255.
func blendByte(under, over uint8, a uint32) uint8 {
	return uint8((uint32(under)*(255-a) + uint32(over)*a + 127) / 255)
}
