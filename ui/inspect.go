package ui

import (
	"fmt"
	"image"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"diabolo/app/session"
	"diabolo/convae"
)

// What the encoder learned: the Training tab's view of the first layer's
// filters and of the bottleneck's feature maps of the validation crop.

// Sizes of the cells of the encoder's grids.
const (
	minCellSide = 16 // the smallest a filter or feature map is drawn, in dp
	cellGap     = 2  // between cells, in dp
)

// Captions of the encoder's grids when they have nothing to show.
const (
	filtersAwaitedText  = "First layer: filters appear at the first validation"
	noFiltersText       = "First layer: does not read the photo directly"
	noModelText         = "First layer: no model yet"
	featuresAwaitedText = "Bottleneck: maps of the validation crop appear during training"
	noFeaturesText      = "Bottleneck: none in this network"
)

// encoderView shows what the encoder learned: a grid of the first layer's
// filters, drawn in colour, and a grid of the bottleneck's feature maps of
// the validation crop, in grey. Each filter and map is scaled to its own
// range and enlarged without smoothing. During a run, validation events
// refresh both; when idle, the filters are the current model's, and the
// feature maps those of the last run if its model is the current one.
type encoderView struct {
	filterGrid, featureGrid       *fyne.Container
	filterCaption, featureCaption *widget.Label
	content                       fyne.CanvasObject

	// featuresOf is the model that the feature maps on display belong to,
	// once the run that showed them installed it; nil while they come from
	// a running network, and when none are shown.
	featuresOf *convae.Model
}

// newEncoderView returns an empty encoderView.
func newEncoderView() *encoderView {
	caption := func() *widget.Label { return &widget.Label{Truncation: fyne.TextTruncateEllipsis} }
	e := &encoderView{
		filterGrid:     container.New(cellGrid{}),
		featureGrid:    container.New(cellGrid{}),
		filterCaption:  caption(),
		featureCaption: caption(),
	}
	e.content = container.NewGridWithColumns(2,
		container.NewBorder(e.filterCaption, nil, nil, nil, e.filterGrid),
		container.NewBorder(e.featureCaption, nil, nil, nil, e.featureGrid))
	e.clear()
	return e
}

// encoderImages is what a validation event shows of the encoder, converted
// for display off the UI goroutine.
type encoderImages struct {
	filters, features       []image.Image
	filterText, featureText string
}

// newEncoderImages converts the filters and feature maps of the validation
// at step for display; nil when the event carries neither. The filters'
// caption gives the step; the captions are kept short for narrow windows.
func newEncoderImages(step int, f *convae.Filters, fm *session.FeatureMaps) *encoderImages {
	if f == nil && fm == nil {
		return nil
	}
	e := &encoderImages{
		filterText:  noFiltersText,
		featureText: noFeaturesText,
	}
	if f != nil {
		e.filters, e.filterText = filterImages(*f), filterText(*f)+fmt.Sprintf(" (step %d)", step)
	}
	if fm != nil {
		e.features = featureImages(fm)
		e.featureText = fmt.Sprintf("Bottleneck: %d of %d maps, %d×%d", fm.Channels, fm.Total, fm.W, fm.H)
	}
	return e
}

// filterText describes filters f.
func filterText(f convae.Filters) string {
	return fmt.Sprintf("First layer: %d filters, %d×%d", f.Count, f.Side, f.Side)
}

// clear empties both grids, before a run shows its own.
func (e *encoderView) clear() {
	setCells(e.filterGrid, nil)
	e.filterCaption.SetText(filtersAwaitedText)
	e.clearFeatures()
}

// clearFeatures empties the grid of feature maps.
func (e *encoderView) clearFeatures() {
	e.featuresOf = nil
	setCells(e.featureGrid, nil)
	e.featureCaption.SetText(featuresAwaitedText)
}

// featuresBelongTo records that the feature maps on display are those of
// model m: the model a run installed after showing them.
func (e *encoderView) featuresBelongTo(m *convae.Model) { e.featuresOf = m }

// show puts the images of a validation event on display.
func (e *encoderView) show(imgs *encoderImages) {
	e.featuresOf = nil
	setCells(e.filterGrid, imgs.filters)
	e.filterCaption.SetText(imgs.filterText)
	setCells(e.featureGrid, imgs.features)
	e.featureCaption.SetText(imgs.featureText)
}

// showModel shows the filters of model m, the current model while no run
// goes on (nil: none). The feature maps stay only if they are m's. The
// images are a few hundred pixels, drawn here on the UI goroutine.
func (e *encoderView) showModel(m *convae.Model) {
	if m != e.featuresOf || m == nil {
		e.clearFeatures()
	}
	if m == nil {
		setCells(e.filterGrid, nil)
		e.filterCaption.SetText(noModelText)
		return
	}
	f, ok := m.Net.FirstFilters()
	if !ok {
		setCells(e.filterGrid, nil)
		e.filterCaption.SetText(noFiltersText)
		return
	}
	setCells(e.filterGrid, filterImages(f))
	e.filterCaption.SetText(filterText(f))
}

