package ui

import (
	"math"
	"testing"
)

const tol = 1e-9

func near(a, b float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }

func nearPoint(a, b point) bool { return near(a.X, b.X) && near(a.Y, b.Y) }

// newTestViewport returns a viewport on a w×h image in a vw×vh view.
func newTestViewport(w, h int, vw, vh float64) *viewport {
	v := newViewport()
	v.resize(vw, vh)
	v.setImage(w, h)
	return v
}

func TestViewportFit(t *testing.T) {
	tests := []struct {
		name         string
		w, h         int
		vw, vh       float64
		wantScale    float64
		wantOrigin   point
		wantVisibleW float64
	}{
		{"wide image letterboxed", 400, 100, 200, 200, 0.5, point{0, -150}, 400},
		{"tall image pillarboxed", 100, 400, 200, 200, 0.5, point{-150, 0}, 400},
		{"small image magnified", 50, 50, 200, 100, 2, point{-25, 0}, 100},
		{"exact fit", 300, 200, 300, 200, 1, point{0, 0}, 300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newTestViewport(tt.w, tt.h, tt.vw, tt.vh)
			if !v.fit {
				t.Fatal("a new image is not in Fit mode")
			}
			if !near(v.scale, tt.wantScale) {
				t.Errorf("scale = %v, want %v", v.scale, tt.wantScale)
			}
			if !nearPoint(v.origin, tt.wantOrigin) {
				t.Errorf("origin = %v, want %v", v.origin, tt.wantOrigin)
			}
			vis := v.visible()
			if got := vis.Max.X - vis.Min.X; !near(got, tt.wantVisibleW) {
				t.Errorf("visible width = %v, want %v", got, tt.wantVisibleW)
			}
		})
	}
}

func TestViewportFitFollowsResize(t *testing.T) {
	v := newTestViewport(400, 400, 200, 200)
	v.resize(100, 300)
	if !near(v.scale, 0.25) {
		t.Fatalf("after resize in Fit mode, scale = %v, want 0.25", v.scale)
	}
	v.setScale(1)
	v.resize(200, 200)
	if v.fit || !near(v.scale, 1) {
		t.Fatalf("after resize at 100%%, fit = %v scale = %v, want false 1", v.fit, v.scale)
	}
}

func TestViewportZoomAtKeepsPointUnderCursor(t *testing.T) {
	tests := []struct {
		name   string
		start  float64 // scale before zooming; 0 keeps Fit
		cursor point
		factor float64
	}{
		{"zoom in from fit at centre", 0, point{100, 100}, 2},
		{"zoom in from fit off centre", 0, point{30, 170}, 4},
		{"zoom in at 100%", 1, point{10, 20}, 1.5},
		{"zoom out at 800%", 8, point{150, 60}, 0.5},
		{"wheel notch", 2, point{199, 1}, wheelFactor(25)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newTestViewport(1000, 1000, 200, 200)
			if tt.start != 0 {
				v.setScale(tt.start)
			}
			before := v.toImage(tt.cursor)
			v.zoomAt(tt.cursor, tt.factor)
			if v.fit {
				t.Error("zooming left Fit mode on")
			}
			if after := v.toImage(tt.cursor); !nearPoint(after, before) {
				t.Errorf("image point under cursor moved from %v to %v", before, after)
			}
			if got := v.toScreen(before); !nearPoint(got, tt.cursor) {
				t.Errorf("toScreen(toImage(p)) = %v, want %v", got, tt.cursor)
			}
		})
	}
}

func TestViewportZoomClamps(t *testing.T) {
	tests := []struct {
		name       string
		w, h       int
		scale      float64
		cursor     point
		factor     float64
		wantScale  float64
		wantOrigin point
	}{
		{"cannot zoom out past fit", 1000, 1000, 1, point{0, 0}, 1.0 / 64, 0.2, point{0, 0}},
		{"small image stops at 100%", 50, 50, 2, point{100, 100}, 0.1, 1, point{-75, -75}},
		{"cannot zoom in past max", 1000, 1000, 32, point{0, 0}, 8, maxScale, point{496.875, 496.875}},
		{"zooming out keeps the image covering the view", 1000, 1000, 1, point{0, 0}, 0.25, 0.25, point{200, 200}},
		{"zooming out at bottom right clamps to the far edge", 1000, 1000, 4, point{200, 200}, 0.5, 2, point{900, 900}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newTestViewport(tt.w, tt.h, 200, 200)
			v.setScale(tt.scale)
			if tt.name == "zooming out at bottom right clamps to the far edge" {
				v.panBy(-1e6, -1e6) // to the bottom-right corner
			}
			v.zoomAt(tt.cursor, tt.factor)
			if !near(v.scale, tt.wantScale) {
				t.Errorf("scale = %v, want %v", v.scale, tt.wantScale)
			}
			if !nearPoint(v.origin, tt.wantOrigin) {
				t.Errorf("origin = %v, want %v", v.origin, tt.wantOrigin)
			}
		})
	}
}

func TestViewportPan(t *testing.T) {
	tests := []struct {
		name       string
		scale      float64
		dx, dy     float64
		wantOrigin point
	}{
		{"drag left shows the right", 1, -50, 0, point{450, 400}},
		{"drag at 200% moves half as many image pixels", 2, 40, -40, point{430, 470}},
		{"cannot drag past the top-left edge", 1, 1e6, 1e6, point{0, 0}},
		{"cannot drag past the bottom-right edge", 1, -1e6, -1e6, point{800, 800}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newTestViewport(1000, 1000, 200, 200)
			v.setScale(tt.scale) // centred on (500, 500)
			v.panBy(tt.dx, tt.dy)
			if !nearPoint(v.origin, tt.wantOrigin) {
				t.Errorf("origin = %v, want %v", v.origin, tt.wantOrigin)
			}
		})
	}
}

func TestViewportPanInFitDoesNothing(t *testing.T) {
	v := newTestViewport(400, 100, 200, 200)
	want := v.origin
	v.panBy(30, -30)
	if !nearPoint(v.origin, want) {
		t.Errorf("origin = %v after a drag in Fit mode, want %v", v.origin, want)
	}
}

func TestViewportSameSizeImageKeepsZoom(t *testing.T) {
	v := newTestViewport(1000, 800, 200, 200)
	v.zoomAt(point{50, 50}, 3)
	scale, origin := v.scale, v.origin
	v.setImage(1000, 800)
	if v.scale != scale || v.origin != origin {
		t.Errorf("same-size image changed the view: scale %v→%v origin %v→%v", scale, v.scale, origin, v.origin)
	}
	v.setImage(500, 800)
	if !v.fit {
		t.Error("an image of another size did not refit")
	}
}

func TestWheelFactor(t *testing.T) {
	tests := []struct {
		dy, want float64
	}{
		{0, 1},
		{wheelUnit, 2},
		{-wheelUnit, 0.5},
		{2 * wheelUnit, 4},
	}
	for _, tt := range tests {
		if got := wheelFactor(tt.dy); !near(got, tt.want) {
			t.Errorf("wheelFactor(%v) = %v, want %v", tt.dy, got, tt.want)
		}
	}
}
