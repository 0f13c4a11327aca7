package ui

import (
	"math"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func TestSeriesStaysBounded(t *testing.T) {
	tests := []struct {
		name       string
		limit, add int
		wantLen    int // points view gives
	}{
		{"below the limit", 8, 5, 5},
		{"one short of the limit", 8, 7, 7},
		{"at the limit: halved", 8, 8, 4},
		{"after halving, pairs", 8, 9, 5},
		{"odd limit keeps the odd point pending", 7, 7, 4},
		{"a two-hour run at 4 events a second", chartLimit, 4 * 7200, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSeries(tt.limit)
			sum := 0.0
			for i := range tt.add {
				v := float64(i%17) + 1
				sum += v
				s.add(chartPoint{step: float64(i + 1), seconds: float64(i) / 4, value: v})
			}
			pts := s.view(nil)
			if tt.wantLen > 0 && len(pts) != tt.wantLen {
				t.Errorf("%d points, want %d", len(pts), tt.wantLen)
			}
			if len(pts) > tt.limit || len(pts) < min(tt.add, tt.limit/2) {
				t.Errorf("%d points, want between %d and %d", len(pts), min(tt.add, tt.limit/2), tt.limit)
			}
			if s.len() != len(pts) {
				t.Errorf("len() = %d, view has %d", s.len(), len(pts))
			}
			// Decimation keeps every raw point, in order, and the mean.
			n, total := 0, 0.0
			for i, p := range pts {
				n += p.n
				total += p.value * float64(p.n)
				if i > 0 && p.step <= pts[i-1].step {
					t.Fatalf("points out of order at %d: %v after %v", i, p.step, pts[i-1].step)
				}
			}
			if n != tt.add || math.Abs(total-sum) > 1e-6*sum {
				t.Errorf("points hold %d raw points summing to %v, want %d summing to %v", n, total, tt.add, sum)
			}
			if last := pts[len(pts)-1]; last.step > float64(tt.add) || last.step < float64(tt.add)-float64(last.n) {
				t.Errorf("last point at step %v, want the last %d raw steps up to %d", last.step, last.n, tt.add)
			}
		})
	}
}

func TestEMA(t *testing.T) {
	e := ema{weight: 0.8}
	if v := e.add(0.5); v != 0.5 {
		t.Errorf("first smoothed value %v, want 0.5 (bias corrected)", v)
	}
	for range 10 {
		if v := e.add(0.5); math.Abs(v-0.5) > 1e-12 {
			t.Fatalf("constant input smoothed to %v", v)
		}
	}
	var v float64
	for range 100 {
		v = e.add(0.1)
	}
	if math.Abs(v-0.1) > 1e-6 {
		t.Errorf("after a step down to 0.1 the average is %v", v)
	}
}

func TestChartSkipsValuesALogScaleCannotShow(t *testing.T) {
	c := newLossChart()
	for _, v := range []float64{0, -1, math.NaN(), math.Inf(1), 0.5} {
		c.addStep(1, time.Second, v)
		c.addValidation(1, time.Second, v)
	}
	if c.raw.len() != 1 || c.smooth.len() != 1 || c.val.len() != 1 || c.lastSmoothed() != 0.5 {
		t.Errorf("raw %d, smooth %d, val %d points, last %v; want only the 0.5s", c.raw.len(), c.smooth.len(), c.val.len(), c.lastSmoothed())
	}
	c.reset()
	if !c.empty() || c.lastSmoothed() != 0 {
		t.Error("reset left points")
	}
}

func TestLogTicks(t *testing.T) {
	tests := []struct {
		lo, hi float64
		n      int
		want   []float64
	}{
		{0.02, 0.05, 8, []float64{0.02, 0.03, 0.04, 0.05}},
		{0.01, 1, 8, []float64{0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1}},
		{0.001, 1, 5, []float64{0.001, 0.01, 0.1, 1}},
		{1e-6, 1, 4, []float64{1e-6, 1e-4, 1e-2, 1}},
		{0.021, 0.024, 5, []float64{0.021, 0.022, 0.023, 0.024}}, // too narrow: linear
		{0.05, 0.01, 5, nil},
	}
	for _, tt := range tests {
		got := logTicks(tt.lo, tt.hi, tt.n)
		if !closeAll(got, tt.want) {
			t.Errorf("logTicks(%v, %v, %d) = %v, want %v", tt.lo, tt.hi, tt.n, got, tt.want)
		}
		if len(got) > tt.n {
			t.Errorf("logTicks(%v, %v, %d) gives %d ticks", tt.lo, tt.hi, tt.n, len(got))
		}
	}
}

