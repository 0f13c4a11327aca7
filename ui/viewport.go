package ui

import "math"

// Zoom limits and steps shared by every view of an image.
const (
	maxScale  = 64.0       // 1 image pixel as 64×64 screen pixels
	zoomStep  = math.Sqrt2 // one press of + or −
	wheelUnit = 100.0      // scroll distance that doubles the scale
	zoomFloor = 1.0 / 4096 // smallest scale, for views smaller than a pixel
)

// point is a position in screen pixels or image pixels, depending on use.
type point struct{ X, Y float64 }

// rect is an axis-aligned rectangle, Min inclusive, Max exclusive.
type rect struct{ Min, Max point }

// viewport maps between the pixels of an image and the pixels of a view that
// shows it zoomed and panned. It is plain data: every pane of the compare view
// shares one viewport, so they zoom and pan together.
//
// Screen coordinates are physical pixels relative to the view's top-left
// corner; image coordinates are pixels of the full-resolution image, (0, 0)
// being the top-left corner of its first pixel.
type viewport struct {
	imgW, imgH   float64 // image size in pixels, 0 when there is no image
	viewW, viewH float64 // view size in screen pixels
	scale        float64 // screen pixels per image pixel
	origin       point   // image point shown at the view's top-left corner
	fit          bool    // the scale follows the view size
}

// newViewport returns a viewport in Fit mode.
func newViewport() *viewport {
	return &viewport{fit: true, scale: 1}
}

// setImage sets the size of the image shown. A new size refits the view; the
// same size (the next photo of a series, or a restored version) keeps the
// zoom and position, so that views can be compared.
func (v *viewport) setImage(w, h int) {
	if float64(w) == v.imgW && float64(h) == v.imgH {
		return
	}
	v.imgW, v.imgH = float64(w), float64(h)
	v.setFit()
}

// resize sets the size of the view in screen pixels, keeping the image point
// at the view's centre in place (or refitting in Fit mode).
func (v *viewport) resize(w, h float64) {
	if w == v.viewW && h == v.viewH {
		return
	}
	c := v.toImage(point{v.viewW / 2, v.viewH / 2})
	v.viewW, v.viewH = w, h
	if v.fit {
		v.setFit()
		return
	}
	v.origin = point{c.X - w/2/v.scale, c.Y - h/2/v.scale}
	v.clamp()
}

// fitScale returns the scale at which the whole image fits in the view.
func (v *viewport) fitScale() float64 {
	if v.imgW <= 0 || v.imgH <= 0 || v.viewW <= 0 || v.viewH <= 0 {
		return 1
	}
	return math.Max(math.Min(v.viewW/v.imgW, v.viewH/v.imgH), zoomFloor)
}

// minScale returns the smallest scale allowed: the fit scale, or 100% for an
// image smaller than the view.
func (v *viewport) minScale() float64 {
	return math.Min(v.fitScale(), 1)
}

// setFit shows the whole image, centred, and keeps doing so when the view is
// resized.
func (v *viewport) setFit() {
	v.fit = true
	v.scale = v.fitScale()
	v.clamp()
}

// setScale zooms to scale s (1 is 100%) about the centre of the view.
func (v *viewport) setScale(s float64) {
	v.zoomAt(point{v.viewW / 2, v.viewH / 2}, s/v.scale)
}

// zoomAt multiplies the scale by factor, within limits, keeping the image
// point under the screen point p where it is (the mouse wheel zooms about
// the cursor). Clamping may move it when the zoomed image no longer covers
// the view.
func (v *viewport) zoomAt(p point, factor float64) {
	if factor <= 0 || math.IsNaN(factor) || math.IsInf(factor, 0) {
		return
	}
	anchor := v.toImage(p)
	v.scale = math.Min(math.Max(v.scale*factor, v.minScale()), maxScale)
	v.fit = false
	v.origin = point{anchor.X - p.X/v.scale, anchor.Y - p.Y/v.scale}
	v.clamp()
}

// panBy moves the image by (dx, dy) screen pixels, as a drag does.
func (v *viewport) panBy(dx, dy float64) {
	v.origin.X -= dx / v.scale
	v.origin.Y -= dy / v.scale
	v.clamp()
}

// clamp keeps the image covering the view along each axis where it is larger
// than the view, and centres it along the axes where it is smaller.
func (v *viewport) clamp() {
	v.origin.X = clampAxis(v.origin.X, v.imgW, v.viewW/v.scale)
	v.origin.Y = clampAxis(v.origin.Y, v.imgH, v.viewH/v.scale)
}

// clampAxis returns the origin o limited so that a visible extent of span
// image pixels stays within an image of size n, or centred if span ≥ n.
func clampAxis(o, n, span float64) float64 {
	if span >= n {
		return (n - span) / 2
	}
	return math.Min(math.Max(o, 0), n-span)
}

// toImage converts a screen point to image coordinates.
func (v *viewport) toImage(p point) point {
	return point{v.origin.X + p.X/v.scale, v.origin.Y + p.Y/v.scale}
}

// toScreen converts an image point to screen coordinates.
func (v *viewport) toScreen(p point) point {
	return point{(p.X - v.origin.X) * v.scale, (p.Y - v.origin.Y) * v.scale}
}

// visible returns the part of the image plane shown in the view, in image
// coordinates; it extends beyond the image where the image is smaller than
// the view.
func (v *viewport) visible() rect {
	return rect{v.origin, v.toImage(point{v.viewW, v.viewH})}
}

// wheelFactor converts a vertical scroll distance (as Fyne reports it,
// positive away from the user) to a zoom factor.
func wheelFactor(dy float64) float64 {
	return math.Exp2(dy / wheelUnit)
}
