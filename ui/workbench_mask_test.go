package ui

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"diabolo/app/models"
	"diabolo/assets"
	"diabolo/internal/synthetic"
)

// newWatermarkWindow returns a window whose library holds n 24×16 photos,
// set to remove watermarks from them as they are (no synthetic mark), the
// first photo shown, with the brush on at radius 1.
func newWatermarkWindow(t *testing.T, r Restorer, n int) *mainWindow {
	t.Helper()
	m := newLoadedWindow(t, r, n)
	m.corruption.task.SetSelected(taskNames[TaskWatermark])
	m.waitIdle()
	if m.compare.brush.mask == nil {
		t.Fatal("the brush has no mask to paint on the photo shown")
	}
	m.compare.brush.setRadius(1)
	m.compare.brush.toggle.SetChecked(true)
	return m
}

// dabAt paints one dab of the brush on the photo shown, clicking on the
// marked pane where it shows the image point (x, y): the corner that pixels
// x-1 and x of rows y-1 and y share, which a brush of radius 1 paints, and
// no other pixel.
func dabAt(m *mainWindow, x, y int) {
	pane := m.compare.panes[0]
	s := m.compare.group.view.toScreen(point{float64(x), float64(y)})
	pane.Tapped(&fyne.PointEvent{Position: fyne.NewPos(float32(s.X), float32(s.Y))})
}

// undoKey types Ctrl+Z, as the driver reports it.
func undoKey(m *mainWindow) {
	m.win.Canvas().(fyne.Shortcutable).TypedShortcut(&fyne.ShortcutUndo{})
}

func TestBrushMaskReachesTheRestorer(t *testing.T) {
	r := &fakeRestorer{}
	m := newWatermarkWindow(t, r, 2)
	if !m.compare.brush.content.Visible() {
		t.Fatal("the brush controls are hidden for watermark removal")
	}
	dabAt(m, 5, 7)
	dabAt(m, 20, 3)
	mask := m.library.photos[0].mask
	if mask.painted != 8 {
		t.Fatalf("%d pixels painted, want two dabs of 2×2", mask.painted)
	}

	test.Tap(m.bench.restoreAll)
	m.waitIdle()
	opts := r.optionsGiven()
	if len(opts) != 2 {
		t.Fatalf("%d restorer calls, want 2", len(opts))
	}
	if opts[1].Mask != nil {
		t.Error("the photo without a mask was restored with one")
	}
	got := opts[0].Mask
	if len(got) != 24*16 {
		t.Fatalf("the restorer got a mask of %d values, want 24×16", len(got))
	}
	for i, v := range got {
		if want := float32(mask.pix[i]); v != want {
			t.Fatalf("mask value at (%d, %d) = %v, want %v", i%24, i/24, v, want)
		}
	}
	if got[6*24+4] != 1 || got[7*24+5] != 1 || got[2*24+19] != 1 || got[3*24+20] != 1 || got[0] != 0 {
		t.Error("the mask given does not hold the dabs painted")
	}
	if m.compare.scores[1].Text == staleScore {
		t.Error("a fresh result is marked out of date")
	}

	// Painting again makes the result out of date; undoing that stroke
	// brings the mask back to what the result was made with.
	dabAt(m, 12, 8)
	if m.compare.scores[1].Text != staleScore || !strings.Contains(m.bench.status.Text, "mask changed") {
		t.Errorf("after painting: score %q, status %q; want the result marked out of date", m.compare.scores[1].Text, m.bench.status.Text)
	}
	undoKey(m)
	if mask.at(11, 7) || !mask.at(4, 6) || mask.painted != 8 {
		t.Error("Ctrl+Z did not undo exactly the last stroke")
	}
	if m.compare.scores[1].Text == staleScore {
		t.Error("the result is still out of date once the mask is back to what it was made with")
	}
	// Ctrl+Z leaves the zoom keys working.
	test.TypeOnCanvas(m.win.Canvas(), "2")
	if m.compare.group.view.scale != 2 {
		t.Errorf("after Ctrl+Z the key 2 zooms to %v, want 2", m.compare.group.view.scale)
	}

	// Clear mask: the next restoration gets no mask.
	test.Tap(m.compare.brush.clearMask)
	if !mask.empty() || m.compare.scores[1].Text != staleScore {
		t.Errorf("after Clear mask: %d pixels painted, score %q", mask.painted, m.compare.scores[1].Text)
	}
	test.Tap(m.bench.restoreOne)
	m.waitIdle()
	if opts := r.optionsGiven(); opts[len(opts)-1].Mask != nil {
		t.Error("the restorer got a mask after Clear mask")
	}
}

