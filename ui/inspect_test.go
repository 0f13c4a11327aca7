package ui

import (
	"errors"
	"image"
	"image/color"
	"math"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"diabolo/app/models"
	"diabolo/app/session"
	"diabolo/convae"
)

func TestFitCells(t *testing.T) {
	tests := []struct {
		n        int
		size     fyne.Size
		wantCols int
		wantSide float32
	}{
		{1, fyne.NewSize(100, 40), 1, 40},
		{4, fyne.NewSize(100, 100), 2, 49},       // 2×2 cells of 49 and a gap of 2
		{4, fyne.NewSize(400, 100), 4, 98},       // one row
		{32, fyne.NewSize(250, 110), 8, 26},      // 4 rows of 8: 4·26 + 3·2 = 110
		{10, fyne.NewSize(30, 500), 1, 30},       // one column
		{3, fyne.NewSize(0, 0), 1, 0},            // no room
		{48, fyne.NewSize(259.5, 111.7), 10, 20}, // whole units
	}
	for _, tt := range tests {
		cols, side := fitCells(tt.n, tt.size, cellGap)
		if cols != tt.wantCols || side != tt.wantSide {
			t.Errorf("fitCells(%d, %v) = %d columns of %g; want %d of %g", tt.n, tt.size, cols, side, tt.wantCols, tt.wantSide)
		}
		if rows := (tt.n + cols - 1) / cols; side > 0 && (float32(cols)*(side+cellGap)-cellGap > tt.size.Width || float32(rows)*(side+cellGap)-cellGap > tt.size.Height) {
			t.Errorf("fitCells(%d, %v): %d×%d cells of %g overflow", tt.n, tt.size, cols, rows, side)
		}
	}
}

// grey returns the grey level of pixel (x, y) of img, and whether the pixel
// is grey at all.
func grey(img image.Image, x, y int) (uint8, bool) {
	c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
	return c.R, c.R == c.G && c.G == c.B && c.A == 255
}

func TestFilterAndFeatureImagesAreNormalised(t *testing.T) {
	// Two 2×2 filters: one spanning -3 (blue, top left) to 5 (red, bottom
	// right), one constant.
	f := convae.Filters{Count: 2, Side: 2, Weights: make([]float32, 2*3*4)}
	w := f.Filter(0)
	w[0*4+3] = 5  // red, (1, 1)
	w[2*4+0] = -3 // blue, (0, 0)
	for i := range f.Filter(1) {
		f.Filter(1)[i] = 0.7
	}
	imgs := filterImages(f)
	if len(imgs) != 2 || imgs[0].Bounds() != image.Rect(0, 0, 2, 2) {
		t.Fatalf("%d filter images, the first %v", len(imgs), imgs[0].Bounds())
	}
	zero := uint8(math.Round(3.0 / 8 * 255)) // where a weight is 0
	checks := []struct {
		name string
		img  image.Image
		x, y int
		want color.NRGBA
	}{
		{"the largest weight", imgs[0], 1, 1, color.NRGBA{255, zero, zero, 255}},
		{"the smallest weight", imgs[0], 0, 0, color.NRGBA{zero, zero, 0, 255}},
		{"a constant filter", imgs[1], 1, 0, color.NRGBA{128, 128, 128, 255}},
	}
	for _, c := range checks {
		if got := color.NRGBAModel.Convert(c.img.At(c.x, c.y)); got != c.want {
			t.Errorf("%s: pixel %v, want %v", c.name, got, c.want)
		}
	}

	// Three 2×3 maps: a ramp, a silent channel, one with a NaN.
	fm := &session.FeatureMaps{Channels: 3, H: 2, W: 3, Total: 3, Values: []float32{
		1, 2, 3, 4, 5, 6,
		0, 0, 0, 0, 0, 0,
		2, float32(math.NaN()), 4, 2, 2, 2,
	}}
	maps := featureImages(fm)
	for _, c := range []struct {
		name string
		img  int
		x, y int
		want uint8
	}{
		{"the ramp's smallest value", 0, 0, 0, 0},
		{"the ramp's largest value", 0, 2, 1, 255},
		{"the ramp's middle", 0, 1, 1, 204},
		{"a silent channel", 1, 1, 1, 0},
		{"a NaN", 2, 1, 0, 0},
		{"the largest value next to a NaN", 2, 2, 0, 255},
	} {
		if got, ok := grey(maps[c.img], c.x, c.y); !ok || got != c.want {
			t.Errorf("%s: grey %d (grey: %v), want %d", c.name, got, ok, c.want)
		}
	}
	if maps[0].Bounds() != image.Rect(0, 0, 3, 2) {
		t.Errorf("a 2×3 map drawn as %v", maps[0].Bounds())
	}
}

// knownFilters returns n filters of side 2 whose filter 0 has its largest
// weight at the top right of the green plane and its smallest at the bottom
// left of the red plane.
func knownFilters(n int) *convae.Filters {
	f := &convae.Filters{Count: n, Side: 2, Weights: make([]float32, n*3*4)}
	for i := range f.Weights {
		f.Weights[i] = float32(i%5) / 10
	}
	f.Filter(0)[1*4+1] = 2  // green, (1, 0)
	f.Filter(0)[0*4+2] = -2 // red, (0, 1)
	return f
}