// showModelEncoder shows what the model in use learned, unless a run goes
// on: the run's validations show its own network.
func (v *trainingView) showModelEncoder() {
	if v.state != trainIdle {
		return
	}
	var m *convae.Model
	if v.store != nil {
		m, _, _ = v.store.Current(string(v.currentTask()))
	}
	v.encoder.showModel(m)
}

// setCells shows imgs in grid, one enlarged pixel-exact cell each,
// reusing the cells it has when their number is right.
func setCells(grid *fyne.Container, imgs []image.Image) {
	if len(grid.Objects) != len(imgs) {
		cells := make([]fyne.CanvasObject, len(imgs))
		for i := range cells {
			cells[i] = &canvas.Image{FillMode: canvas.ImageFillContain, ScaleMode: canvas.ImageScalePixels}
		}
		grid.Objects = cells
		grid.Refresh()
	}
	for i, img := range imgs {
		cell := grid.Objects[i].(*canvas.Image)
		cell.Image = img
		cell.Refresh()
	}
}

// filterImages draws each filter of f as a colour image, its weights scaled
// from their minimum (black) to their maximum (white) over its three
// planes; a constant filter is mid-grey.
func filterImages(f convae.Filters) []image.Image {
	imgs := make([]image.Image, f.Count)
	n := f.Side * f.Side
	for i := range imgs {
		w := f.Filter(i)
		lo, hi := valueRange(w)
		img := image.NewNRGBA(image.Rect(0, 0, f.Side, f.Side))
		for p := range n {
			for c := range convae.FilterChannels {
				img.Pix[4*p+c] = scaleTo8(w[c*n+p], lo, hi, 128)
			}
			img.Pix[4*p+3] = 255
		}
		imgs[i] = img
	}
	return imgs
}

// featureImages draws each feature map of fm as a grey image scaled from
// its minimum (black) to its maximum (white); a constant map, such as a
// channel that the ReLU silences, is black.
func featureImages(fm *session.FeatureMaps) []image.Image {
	imgs := make([]image.Image, fm.Channels)
	n := fm.H * fm.W
	for c := range imgs {
		v := fm.Values[c*n : (c+1)*n]
		lo, hi := valueRange(v)
		img := image.NewGray(image.Rect(0, 0, fm.W, fm.H))
		for p, x := range v {
			img.Pix[p] = scaleTo8(x, lo, hi, 0)
		}
		imgs[c] = img
	}
	return imgs
}

// valueRange returns the smallest and largest finite values of v (0, 0
// when there are none).
func valueRange(v []float32) (lo, hi float32) {
	first := true
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			continue
		}
		if first {
			lo, hi, first = x, x, false
		}
		lo, hi = min(lo, x), max(hi, x)
	}
	return lo, hi
}

// scaleTo8 maps x from [lo, hi] to 0..255, giving flat when the range is
// empty and 0 for values that are not numbers.
func scaleTo8(x, lo, hi float32, flat uint8) uint8 {
	if hi <= lo {
		return flat
	}
	t := (x - lo) / (hi - lo)
	if !(t > 0) { // also NaN
		return 0
	}
	return uint8(math.Round(float64(min(t, 1)) * 255))
}

// cellGrid lays its objects out as square cells, left to right and top to
// bottom, with the largest side at which they all fit in the container.
// Its minimum size holds them as a near-square block of minCellSide cells.
type cellGrid struct{}

// Layout places the cells.
func (cellGrid) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	cols, side := fitCells(len(objects), size, cellGap)
	for i, o := range objects {
		o.Move(fyne.NewPos(float32(i%cols)*(side+cellGap), float32(i/cols)*(side+cellGap)))
		o.Resize(fyne.NewSquareSize(side))
	}
}

// MinSize returns the size of a near-square block of minimal cells.
func (cellGrid) MinSize(objects []fyne.CanvasObject) fyne.Size {
	n := len(objects)
	if n == 0 {
		return fyne.Size{}
	}
	cols := int(math.Ceil(math.Sqrt(float64(n))))
	rows := (n + cols - 1) / cols
	return fyne.NewSize(float32(cols)*(minCellSide+cellGap)-cellGap, float32(rows)*(minCellSide+cellGap)-cellGap)
}

// fitCells returns the number of columns and the side, in whole units, of
// the largest square cells of which n fit in size, gap apart; at least 1
// and 0.
func fitCells(n int, size fyne.Size, gap float32) (cols int, side float32) {
	cols = 1
	for c := 1; c <= n; c++ {
		rows := (n + c - 1) / c
		s := min((size.Width-float32(c-1)*gap)/float32(c), (size.Height-float32(rows-1)*gap)/float32(rows))
		if s = float32(math.Floor(float64(s))); s > side {
			cols, side = c, s
		}
	}
	return cols, side
}