func TestBrushMaskBelongsToItsPhoto(t *testing.T) {
	m := newWatermarkWindow(t, &fakeRestorer{}, 2)
	first := m.library.photos[0]
	dabAt(m, 4, 4)

	m.library.grid.Select(1)
	m.waitIdle()
	if m.compare.brush.mask == first.mask || !m.compare.brush.mask.empty() {
		t.Fatal("the second photo shows the first photo's mask")
	}
	dabAt(m, 10, 10)
	m.library.grid.Select(0)
	m.waitIdle()
	if m.compare.brush.mask != first.mask || !first.mask.at(3, 3) || first.mask.at(9, 9) {
		t.Error("the first photo's mask did not survive switching photos")
	}
	if !m.library.photos[1].mask.at(9, 9) {
		t.Error("the second photo's mask was lost")
	}

	// Denoising has no brush, and leaves the masks of marked photos alone.
	m.corruption.task.SetSelected(taskNames[TaskDenoise])
	m.waitIdle()
	if m.compare.brush.content.Visible() || m.compare.brush.mask != nil {
		t.Error("the brush is offered for denoising")
	}
	m.corruption.task.SetSelected(taskNames[TaskWatermark])
	m.waitIdle()
	if m.compare.brush.mask != first.mask {
		t.Error("going through denoising lost the mask of a photo that came marked")
	}
}

func TestBrushMaskClearedByReroll(t *testing.T) {
	r := &fakeRestorer{}
	m := newWatermarkWindow(t, r, 1)
	m.corruption.kind.SetSelected("Logo")
	m.waitIdle()
	dabAt(m, 3, 3)
	if m.compare.brush.mask.empty() {
		t.Fatal("nothing painted on the synthetic mark")
	}
	test.Tap(m.corruption.reroll)
	m.waitIdle()
	if mask := m.library.photos[0].mask; !mask.empty() || m.compare.brush.mask != mask {
		t.Fatal("the mask survived a re-roll of the mark it was painted over")
	}
	test.Tap(m.bench.restoreOne)
	m.waitIdle()
	if opts := r.optionsGiven(); len(opts) != 1 || opts[0].Mask != nil {
		t.Error("a re-rolled photo was restored with the old mask")
	}
}

func TestBrushRadiusPersists(t *testing.T) {
	a := test.NewTempApp(t)
	m := newMainWindow(a, test.NewTempWindow(t, nil), Deps{}, newPumpBridge())
	m.compare.brush.size.SetValue(37)
	again := newMainWindow(a, test.NewTempWindow(t, nil), Deps{}, newPumpBridge())
	if again.compare.brush.radius() != 37 || again.compare.brush.sizeText.Text != "37 px" {
		t.Errorf("after a restart the brush radius is %v (%q), want 37", again.compare.brush.radius(), again.compare.brush.sizeText.Text)
	}
}

func TestBrushControlsLeaveTheKeyboardFocus(t *testing.T) {
	tests := []struct {
		name string
		use  func(b *brushTool)
	}{
		{"tap the brush toggle", func(b *brushTool) { test.Tap(b.toggle) }},
		{"tap the size slider", func(b *brushTool) { test.TapAt(b.size, fyne.NewPos(b.size.Size().Width/2, b.size.Size().Height/2)) }},
		{"tap Clear mask", func(b *brushTool) { test.Tap(b.clearMask) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newWatermarkWindow(t, &fakeRestorer{}, 1)
			tt.use(m.compare.brush)
			// The driver hands keys to the focused widget, if any, and to
			// the window's handler (zoom keys, Space) only without one.
			if f := m.win.Canvas().Focused(); f != nil {
				t.Errorf("the brush controls keep the keyboard focus (%T), away from the zoom keys", f)
			}
		})
	}
}