// knownFeatures returns c feature maps of 3×2 of a bottleneck of total
// channels, whose map 1, if any, has its largest value at (2, 1) and its
// smallest at (2, 0).
func knownFeatures(c, total int) *session.FeatureMaps {
	fm := &session.FeatureMaps{Channels: c, H: 2, W: 3, Total: total, Values: make([]float32, c*6)}
	for i := range fm.Values {
		fm.Values[i] = float32(i % 4)
	}
	if c > 1 {
		fm.Values[6+5] = 9
	}
	return fm
}

// cellImage returns the image of cell i of grid.
func cellImage(t *testing.T, grid *fyne.Container, i int) image.Image {
	t.Helper()
	img := grid.Objects[i].(*canvas.Image).Image
	if img == nil {
		t.Fatalf("cell %d has no image", i)
	}
	return img
}

func TestValidationEventShowsWhatTheEncoderLearned(t *testing.T) {
	m, tr := runningView(t)
	v := m.training
	e := v.encoder
	v.resetLive() // as Start does
	if len(e.filterGrid.Objects) != 0 || e.filterCaption.Text != filtersAwaitedText || e.featureCaption.Text != featuresAwaitedText {
		t.Fatalf("a running view before its first validation shows %d filters, %q, %q",
			len(e.filterGrid.Objects), e.filterCaption.Text, e.featureCaption.Text)
	}
	v.onEvent(tr, session.Event{Kind: session.Validation, Step: 7, Filters: knownFilters(5), Features: knownFeatures(3, 64)})
	m.ui.(*pumpBridge).drain()

	if len(e.filterGrid.Objects) != 5 || len(e.featureGrid.Objects) != 3 {
		t.Fatalf("%d filter cells and %d feature cells, want 5 and 3", len(e.filterGrid.Objects), len(e.featureGrid.Objects))
	}
	if want := "First layer: 5 filters, 2×2 (step 7)"; e.filterCaption.Text != want {
		t.Errorf("filters captioned %q, want %q", e.filterCaption.Text, want)
	}
	if want := "Bottleneck: 3 of 64 maps, 3×2"; e.featureCaption.Text != want {
		t.Errorf("feature maps captioned %q, want %q", e.featureCaption.Text, want)
	}
	f0 := cellImage(t, e.filterGrid, 0)
	if got := color.NRGBAModel.Convert(f0.At(1, 0)).(color.NRGBA); got.G != 255 {
		t.Errorf("filter 0's largest weight drawn %v, want full green", got)
	}
	if got := color.NRGBAModel.Convert(f0.At(0, 1)).(color.NRGBA); got.R != 0 {
		t.Errorf("filter 0's smallest weight drawn %v, want no red", got)
	}
	if g, ok := grey(cellImage(t, e.featureGrid, 1), 2, 1); !ok || g != 255 {
		t.Errorf("map 1's largest value drawn grey %d (%v), want white", g, ok)
	}
	if g, _ := grey(cellImage(t, e.featureGrid, 1), 2, 0); g != 0 {
		t.Errorf("map 1's smallest value drawn grey %d, want black", g)
	}

	// The cells fill the encoder's tab, square and apart.
	v.liveTabs.SelectIndex(1)
	grid := e.featureGrid
	for i, o := range grid.Objects {
		pos, size := o.Position(), o.Size()
		if size.Width != size.Height || size.Width < minCellSide || pos.X+size.Width > grid.Size().Width || pos.Y+size.Height > grid.Size().Height {
			t.Errorf("feature cell %d at %v of %v in a grid of %v", i, pos, size, grid.Size())
		}
	}

	// Another network's event resizes the grids; an older run's is ignored.
	v.onEvent(tr, session.Event{Kind: session.Validation, Step: 9, Filters: knownFilters(2), Features: knownFeatures(32, 32)})
	v.onEvent(&trainingRun{}, session.Event{Kind: session.Validation, Step: 10, Filters: knownFilters(1), Features: knownFeatures(1, 1)})
	m.ui.(*pumpBridge).drain()
	if len(e.filterGrid.Objects) != 2 || len(e.featureGrid.Objects) != 32 || !strings.HasSuffix(e.filterCaption.Text, "(step 9)") {
		t.Errorf("%d filter cells (%q) and %d feature cells, want 2 of step 9 and 32",
			len(e.filterGrid.Objects), e.filterCaption.Text, len(e.featureGrid.Objects))
	}
	// An event without them leaves them be.
	v.onEvent(tr, session.Event{Kind: session.Validation, Step: 11})
	m.ui.(*pumpBridge).drain()
	if len(e.featureGrid.Objects) != 32 {
		t.Errorf("an event without feature maps left %d cells", len(e.featureGrid.Objects))
	}
}

