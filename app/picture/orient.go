package picture

// orientation is the value of the EXIF/TIFF Orientation tag: how the stored
// pixels must be turned or mirrored to be shown upright. The names say where
// the first stored row and the first stored column are shown.
type orientation uint8

// The eight orientations of the EXIF standard.
const (
	topLeft     orientation = 1 // as stored
	topRight    orientation = 2 // mirrored left to right
	bottomRight orientation = 3 // turned 180°
	bottomLeft  orientation = 4 // mirrored top to bottom
	leftTop     orientation = 5 // mirrored along the main diagonal
	rightTop    orientation = 6 // turned 90° clockwise to be shown
	rightBottom orientation = 7 // mirrored along the other diagonal
	leftBottom  orientation = 8 // turned 90° counter-clockwise to be shown
)

// valid reports whether o is one of the eight orientations.
func (o orientation) valid() bool { return o >= topLeft && o <= leftBottom }

// swapsSides reports whether showing o upright exchanges width and height.
func (o orientation) swapsSides() bool { return o >= leftTop && o <= leftBottom }

// sourceWalk describes, for a stored plane of w×h values, where the shown
// image's pixels come from: start is the stored index of the shown pixel
// (0, 0); right and down are the stored index steps for one shown pixel to
// the right and one shown pixel down.
func (o orientation) sourceWalk(w, h int) (start, right, down int) {
	last := (h - 1) * w // first value of the last stored row
	switch o {
	case topRight:
		return w - 1, -1, w
	case bottomRight:
		return last + w - 1, -1, -w
	case bottomLeft:
		return last, 1, -w
	case leftTop:
		return 0, w, 1
	case rightTop:
		return last, -w, 1
	case rightBottom:
		return last + w - 1, -w, -1
	case leftBottom:
		return w - 1, w, -1
	}
	return 0, 1, w
}

// oriented returns m shown upright according to o: m itself for topLeft or
// an invalid o, otherwise a new image.
func (m *Image) oriented(o orientation) *Image {
	if o == topLeft || !o.valid() {
		return m
	}
	w, h := m.Width, m.Height
	if o.swapsSides() {
		w, h = h, w
	}
	out := &Image{Width: w, Height: h, Pix: make([]float32, len(m.Pix)), Gray: m.Gray}
	start, right, down := o.sourceWalk(m.Width, m.Height)
	for c := range Channels {
		remap(out.Plane(c), m.Plane(c), w, h, start, right, down)
	}
	if m.Alpha != nil {
		out.Alpha = make([]float32, len(m.Alpha))
		remap(out.Alpha, m.Alpha, w, h, start, right, down)
	}
	return out
}

// remap fills the w×h plane dst from src, walking src from start by right
// along a row of dst and by down from one row of dst to the next.
func remap(dst, src []float32, w, h, start, right, down int) {
	i := 0
	for y := range h {
		s := start + y*down
		for range w {
			dst[i] = src[s]
			s += right
			i++
		}
	}
}
