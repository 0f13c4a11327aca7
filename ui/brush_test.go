package ui

import (
	"image"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// newTestBrush returns a compare view in a 900×400 test window showing a
// 400×300 marked image for watermark removal, its brush available with an
// empty mask to paint on, of the given radius, and turned on.
func newTestBrush(t *testing.T, radius float64) (*compareView, *brushMask) {
	t.Helper()
	test.NewTempApp(t)
	c := newCompareView()
	w := test.NewTempWindow(t, c.content)
	w.Resize(fyne.NewSize(900, 400))
	p := newPyramid(numbered(400, 300))
	c.show(&frame{kind: kindWatermark, width: 400, height: 300, panes: [3]*pyramid{p, nil, nil}})
	c.setBrushAvailable(true)
	mask := newBrushMask(400, 300, maskKey{}, 1)
	c.brush.setMask(mask)
	c.brush.setRadius(radius)
	c.brush.toggle.SetChecked(true)
	return c, mask
}

// dragAlong sends pane p the events of a drag through points (positions in
// the pane), then its end, as Fyne's driver does: each event carries the
// position reached and the move since the previous one.
func dragAlong(p *zoomPane, points ...fyne.Position) {
	for i := 1; i < len(points); i++ {
		d := points[i].Subtract(points[i-1])
		p.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: points[i]}, Dragged: fyne.NewDelta(d.X, d.Y)})
	}
	p.DragEnd()
}

// paintedAlong returns the mask that a brush of the given radius paints
// along the path of image points: the pixels whose centre lies within
// radius of one of its segments.
func paintedAlong(w, h int, path []point, radius float64) []bool {
	want := make([]bool, w*h)
	for y := range h {
		for x := range w {
			cx, cy := float64(x)+0.5, float64(y)+0.5
			for i := 1; i < len(path); i++ {
				a, b := path[i-1], path[i]
				// Closest point of the segment, by projection.
				dx, dy := b.X-a.X, b.Y-a.Y
				t := 0.0
				if dx != 0 || dy != 0 {
					t = math.Max(0, math.Min(1, ((cx-a.X)*dx+(cy-a.Y)*dy)/(dx*dx+dy*dy)))
				}
				if math.Hypot(cx-a.X-t*dx, cy-a.Y-t*dy) <= radius {
					want[y*w+x] = true
				}
			}
		}
	}
	return want
}

func TestBrushPaintsImagePixelsUnderZoomAndPan(t *testing.T) {
	tests := []struct {
		name   string
		zoom   func(c *compareView)
		radius float64
		path   []fyne.Position // in the pane, logical pixels
	}{
		{"100%", func(c *compareView) { c.zoomActual() }, 3,
			[]fyne.Position{{X: 40, Y: 50}, {X: 70, Y: 50}, {X: 70, Y: 90}}},
		{"200%, panned", func(c *compareView) { c.zoomDouble(); c.group.panBy(-57, 31) }, 4,
			[]fyne.Position{{X: 30, Y: 40}, {X: 61, Y: 77}, {X: 120, Y: 80}}},
		{"200%, panned, one-pixel brush", func(c *compareView) { c.zoomDouble(); c.group.panBy(90, -45) }, 1,
			[]fyne.Position{{X: 100, Y: 100}, {X: 103, Y: 140}}},
		{"fit", func(c *compareView) { c.zoomFit() }, 6,
			[]fyne.Position{{X: 20, Y: 60}, {X: 150, Y: 61}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mask := newTestBrush(t, tt.radius)
			tt.zoom(c)
			pane := c.panes[0]
			v := *c.group.view
			before := pane.render(int(pane.Size().Width), int(pane.Size().Height)).(*image.NRGBA)

			dragAlong(pane, tt.path...)

			if *c.group.view != v {
				t.Errorf("painting moved the view: %+v → %+v", v, *c.group.view)
			}
			// The test window's canvas has one physical pixel per logical
			// pixel: image point = origin + position / scale.
			path := make([]point, len(tt.path))
			for i, p := range tt.path {
				path[i] = point{v.origin.X + float64(p.X)/v.scale, v.origin.Y + float64(p.Y)/v.scale}
			}
			want := paintedAlong(400, 300, path, tt.radius)
			wrong, painted := 0, 0
			for i, w := range want {
				if w {
					painted++
				}
				if (mask.pix[i] != 0) != w {
					wrong++
					if wrong <= 5 {
						t.Errorf("pixel (%d, %d) painted = %v, want %v", i%400, i/400, mask.pix[i] != 0, w)
					}
				}
			}
			if wrong > 0 || painted == 0 || mask.painted != painted {
				t.Fatalf("%d pixels wrong; %d painted, want %d", wrong, mask.painted, painted)
			}
			if len(mask.history) != 1 {
				t.Errorf("one drag made %d undoable strokes, want 1", len(mask.history))
			}

			// The overlay tints the screen pixels under the strokes, and
			// only those.
			after := pane.render(int(pane.Size().Width), int(pane.Size().Height)).(*image.NRGBA)
			for _, p := range tt.path {
				x, y := int(p.X), int(p.Y)
				b, a := before.NRGBAAt(x, y), after.NRGBAAt(x, y)
				wantTint := blendByte(b.R, maskTint.R, uint32(maskTint.A))
				if a.R != wantTint || a.B != blendByte(b.B, maskTint.B, uint32(maskTint.A)) {
					t.Errorf("screen pixel (%d, %d) under the stroke shows %v, want %v tinted magenta", x, y, a, b)
				}
			}
			far := fyne.NewPos(pane.Size().Width-3, pane.Size().Height-3)
			if before.NRGBAAt(int(far.X), int(far.Y)) != after.NRGBAAt(int(far.X), int(far.Y)) {
				t.Error("a screen pixel far from the stroke changed")
			}
		})
	}
}