// When idle, the tab shows the current model's filters; the feature maps of
// a run stay once its model is in use, and go when another model is.
func TestEncoderShowsTheCurrentModelWhenIdle(t *testing.T) {
	m, tr := runningView(t)
	v := m.training
	e := v.encoder
	tinyOut := tinySpec.Ops[1].Out // the first convolution, after the unshuffle
	current := func() *convae.Model {
		model, _, _ := m.bench.models.Current(models.Denoise)
		return model
	}
	v.onEvent(tr, session.Event{Kind: session.Validation, Step: 5, Filters: knownFilters(3), Features: knownFeatures(4, 8)})
	m.ui.(*pumpBridge).drain()
	v.modelChanged() // another model opened during the run
	if len(e.filterGrid.Objects) != 3 {
		t.Errorf("a model change during the run replaced the run's filters (%d cells)", len(e.filterGrid.Objects))
	}

	trained, err := m.bench.models.Clone(models.Denoise)
	if err != nil {
		t.Fatal(err)
	}
	trained.Meta.Steps = 5
	v.finished(tr, trained, nil)
	if current() != trained {
		t.Fatal("the trained model is not in use")
	}
	want, _ := trained.Net.FirstFilters()
	if len(e.filterGrid.Objects) != tinyOut || e.filterCaption.Text != "First layer: 4 filters, 6×6" || want.Count != tinyOut {
		t.Errorf("after the run: %d filter cells captioned %q, want the model's %d", len(e.filterGrid.Objects), e.filterCaption.Text, want.Count)
	}
	if len(e.featureGrid.Objects) != 4 || e.featureCaption.Text != "Bottleneck: 4 of 8 maps, 3×2" {
		t.Errorf("after the run: %d feature cells captioned %q, want the last validation's 4", len(e.featureGrid.Objects), e.featureCaption.Text)
	}
	// Drawn from the model's weights.
	if got, wantImg := cellImage(t, e.filterGrid, 2), filterImages(want)[2]; got.At(3, 4) != wantImg.At(3, 4) {
		t.Errorf("filter 2 drawn %v at (3, 4), want %v", got.At(3, 4), wantImg.At(3, 4))
	}

	// Another model in use: its filters, and no feature maps.
	other, err := m.bench.models.Clone(models.Denoise)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.bench.models.Use(models.Denoise, other, models.Source{Origin: models.File, Path: "other.dae"}); err != nil {
		t.Fatal(err)
	}
	m.onModelChanged(TaskDenoise)
	if len(e.featureGrid.Objects) != 0 || e.featureCaption.Text != featuresAwaitedText || len(e.filterGrid.Objects) != tinyOut {
		t.Errorf("another model: %d feature cells captioned %q, %d filter cells", len(e.featureGrid.Objects), e.featureCaption.Text, len(e.filterGrid.Objects))
	}

	// A task without a model.
	v.task.SetSelected(taskNames[TaskWatermark])
	if len(e.filterGrid.Objects) != 0 || e.filterCaption.Text != noModelText {
		t.Errorf("no watermark model: %d filter cells captioned %q", len(e.filterGrid.Objects), e.filterCaption.Text)
	}
}

// A failed run leaves the current model's filters on display, not those of
// the network it trained.
func TestFailedRunShowsTheModelInUse(t *testing.T) {
	m, tr := runningView(t)
	v := m.training
	v.onEvent(tr, session.Event{Kind: session.Validation, Step: 5, Filters: knownFilters(3), Features: knownFeatures(4, 8)})
	m.ui.(*pumpBridge).drain()
	v.finished(tr, nil, errors.New("disk full"))
	e := v.encoder
	if len(e.filterGrid.Objects) != 4 || len(e.featureGrid.Objects) != 0 {
		t.Errorf("after a failed run: %d filter cells, %d feature cells; want the model in use's 4 and none",
			len(e.filterGrid.Objects), len(e.featureGrid.Objects))
	}
}

// A real run fills both grids from its validations.
func TestTrainingRunShowsWhatTheEncoderLearned(t *testing.T) {
	m := newTrainingWindow(t, 3, newPumpBridge())
	v := m.training
	v.opts.steps = 10
	test.Tap(v.start)
	m.waitIdle()
	if !strings.HasPrefix(v.status.Text, "Model trained for 10 steps") {
		t.Fatalf("status %q", v.status.Text)
	}
	e := v.encoder
	// tinySpec: 4 filters of 6×6 pixels; a bottleneck of 8 channels at a
	// quarter of the 32-pixel validation crops.
	if len(e.filterGrid.Objects) != 4 || cellImage(t, e.filterGrid, 0).Bounds().Dx() != 6 {
		t.Errorf("%d filter cells", len(e.filterGrid.Objects))
	}
	if len(e.featureGrid.Objects) != 8 || cellImage(t, e.featureGrid, 0).Bounds() != image.Rect(0, 0, 8, 8) ||
		e.featureCaption.Text != "Bottleneck: 8 of 8 maps, 8×8" {
		t.Errorf("%d feature cells captioned %q", len(e.featureGrid.Objects), e.featureCaption.Text)
	}
}