// With a watermark model for painted marks, restoring a photo with nothing
// painted asks for brush strokes instead of returning the photo unchanged;
// once a mark is painted the photo is restored.
func TestBrushModelAsksForPaint(t *testing.T) {
	m, err := synthetic.MaskUnblender(0.5, [3]float32{0.9, 0.9, 0.9})
	if err != nil {
		t.Fatal(err)
	}
	m.Meta.Brush = true
	var file bytes.Buffer
	if err := m.Save(&file); err != nil {
		t.Fatal(err)
	}
	store := models.NewStoreFrom(func(task string) ([]byte, error) {
		if task == models.Watermark {
			return file.Bytes(), nil
		}
		return nil, fmt.Errorf("%w for task %q", assets.ErrNoBundledModel, task)
	})
	r := &fakeRestorer{}
	w := newTestMainWindow(t, Deps{Restorer: r, Models: store})
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "a.png"), 24, 16)
	w.library.onDropped(fyne.Position{}, fileURIs(dir))
	w.waitIdle()
	w.corruption.task.SetSelected(taskNames[TaskWatermark])
	w.waitIdle()

	test.Tap(w.bench.restoreOne)
	w.waitIdle()
	if w.bench.status.Text != paintFirst || len(r.calls()) != 0 {
		t.Errorf("nothing painted: status %q, %d restorer calls; want %q and none", w.bench.status.Text, len(r.calls()), paintFirst)
	}
	w.compare.brush.setRadius(1)
	w.compare.brush.toggle.SetChecked(true)
	dabAt(w, 5, 7)
	test.Tap(w.bench.restoreOne)
	w.waitIdle()
	if len(r.calls()) != 1 {
		t.Errorf("a mark painted: %d restorer calls, want 1 (status %q)", len(r.calls()), w.bench.status.Text)
	}
}

// The brush keys work where the zoom keys do: E switches between painting
// and erasing, [ and ] make the brush smaller and larger (one pixel at
// least), and none of them touches the brush on the Training tab.
func TestBrushKeys(t *testing.T) {
	m := newWatermarkWindow(t, &fakeRestorer{}, 1)
	brush := m.compare.brush
	keys := []struct {
		keys       string
		wantErase  bool
		wantRadius float64
	}{
		{"]", false, 2},
		{"]]]", false, 5},
		{"[", false, 4},
		{"e", true, 4},
		{"E", false, 4},
		{"[[[[[[", false, minBrushRadius},
	}
	for _, k := range keys {
		test.TypeOnCanvas(m.win.Canvas(), k.keys)
		if brush.erase.Checked != k.wantErase || brush.radius() != k.wantRadius {
			t.Errorf("after %q: erase %v, radius %v; want %v, %v", k.keys, brush.erase.Checked, brush.radius(), k.wantErase, k.wantRadius)
		}
	}
	if got := m.prefs.FloatWithFallback(prefBrushRadius, 0); got != minBrushRadius {
		t.Errorf("the brush size set with the keys is remembered as %v, want %v", got, float64(minBrushRadius))
	}
	m.tabs.Select(m.trainingTab)
	test.TypeOnCanvas(m.win.Canvas(), "e]")
	if brush.erase.Checked || brush.radius() != minBrushRadius {
		t.Error("brush keys changed the brush on the Training tab")
	}
}

// Switching tasks shows and hides rows of the Restoration panel (the
// strength for denoising, collection mode for watermarks); the rows left
// are laid out one under the other, none over another.
func TestRestorationPanelLaidOut(t *testing.T) {
	m := newWatermarkWindow(t, &fakeRestorer{}, 1)
	panel := m.bench.content.(*fyne.Container)
	check := func(task Task, shown, hidden fyne.CanvasObject) {
		t.Helper()
		if !shown.Visible() || hidden.Visible() {
			t.Fatalf("%s: the task's row is hidden, or the other task's shown", task)
		}
		bottom := float32(-1)
		for i, o := range panel.Objects {
			if !o.Visible() {
				continue
			}
			if o.Position().Y < bottom || o.Size().Height == 0 {
				t.Errorf("%s: row %d at y=%v, height %v, over the row above, which ends at y=%v", task, i, o.Position().Y, o.Size().Height, bottom)
			}
			bottom = o.Position().Y + o.Size().Height
		}
	}
	check(TaskWatermark, m.bench.collection, m.bench.sigmaRow)
	m.corruption.task.SetSelected(taskNames[TaskDenoise])
	m.waitIdle()
	check(TaskDenoise, m.bench.sigmaRow, m.bench.collection)
	m.corruption.task.SetSelected(taskNames[TaskWatermark])
	m.waitIdle()
	check(TaskWatermark, m.bench.collection, m.bench.sigmaRow)
}