func TestBrushOffDragPans(t *testing.T) {
	c, mask := newTestBrush(t, 5)
	c.zoomDouble()
	c.brush.toggle.SetChecked(false)
	origin := c.group.view.origin
	dragAlong(c.panes[0], fyne.NewPos(100, 100), fyne.NewPos(60, 80))
	if !mask.empty() {
		t.Errorf("a drag with the brush off painted %d pixels", mask.painted)
	}
	if c.group.view.origin == origin {
		t.Error("a drag with the brush off did not pan")
	}
}

func TestBrushTapPaintsADab(t *testing.T) {
	c, mask := newTestBrush(t, 2)
	c.zoomActual()
	v := c.group.view
	at := fyne.NewPos(50, 60)
	c.panes[0].Tapped(&fyne.PointEvent{Position: at})
	centre := point{v.origin.X + 50, v.origin.Y + 60}
	want := paintedAlong(400, 300, []point{centre, centre}, 2)
	n := 0
	for i, w := range want {
		if w {
			n++
		}
		if w != (mask.pix[i] != 0) {
			t.Fatalf("pixel (%d, %d) painted = %v, want %v", i%400, i/400, mask.pix[i] != 0, w)
		}
	}
	if n == 0 {
		t.Fatal("the dab covers no pixel")
	}
}

func TestBrushOnlyForWatermarks(t *testing.T) {
	c, mask := newTestBrush(t, 5)
	c.setBrushAvailable(false)
	if c.brush.content.Visible() || c.brush.toggle.Checked {
		t.Error("the brush is shown or on for a task without masks")
	}
	dragAlong(c.panes[0], fyne.NewPos(100, 100), fyne.NewPos(120, 100))
	if !mask.empty() {
		t.Error("the hidden brush painted")
	}
}

func TestBrushTurnsToSideBySide(t *testing.T) {
	c, _ := newTestBrush(t, 5)
	c.brush.toggle.SetChecked(false)
	c.setMode(modeSlider)
	c.brush.toggle.SetChecked(true)
	if c.mode.Selected != modeSideBySide {
		t.Errorf("with the brush on the compare view shows %q, want the panes side by side", c.mode.Selected)
	}
}

func TestBrushMaskEdits(t *testing.T) {
	m := newBrushMask(20, 10, maskKey{}, 7)
	snapshot := func() []uint8 { return append([]uint8(nil), m.pix...) }
	equal := func(a, b []uint8) bool { return string(a) == string(b) }
	if m.state() != (maskState{}) || !m.empty() || m.snapshot() != nil {
		t.Fatal("a new mask is not empty")
	}

	m.beginStroke(point{5.5, 5.5}, 2, false)
	if !m.endStroke() || m.painted != 13 {
		t.Fatalf("a dab of radius 2 painted %d pixels, want 13", m.painted)
	}
	afterA, stateA := snapshot(), m.state()
	m.beginStroke(point{6.5, 5.5}, 2, false)
	m.extendStroke(point{15.5, 5.5}, 2, false)
	m.endStroke()
	stateB := m.state()
	if stateB == stateA || m.painted <= 13 {
		t.Fatalf("a second stroke left the state %v (painted %d)", stateB, m.painted)
	}
	m.beginStroke(point{5.5, 5.5}, 1, false) // paints nothing new
	if m.endStroke() || m.state() != stateB {
		t.Error("a stroke over painted pixels counted as an edit")
	}

	steps := []struct {
		name      string
		edit      func() bool
		wantOK    bool
		wantPix   []uint8
		wantState maskState
	}{
		{"undo the second stroke", m.undo, true, afterA, stateA},
		{"clear", m.clear, true, make([]uint8, 200), maskState{serial: 7, revision: 3}},
		{"clear again", m.clear, false, make([]uint8, 200), maskState{serial: 7, revision: 3}},
		{"undo the clear", m.undo, true, afterA, stateA},
		{"undo the first stroke", m.undo, true, make([]uint8, 200), maskState{}},
		{"nothing left to undo", m.undo, false, make([]uint8, 200), maskState{}},
	}
	for _, s := range steps {
		if ok := s.edit(); ok != s.wantOK {
			t.Errorf("%s: reported %v, want %v", s.name, ok, s.wantOK)
		}
		if !equal(m.pix, s.wantPix) || m.state() != s.wantState {
			t.Errorf("%s: state %v, painted %d; want state %v", s.name, m.state(), m.painted, s.wantState)
		}
	}
	if m.painted != 0 || m.snapshot() != nil || maskValues(m.snapshot()) != nil {
		t.Error("an empty mask gives a mask to restore with")
	}
}

