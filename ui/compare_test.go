package ui

import (
	"bytes"
	"image"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"diabolo/app/picture"
)

// newTestCompare returns a compare view in a 900×400 test window, showing
// the same 400×300 image in its three panes.
func newTestCompare(t *testing.T) (*compareView, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	c := newCompareView()
	w := test.NewTempWindow(t, c.content)
	w.Resize(fyne.NewSize(900, 400))
	p := newPyramid(numbered(400, 300))
	c.show(&frame{kind: kindSynthetic, width: 400, height: 300, panes: [3]*pyramid{p, p, p}})
	return c, w
}

// renders returns what each pane of c draws now.
func renders(c *compareView) [3][]byte {
	var out [3][]byte
	for i, p := range c.panes {
		s := p.Size()
		out[i] = p.render(int(s.Width), int(s.Height)).(*image.NRGBA).Pix
	}
	return out
}

// centre returns the absolute position of the centre of o.
func centre(o fyne.CanvasObject) fyne.Position {
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
	return pos.Add(fyne.NewPos(o.Size().Width/2, o.Size().Height/2))
}

func TestPanesStaySynchronised(t *testing.T) {
	tests := []struct {
		name   string
		act    func(c *compareView, w fyne.Window)
		zoomed bool // the scale changes
		panned bool // the origin changes at the same scale
	}{
		{"scroll on the left pane", func(c *compareView, w fyne.Window) {
			test.Scroll(w.Canvas(), centre(c.panes[0]), 0, 120)
		}, true, false},
		{"scroll on the right pane", func(c *compareView, w fyne.Window) {
			test.Scroll(w.Canvas(), centre(c.panes[2]), 0, 250)
		}, true, false},
		{"drag on the middle pane after zooming", func(c *compareView, w fyne.Window) {
			c.zoomActual()
			c.zoomIn()
			test.Drag(w.Canvas(), centre(c.panes[1]), -40, 25)
		}, true, true},
		{"zoom buttons", func(c *compareView, w fyne.Window) {
			c.zoomDouble()
		}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, w := newTestCompare(t)
			before := renders(c)
			scale, origin := c.group.view.scale, c.group.view.origin
			if !c.group.view.fit {
				t.Fatal("a new image is not fitted")
			}

			tt.act(c, w)

			v := c.group.view
			if zoomed := v.scale != scale; zoomed != tt.zoomed {
				t.Errorf("scale %v → %v, want zoomed = %v", scale, v.scale, tt.zoomed)
			}
			if tt.panned {
				c2, _ := newTestCompare(t)
				c2.zoomActual()
				c2.zoomIn()
				if v.origin == c2.group.view.origin {
					t.Errorf("origin %v did not move with the drag", v.origin)
				}
			} else if !tt.zoomed && v.origin != origin {
				t.Errorf("origin moved from %v to %v", origin, v.origin)
			}
			after := renders(c)
			for i := range after {
				if !bytes.Equal(after[i], after[0]) {
					t.Errorf("pane %d shows another part of the image than pane 0", i)
				}
				if bytes.Equal(after[i], before[i]) {
					t.Errorf("pane %d did not follow", i)
				}
			}
			if c.zoomLabel.Text == "Fit (100%)" || c.zoomLabel.Text == "" {
				t.Errorf("zoom label %q not updated", c.zoomLabel.Text)
			}
		})
	}
}

func TestSliderDividerDrag(t *testing.T) {
	c, w := newTestCompare(t)
	c.setMode(modeSlider)
	s := c.slider
	if s.Size().Width == 0 {
		t.Fatal("the slider pane is not laid out")
	}
	origin := c.group.view.origin
	scale := c.group.view.scale
	// A drag that starts on the divider moves it.
	pos := centre(s)
	test.Drag(w.Canvas(), pos.AddXY(0, 0), 0, 0) // grab without moving
	test.Drag(w.Canvas(), pos.AddXY(s.Size().Width/4, 0), s.Size().Width/4, 0)
	if s.split < 0.7 || s.split > 0.8 {
		t.Errorf("split = %v after dragging the divider a quarter width right, want 0.75", s.split)
	}
	if c.group.view.origin != origin || c.group.view.scale != scale {
		t.Error("moving the divider panned or zoomed the view")
	}
	// The left part shows the "before" image, the right part the "after".
	before, after := picture.New(10, 10), picture.New(10, 10)
	for i := range after.Pix {
		after.Pix[i] = 1
	}
	c.show(newFrame(TaskDenoise, before, before.Clone(), after))
	s.setSplit(0.5)
	size := s.Size()
	img := s.render(int(size.Width), int(size.Height)).(*image.NRGBA)
	mid, y := int(size.Width/2), int(size.Height/2)
	left, right := img.NRGBAAt(mid-20, y), img.NRGBAAt(mid+20, y)
	if left.R != 0 || right.R != 255 {
		t.Errorf("slider shows %v left and %v right, want the noisy (black) and restored (white) images", left, right)
	}
}

func TestNewFrameKinds(t *testing.T) {
	test.NewTempApp(t)
	orig := picture.New(8, 8)
	for i := range orig.Pix {
		orig.Pix[i] = float32(i%7) / 7
	}
	noisy := orig.Clone()
	noisy.Pix[0] = 1
	restored := orig.Clone()
	tests := []struct {
		name       string
		task       Task
		corrupted  *picture.Image
		restored   *picture.Image
		wantTitles [3]string
		wantPanes  [3]bool
		wantScore  [3]bool
	}{
		{"synthetic noise", TaskDenoise, noisy, restored, [3]string{"Original", "Noisy", "Restored"}, [3]bool{true, true, true}, [3]bool{true, true, true}},
		{"synthetic noise, not restored", TaskDenoise, noisy, nil, [3]string{"Original", "Noisy", "Restored"}, [3]bool{true, true, false}, [3]bool{true, true, false}},
		{"already noisy photo", TaskDenoise, nil, restored, [3]string{"Input", "Output", "Residual"}, [3]bool{true, true, true}, [3]bool{true, false, false}},
		{"watermarked photo", TaskWatermark, nil, restored, [3]string{"Marked", "Cleaned", "Difference"}, [3]bool{true, true, true}, [3]bool{false, false, false}},
		{"stale result of another size is ignored", TaskDenoise, noisy, picture.New(4, 4), [3]string{"Original", "Noisy", "Restored"}, [3]bool{true, true, false}, [3]bool{true, true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFrame(tt.task, orig, tt.corrupted, tt.restored)
			if got := f.kind.titles(); got != tt.wantTitles {
				t.Errorf("titles = %v, want %v", got, tt.wantTitles)
			}
			for i := range 3 {
				if (f.panes[i] != nil) != tt.wantPanes[i] {
					t.Errorf("pane %d has image = %v, want %v", i, f.panes[i] != nil, tt.wantPanes[i])
				}
				if (f.scores[i] != "") != tt.wantScore[i] {
					t.Errorf("pane %d score = %q, want one = %v", i, f.scores[i], tt.wantScore[i])
				}
			}
			c := newCompareView()
			c.show(f)
			for i, l := range c.titles {
				if l.Text != tt.wantTitles[i] {
					t.Errorf("compare view title %d = %q, want %q", i, l.Text, tt.wantTitles[i])
				}
			}
		})
	}
}
