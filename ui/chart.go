package ui

import (
	"image"
	"image/color"
	"math"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The loss chart.
//
// A training run sends a few Step events a second for up to hours, so the
// chart keeps a bounded number of points per series (see series) and draws
// them into a canvas.Raster at the plot's pixel size: a redraw costs the
// pixels of the plot plus the few hundred segments of each line, however
// long the run. The tick labels are canvas.Text objects from a fixed pool.

// chartLimit is the most points a chart series keeps.
const chartLimit = 512

// chartSmoothing is the weight of the past in the exponential moving
// average of the training loss.
const chartSmoothing = 0.8

// chartPoint is one point of a series: where it lies on either x axis and
// its value. A decimated point averages n raw points.
type chartPoint struct {
	step    float64 // training steps done
	seconds float64 // training time, pauses excluded
	value   float64
	n       int
}

// merge returns the weighted mean of a and b.
func merge(a, b chartPoint) chartPoint {
	n := a.n + b.n
	fa, fb := float64(a.n)/float64(n), float64(b.n)/float64(n)
	return chartPoint{
		step:    a.step*fa + b.step*fb,
		seconds: a.seconds*fa + b.seconds*fb,
		value:   a.value*fa + b.value*fb,
		n:       n,
	}
}

// series is a bounded sequence of chart points. Once it holds limit points
// it merges them pairwise, and from then on every stored point averages
// twice as many raw points as before: a long run keeps between limit/2 and
// limit points, evenly spread, and adding a point costs O(1) amortised.
type series struct {
	limit   int
	stride  int          // raw points per stored point
	points  []chartPoint // full points, each of stride raw points
	pending chartPoint   // raw points not yet stored; pending.n < stride
}

// newSeries returns an empty series of at most limit points (limit ≥ 2).
func newSeries(limit int) series {
	return series{limit: limit, stride: 1, points: make([]chartPoint, 0, limit)}
}

// add appends the raw point p.
func (s *series) add(p chartPoint) {
	p.n = 1
	if s.pending.n > 0 {
		p = merge(s.pending, p)
	}
	if p.n < s.stride {
		s.pending = p
		return
	}
	s.pending = chartPoint{}
	s.points = append(s.points, p)
	if len(s.points) < s.limit {
		return
	}
	half := len(s.points) / 2
	for i := range half {
		s.points[i] = merge(s.points[2*i], s.points[2*i+1])
	}
	if len(s.points)%2 == 1 {
		s.pending = s.points[len(s.points)-1]
	}
	s.points = s.points[:half]
	s.stride *= 2
}

// view appends the points to show to dst: the stored ones and the pending
// partial one.
func (s *series) view(dst []chartPoint) []chartPoint {
	dst = append(dst, s.points...)
	if s.pending.n > 0 {
		dst = append(dst, s.pending)
	}
	return dst
}

// len returns the number of points view gives.
func (s *series) len() int {
	if s.pending.n > 0 {
		return len(s.points) + 1
	}
	return len(s.points)
}

// reset empties the series.
func (s *series) reset() {
	s.points, s.pending, s.stride = s.points[:0], chartPoint{}, 1
}

// ema is an exponential moving average with bias correction, as
// TensorBoard smooths its curves: the first values are not pulled to 0.
type ema struct {
	weight float64 // of the past, in [0, 1)
	acc    float64
	decay  float64 // weight^n
}

// add takes in v and returns the smoothed value.
func (e *ema) add(v float64) float64 {
	if e.decay == 0 {
		e.decay = 1
	}
	e.acc = e.weight*e.acc + (1-e.weight)*v
	e.decay *= e.weight
	return e.acc / (1 - e.decay)
}

// lossChart plots the training loss (raw, faint, and smoothed) and the
// validation loss of a run against steps or training time, on a
// logarithmic loss axis. Its methods must be called on the UI goroutine.
type lossChart struct {
	widget.BaseWidget

	raw, smooth, val series
	avg              ema
	last             float64 // the latest smoothed training loss, 0 for none
	timeAxis         bool    // x is the training time rather than the step
}

// newLossChart returns an empty chart.
func newLossChart() *lossChart {
	c := &lossChart{raw: newSeries(chartLimit), smooth: newSeries(chartLimit), val: newSeries(chartLimit), avg: ema{weight: chartSmoothing}}
	c.ExtendBaseWidget(c)
	return c
}

// usable reports whether v can be drawn on a log scale.
func usable(v float64) bool { return v > 0 && !math.IsInf(v, 1) }

// addStep adds the mean training loss reported at step after elapsed
// training time. Values that a log scale cannot show are skipped.
func (c *lossChart) addStep(step int, elapsed time.Duration, loss float64) {
	if !usable(loss) {
		return
	}
	p := chartPoint{step: float64(step), seconds: elapsed.Seconds(), value: loss}
	c.raw.add(p)
	p.value = c.avg.add(loss)
	c.last = p.value
	c.smooth.add(p)
	c.Refresh()
}

// addValidation adds the validation loss measured at step.
func (c *lossChart) addValidation(step int, elapsed time.Duration, loss float64) {
	if !usable(loss) {
		return
	}
	c.val.add(chartPoint{step: float64(step), seconds: elapsed.Seconds(), value: loss})
	c.Refresh()
}

// reset empties the chart for a new run.
func (c *lossChart) reset() {
	c.raw.reset()
	c.smooth.reset()
	c.val.reset()
	c.avg, c.last = ema{weight: chartSmoothing}, 0
	c.Refresh()
}

// lastSmoothed returns the latest smoothed training loss, 0 before the
// first.
func (c *lossChart) lastSmoothed() float64 { return c.last }

// setTimeAxis puts the training time (true) or the steps on the x axis.
func (c *lossChart) setTimeAxis(on bool) {
	c.timeAxis = on
	c.Refresh()
}

// empty reports whether the chart has nothing to draw.
func (c *lossChart) empty() bool { return c.raw.len() == 0 && c.val.len() == 0 }

// CreateRenderer is part of fyne.Widget.
func (c *lossChart) CreateRenderer() fyne.WidgetRenderer {
	r := &lossChartRenderer{c: c}
	r.plot = canvas.NewRaster(r.draw)
	r.hint = canvas.NewText("The loss appears here once training starts.", theme.Color(theme.ColorNamePlaceHolder))
	r.hint.Alignment = fyne.TextAlignCenter
	r.objects = []fyne.CanvasObject{r.plot, r.hint}
	for i := range r.yLabels {
		r.yLabels[i] = &canvas.Text{Alignment: fyne.TextAlignTrailing}
		r.xLabels[i] = &canvas.Text{Alignment: fyne.TextAlignCenter}
		r.objects = append(r.objects, r.yLabels[i], r.xLabels[i])
	}
	r.Refresh()
	return r
}

// maxTicks is the size of the label pools of each axis.
const maxTicks = 10

// chartFrame maps data to the plot: the ranges of both axes and their ticks.
type chartFrame struct {
	timeAxis bool
	x0, x1   float64   // x range, in steps or seconds
	y0, y1   float64   // log10 of the loss range
	xTicks   []float64 // in steps or seconds
	yTicks   []float64 // losses
}

// x returns the horizontal position of data x in a plot w wide.
func (f *chartFrame) x(v, w float64) float64 { return (v - f.x0) / (f.x1 - f.x0) * w }

// y returns the vertical position of loss v in a plot h high.
func (f *chartFrame) y(v, h float64) float64 { return (f.y1 - math.Log10(v)) / (f.y1 - f.y0) * h }

// xOf returns a point's x value on the frame's axis.
func (f *chartFrame) xOf(p chartPoint) float64 {
	if f.timeAxis {
		return p.seconds
	}
	return p.step
}

// label returns the text of x tick v.
func (f *chartFrame) label(v float64) string {
	if f.timeAxis {
		return clock(time.Duration(v * float64(time.Second)))
	}
	return stepLabel(v)
}

// lossChartRenderer lays out the plot and its tick labels.
type lossChartRenderer struct {
	c       *lossChart
	plot    *canvas.Raster
	hint    *canvas.Text
	yLabels [maxTicks]*canvas.Text
	xLabels [maxTicks]*canvas.Text
	objects []fyne.CanvasObject

	size    fyne.Size
	frame   chartFrame
	buf     *image.NRGBA // reused between redraws of the same size
	scratch []chartPoint
}

// Destroy is part of fyne.WidgetRenderer.
func (r *lossChartRenderer) Destroy() {}

// Objects is part of fyne.WidgetRenderer.
func (r *lossChartRenderer) Objects() []fyne.CanvasObject { return r.objects }

// MinSize is part of fyne.WidgetRenderer.
func (r *lossChartRenderer) MinSize() fyne.Size { return fyne.NewSize(320, 180) }

// Refresh is part of fyne.WidgetRenderer: it recomputes the axes from the
// data and redraws.
func (r *lossChartRenderer) Refresh() {
	r.Layout(r.size)
	r.plot.Refresh()
}

// Layout is part of fyne.WidgetRenderer: it chooses the ranges and ticks
// for size and places the labels around the plot.
func (r *lossChartRenderer) Layout(size fyne.Size) {
	r.size = size
	c := r.c
	textSize := theme.CaptionTextSize()
	fg := theme.Color(theme.ColorNameForeground)
	lineH := fyne.MeasureText("0", textSize, fyne.TextStyle{}).Height

	r.hint.Color = theme.Color(theme.ColorNamePlaceHolder)
	r.hint.Move(fyne.NewPos(0, size.Height/2-lineH))
	r.hint.Resize(fyne.NewSize(size.Width, lineH))
	r.hint.Hidden = !c.empty()

	f := chartFrame{timeAxis: c.timeAxis}
	f.x0, f.x1, f.y0, f.y1 = r.ranges()
	yCount := int(math.Max(2, math.Min(maxTicks, float64(size.Height/(2.5*lineH)))))
	f.yTicks = logTicks(math.Pow(10, f.y0), math.Pow(10, f.y1), yCount)

	// The y labels decide the left margin.
	left := float32(0)
	for i, l := range r.yLabels {
		l.Hidden = i >= len(f.yTicks) || c.empty()
		if l.Hidden {
			continue
		}
		l.Text, l.TextSize, l.Color = lossLabel(f.yTicks[i]), textSize, fg
		left = max(left, fyne.MeasureText(l.Text, textSize, fyne.TextStyle{}).Width)
	}
	pad := theme.Padding()
	left += pad
	top, right, bottom := lineH/2, pad*3, lineH+pad/2
	plotW, plotH := max(size.Width-left-right, 1), max(size.Height-top-bottom, 1)

	xCount := int(math.Max(2, math.Min(maxTicks, float64(plotW/80))))
	if f.timeAxis {
		f.xTicks = timeTicks(f.x0, f.x1, xCount)
	} else {
		f.xTicks = linearTicks(f.x0, f.x1, xCount)
	}
	for i, l := range r.yLabels {
		if !l.Hidden {
			y := top + float32(f.y(f.yTicks[i], float64(plotH)))
			l.Move(fyne.NewPos(0, y-lineH/2))
			l.Resize(fyne.NewSize(left-pad, lineH))
			l.Refresh()
		}
	}
	for i, l := range r.xLabels {
		l.Hidden = i >= len(f.xTicks) || c.empty()
		if l.Hidden {
			continue
		}
		l.Text, l.TextSize, l.Color = f.label(f.xTicks[i]), textSize, fg
		x := left + float32(f.x(f.xTicks[i], float64(plotW)))
		w := fyne.MeasureText(l.Text, textSize, fyne.TextStyle{}).Width + pad
		l.Move(fyne.NewPos(x-w/2, top+plotH+pad/2))
		l.Resize(fyne.NewSize(w, lineH))
		l.Refresh()
	}
	r.frame = f
	r.plot.Move(fyne.NewPos(left, top))
	r.plot.Resize(fyne.NewSize(plotW, plotH))
}

// ranges returns the x range, from 0 to the last point, and the log10
// range of the losses, padded so the curves do not touch the edges.
func (r *lossChartRenderer) ranges() (x0, x1, y0, y1 float64) {
	c := r.c
	lo, hi := math.Inf(1), math.Inf(-1)
	f := chartFrame{timeAxis: c.timeAxis}
	for _, s := range []*series{&c.raw, &c.val} {
		r.scratch = s.view(r.scratch[:0])
		for _, p := range r.scratch {
			lo, hi = math.Min(lo, p.value), math.Max(hi, p.value)
			x1 = math.Max(x1, f.xOf(p))
		}
	}
	x1 = math.Max(x1, 10) // at least 10 steps or seconds wide
	if lo > hi {
		lo, hi = 0.01, 1
	}
	y0, y1 = math.Log10(lo), math.Log10(hi)
	if span := y1 - y0; span < math.Log10(1.5) {
		mid := (y0 + y1) / 2
		y0, y1 = mid-math.Log10(1.5)/2, mid+math.Log10(1.5)/2
	}
	pad := (y1 - y0) * 0.05
	return 0, x1, y0 - pad, y1 + pad
}

// draw renders the grid and the curves at w×h pixels. It runs on the UI
// goroutine when the plot needs repainting.
func (r *lossChartRenderer) draw(w, h int) image.Image {
	if r.buf == nil || r.buf.Rect.Dx() != w || r.buf.Rect.Dy() != h {
		r.buf = image.NewNRGBA(image.Rect(0, 0, w, h))
	} else {
		clear(r.buf.Pix)
	}
	dst := r.buf
	f := &r.frame
	if r.c.empty() || f.x1 <= f.x0 {
		return dst
	}
	scale := 1.0
	if pw := r.plot.Size().Width; pw > 0 {
		scale = float64(w) / float64(pw)
	}
	fw, fh := float64(w), float64(h)

	grid := withAlpha(theme.Color(theme.ColorNameForeground), 0.12)
	for _, v := range f.yTicks {
		hline(dst, int(f.y(v, fh)), grid)
	}
	for _, v := range f.xTicks {
		vline(dst, int(f.x(v, fw)), grid)
	}
	axis := withAlpha(theme.Color(theme.ColorNameForeground), 0.4)
	hline(dst, h-1, axis)
	vline(dst, 0, axis)

	trainColour := withAlpha(theme.Color(theme.ColorNamePrimary), 1)
	valColour := withAlpha(theme.Color(theme.ColorNameWarning), 1)
	plot := func(s *series, c color.NRGBA, width float64, marks bool) {
		r.scratch = s.view(r.scratch[:0])
		var px, py float64
		for i, p := range r.scratch {
			x, y := f.x(f.xOf(p), fw), f.y(p.value, fh)
			if i > 0 {
				drawSegment(dst, px, py, x, y, c, width*scale)
			} else if len(r.scratch) == 1 {
				drawSegment(dst, x, y, x, y, c, width*scale)
			}
			if marks {
				drawSegment(dst, x-1.5*scale, y, x+1.5*scale, y, c, 3*scale)
			}
			px, py = x, y
		}
	}
	faint := trainColour
	faint.A = 70
	plot(&r.c.raw, faint, 1, false)
	plot(&r.c.smooth, trainColour, 1.6, false)
	plot(&r.c.val, valColour, 1.6, r.c.val.len() <= 60)
	return dst
}

// withAlpha converts c to NRGBA with opacity a in [0, 1].
func withAlpha(c color.Color, a float64) color.NRGBA {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	n.A = uint8(float64(n.A)*a + 0.5)
	return n
}

// hline draws row y of dst in colour c.
func hline(dst *image.NRGBA, y int, c color.NRGBA) {
	for x := range dst.Rect.Dx() {
		blend(dst, x, y, c, 1)
	}
}

// vline draws column x of dst in colour c.
func vline(dst *image.NRGBA, x int, c color.NRGBA) {
	for y := range dst.Rect.Dy() {
		blend(dst, x, y, c, 1)
	}
}

// blend paints colour c with coverage cov in [0, 1] over pixel (x, y) of
// dst, if inside.
func blend(dst *image.NRGBA, x, y int, c color.NRGBA, cov float64) {
	if x < 0 || y < 0 || x >= dst.Rect.Dx() || y >= dst.Rect.Dy() {
		return
	}
	a := float64(c.A) / 255 * cov
	if a <= 0 {
		return
	}
	p := dst.Pix[dst.PixOffset(x, y):][:4]
	da := float64(p[3]) / 255
	oa := a + da*(1-a)
	for k, v := range [3]uint8{c.R, c.G, c.B} {
		p[k] = uint8((float64(v)*a+float64(p[k])*da*(1-a))/oa + 0.5)
	}
	p[3] = uint8(oa*255 + 0.5)
}

// drawSegment strokes the segment from (x0, y0) to (x1, y1), in pixels,
// with the given width, anti-aliased: it walks the major axis one pixel at a
// time and covers, across it, the exact span of the stroke. The cost is
// proportional to the segment's length.
func drawSegment(dst *image.NRGBA, x0, y0, x1, y1 float64, c color.NRGBA, width float64) {
	steep := math.Abs(y1-y0) > math.Abs(x1-x0)
	if steep { // walk along y: swap the roles of the axes
		x0, y0, x1, y1 = y0, x0, y1, x1
	}
	if x0 > x1 {
		x0, y0, x1, y1 = x1, y1, x0, y0
	}
	k := 0.0
	if x1 > x0 {
		k = (y1 - y0) / (x1 - x0)
	}
	half := width / 2 * math.Sqrt(1+k*k)
	if x1-x0 < 1 { // a dot or a very short segment: cover the stroke's width
		x0, x1 = (x0+x1)/2-width/2, (x0+x1)/2+width/2
	}
	for i := math.Floor(x0); i < x1; i++ {
		along := math.Min(i+1, x1) - math.Max(i, x0) // coverage along the walk
		mid := y0 + k*(math.Min(math.Max(i+0.5, x0), x1)-x0)
		lo, hi := mid-half, mid+half
		for j := math.Floor(lo); j < hi; j++ {
			cov := along * (math.Min(j+1, hi) - math.Max(j, lo))
			if steep {
				blend(dst, int(j), int(i), c, cov)
			} else {
				blend(dst, int(i), int(j), c, cov)
			}
		}
	}
}

// logTicks returns at most n (≥ 2) tick values in [lo, hi] for a
// logarithmic axis: as many of the mantissas 1…9, then 1, 2 and 5, then 1
// of each decade as fit, then every second, third… power of ten. A range
// too narrow for two such ticks gets linear ticks.
func logTicks(lo, hi float64, n int) []float64 {
	if !(lo > 0 && hi > lo) {
		return nil
	}
	var ticks []float64
	for _, mantissas := range [][]float64{{1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 5}, {1}} {
		ticks = ticks[:0]
		for d := math.Floor(math.Log10(lo)); d <= math.Ceil(math.Log10(hi)); d++ {
			for _, m := range mantissas {
				if v := m * math.Pow(10, d); v >= lo*(1-1e-9) && v <= hi*(1+1e-9) {
					ticks = append(ticks, v)
				}
			}
		}
		if len(ticks) < 2 {
			return linearTicks(lo, hi, n)
		}
		if len(ticks) <= n {
			return ticks
		}
	}
	// Powers of ten, every step-th.
	d0, d1 := math.Ceil(math.Log10(lo)-1e-9), math.Floor(math.Log10(hi)+1e-9)
	step := math.Ceil((d1 - d0 + 1) / float64(n))
	ticks = ticks[:0]
	for d := d0; d <= d1; d += step {
		ticks = append(ticks, math.Pow(10, d))
	}
	return ticks
}

// linearTicks returns at most n (≥ 2) round tick values in [lo, hi]: the
// multiples of 1, 2 or 5 times a power of ten.
func linearTicks(lo, hi float64, n int) []float64 {
	if !(hi > lo) {
		return nil
	}
	step := niceStep((hi - lo) / float64(n))
	for {
		first := math.Ceil(lo/step-1e-9) * step
		count := int(math.Floor((hi-first)/step+1e-9)) + 1
		if count <= n {
			ticks := make([]float64, count)
			for i := range ticks {
				ticks[i] = first + float64(i)*step
			}
			return ticks
		}
		step = niceStep(step * 1.5)
	}
}

// niceStep returns the smallest of 1, 2 and 5 times a power of ten that is
// at least v (> 0).
func niceStep(v float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// timeSteps are the tick intervals of a time axis, in seconds.
var timeSteps = [...]float64{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 10800, 21600}

// timeTicks returns at most n (≥ 2) tick values in [lo, hi] seconds, at
// round numbers of seconds, minutes or hours.
func timeTicks(lo, hi float64, n int) []float64 {
	if !(hi > lo) {
		return nil
	}
	for _, step := range timeSteps {
		first := math.Ceil(lo/step-1e-9) * step
		if count := int(math.Floor((hi-first)/step+1e-9)) + 1; count <= n {
			ticks := make([]float64, count)
			for i := range ticks {
				ticks[i] = first + float64(i)*step
			}
			return ticks
		}
	}
	return linearTicks(lo, hi, n)
}

// lossLabel formats a loss tick: three significant digits at most.
func lossLabel(v float64) string { return strconv.FormatFloat(v, 'g', 3, 64) }

// stepLabel formats a step tick: "900", "1500", "12k".
func stepLabel(v float64) string {
	s := int64(math.Round(v))
	if s >= 10000 && s%1000 == 0 {
		return strconv.FormatInt(s/1000, 10) + "k"
	}
	return strconv.FormatInt(s, 10)
}

// clock formats a duration as m:ss, or h:mm:ss from an hour on.
func clock(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	if s < 0 {
		s = 0
	}
	pad := func(v int64) string {
		if v < 10 {
			return "0" + strconv.FormatInt(v, 10)
		}
		return strconv.FormatInt(v, 10)
	}
	if s >= 3600 {
		return strconv.FormatInt(s/3600, 10) + ":" + pad(s/60%60) + ":" + pad(s%60)
	}
	return strconv.FormatInt(s/60, 10) + ":" + pad(s%60)
}