func TestLinearAndTimeTicks(t *testing.T) {
	tests := []struct {
		name   string
		ticks  func(lo, hi float64, n int) []float64
		lo, hi float64
		n      int
		want   []float64
	}{
		{"steps", linearTicks, 0, 100, 6, []float64{0, 20, 40, 60, 80, 100}},
		{"steps, few ticks", linearTicks, 0, 1234, 3, []float64{0, 500, 1000}},
		{"seconds", timeTicks, 0, 50, 6, []float64{0, 10, 20, 30, 40, 50}},
		{"minutes", timeTicks, 0, 600, 6, []float64{0, 120, 240, 360, 480, 600}},
		{"two hours", timeTicks, 0, 7200, 5, []float64{0, 1800, 3600, 5400, 7200}},
	}
	for _, tt := range tests {
		if got := tt.ticks(tt.lo, tt.hi, tt.n); !closeAll(got, tt.want) {
			t.Errorf("%s: ticks(%v, %v, %d) = %v, want %v", tt.name, tt.lo, tt.hi, tt.n, got, tt.want)
		}
	}
}

func TestTickLabels(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{lossLabel(0.05), "0.05"},
		{lossLabel(0.30000000000000004), "0.3"},
		{lossLabel(1e-5), "1e-05"},
		{stepLabel(900), "900"},
		{stepLabel(12000), "12k"},
		{stepLabel(12500), "12500"},
		{clock(0), "0:00"},
		{clock(65 * time.Second), "1:05"},
		{clock(time.Hour + 2*time.Minute + 3*time.Second), "1:02:03"},
		{compactCount(950), "950"},
		{compactCount(2328), "2.3k"},
		{compactCount(123456), "123k"},
		{compactCount(1234567), "1.2M"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// closeAll reports whether a and b hold the same values, up to rounding.
func closeAll(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Abs(x-y) <= 1e-9*math.Max(1, math.Abs(y)) })
}

// TestChartDrawsOnALogScale draws a loss falling geometrically, from 1 to
// 0.01, which on a log scale is a straight line going down.
func TestChartDrawsOnALogScale(t *testing.T) {
	test.NewTempApp(t)
	c := newLossChart()
	for i := 0; i <= 100; i++ {
		c.addStep(i*10, time.Duration(i)*time.Second, math.Pow(0.01, float64(i)/100))
	}
	w := test.NewTempWindow(t, c)
	w.Resize(fyne.NewSize(400, 300))
	r := test.WidgetRenderer(c).(*lossChartRenderer)
	const pw, ph = 360, 240
	img := r.draw(pw, ph)
	// The mean row of the opaque line pixels in a column.
	row := func(x int) float64 {
		sum, n := 0.0, 0
		for y := range ph {
			if _, _, _, a := img.At(x, y).RGBA(); a > 0xf000 {
				sum += float64(y)
				n++
			}
		}
		if n == 0 {
			return math.NaN()
		}
		return sum / float64(n)
	}
	// Past the first steps, where the smoothing has settled.
	left, mid, right := row(pw*3/10), row(pw*6/10), row(pw*9/10)
	if math.IsNaN(left+mid+right) || !(left < mid && mid < right) {
		t.Fatalf("line rows at 30%%, 60%%, 90%% of the width: %v, %v, %v; want a line going down", left, mid, right)
	}
	if d := math.Abs(mid - (left+right)/2); d > 4 {
		t.Errorf("the middle of the line is %.1f pixels off straight: the loss axis is not logarithmic", d)
	}
	if r.hint.Visible() {
		t.Error("the empty-chart hint is shown over a curve")
	}
	if got := r.frame.yTicks; len(got) < 2 || got[0] > 0.011 || got[len(got)-1] < 0.99 {
		t.Errorf("loss ticks %v do not span 0.01 to 1", got)
	}
}

// BenchmarkChartDraw draws a chart full of points (a long run, decimated)
// at the size of a large plot on a high-density screen: the cost of one
// frame of the Training tab while the chart changes.
func BenchmarkChartDraw(b *testing.B) {
	test.NewTempApp(b)
	c := newLossChart()
	for i := range 4 * 7200 {
		c.addStep(i*4, time.Duration(i)*250*time.Millisecond, 0.05+0.1/float64(i+1)+0.01*math.Sin(float64(i)))
		if i%40 == 0 {
			c.addValidation(i*4, time.Duration(i)*250*time.Millisecond, 0.05+0.1/float64(i+1))
		}
	}
	w := test.NewTempWindow(b, c)
	w.Resize(fyne.NewSize(900, 350))
	r := test.WidgetRenderer(c).(*lossChartRenderer)
	b.ReportAllocs()
	for b.Loop() {
		r.draw(1800, 700)
	}
}