func TestBrushMaskUndoLimit(t *testing.T) {
	m := newBrushMask(maxMaskUndo+10, 1, maskKey{}, 1)
	for x := range maxMaskUndo + 10 {
		m.beginStroke(point{float64(x) + 0.5, 0.5}, 0.5, false)
		m.endStroke()
	}
	for m.undo() {
	}
	if m.painted != 10 || m.state() == (maskState{}) {
		t.Errorf("after undoing all it can, %d pixels painted in state %v; want the 10 oldest strokes kept, in a state of their own", m.painted, m.state())
	}
}

func TestBrushMaskErase(t *testing.T) {
	m := newBrushMask(20, 10, maskKey{}, 3)
	m.beginStroke(point{3.5, 5.5}, 2, false)
	m.extendStroke(point{15.5, 5.5}, 2, false)
	m.endStroke()
	painted, stroked, state := m.painted, append([]uint8(nil), m.pix...), m.state()

	m.beginStroke(point{9.5, 5.5}, 2, true) // a dab of 13 pixels, all painted
	if !m.endStroke() || m.painted != painted-13 || m.at(9, 5) || !m.at(3, 5) {
		t.Fatalf("erasing a dab left %d pixels painted, want %d", m.painted, painted-13)
	}
	m.beginStroke(point{9.5, 0.5}, 1, true) // nothing painted there
	if m.endStroke() {
		t.Error("erasing unpainted pixels counted as an edit")
	}
	m.beginStroke(point{5.5, 5.5}, 1, false) // paints over the erased pixels?
	m.extendStroke(point{10.5, 5.5}, 1, false)
	if !m.endStroke() || !m.at(9, 5) {
		t.Error("painting over erased pixels did not paint them")
	}
	m.undo()
	if m.at(9, 5) {
		t.Error("undoing the repaint did not unpaint")
	}
	if !m.undo() || m.painted != painted || string(m.pix) != string(stroked) || m.state() != state {
		t.Errorf("undoing the erase: %d painted in state %v, want %d in %v", m.painted, m.state(), painted, state)
	}

	m.beginStroke(point{10, 5}, 50, true)
	if !m.endStroke() || !m.empty() || m.snapshot() != nil {
		t.Errorf("erasing everything left %d pixels painted", m.painted)
	}
}

func TestBrushErases(t *testing.T) {
	c, mask := newTestBrush(t, 4)
	c.zoomActual()
	path := []fyne.Position{{X: 40, Y: 50}, {X: 90, Y: 50}}
	dragAlong(c.panes[0], path...)
	painted := mask.painted
	if painted == 0 {
		t.Fatal("the drag painted nothing")
	}

	c.brush.toggle.SetChecked(false)
	c.brush.erase.SetChecked(true)
	if !c.brush.toggle.Checked {
		t.Error("choosing the eraser left the brush off")
	}
	dragAlong(c.panes[0], fyne.NewPos(30, 50), fyne.NewPos(100, 50))
	if !mask.empty() || len(mask.history) != 2 {
		t.Fatalf("erasing along the stroke left %d pixels painted, %d edits; want none painted, 2 edits", mask.painted, len(mask.history))
	}
	c.brush.undo()
	if mask.painted != painted {
		t.Errorf("undo after erasing: %d pixels painted, want %d", mask.painted, painted)
	}
	c.brush.erase.SetChecked(false)
	dragAlong(c.panes[0], fyne.NewPos(40, 120), fyne.NewPos(60, 120))
	if mask.painted <= painted {
		t.Error("with the eraser off again, a drag did not paint")
	}
}
