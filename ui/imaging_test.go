package ui

import (
	"image"
	"image/color"
	"testing"

	"diabolo/app/picture"
)

// numbered returns a w×h image whose pixel (x, y) has red x and green y.
func numbered(w, h int) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.SetNRGBA(x, y, color.NRGBA{uint8(x), uint8(y), 0, 255})
		}
	}
	return m
}

func TestHalve(t *testing.T) {
	tests := []struct {
		name   string
		src    *image.NRGBA
		wantW  int
		wantH  int
		at     image.Point
		wantPx color.NRGBA
	}{
		{"even block averages 2×2", numbered(4, 4), 2, 2, image.Pt(1, 0), color.NRGBA{3, 1, 0, 255}},        // (2+3)/2, (0+1)/2 rounded
		{"odd edge averages what is left", numbered(5, 3), 3, 2, image.Pt(2, 1), color.NRGBA{4, 2, 0, 255}}, // single pixel (4, 2)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := halve(tt.src)
			if b := got.Bounds(); b.Dx() != tt.wantW || b.Dy() != tt.wantH {
				t.Fatalf("size %v, want %dx%d", b.Size(), tt.wantW, tt.wantH)
			}
			if px := got.NRGBAAt(tt.at.X, tt.at.Y); px != tt.wantPx {
				t.Errorf("pixel %v = %v, want %v", tt.at, px, tt.wantPx)
			}
		})
	}
}

func TestHalveIgnoresTransparentColour(t *testing.T) {
	m := image.NewNRGBA(image.Rect(0, 0, 2, 1))
	m.SetNRGBA(0, 0, color.NRGBA{200, 0, 0, 255})
	m.SetNRGBA(1, 0, color.NRGBA{0, 0, 200, 0}) // invisible blue
	if got, want := halve(m).NRGBAAt(0, 0), (color.NRGBA{200, 0, 0, 128}); got != want {
		t.Errorf("halve = %v, want %v", got, want)
	}
}

func TestPyramidLevels(t *testing.T) {
	p := newPyramid(numbered(200, 100))
	wantSizes := []image.Point{{200, 100}, {100, 50}, {50, 25}, {25, 13}}
	if len(p.levels) != len(wantSizes) {
		t.Fatalf("%d levels, want %d", len(p.levels), len(wantSizes))
	}
	for i, want := range wantSizes {
		if got := p.levels[i].Bounds().Size(); got != want {
			t.Errorf("level %d is %v, want %v", i, got, want)
		}
	}
	tests := []struct {
		scale     float64
		wantLevel int
	}{{4, 0}, {1, 0}, {0.6, 0}, {0.5, 1}, {0.3, 1}, {0.25, 2}, {0.01, 3}}
	for _, tt := range tests {
		src, f := p.level(tt.scale)
		if src != p.levels[tt.wantLevel] || f != 1/float64(int(1)<<tt.wantLevel) {
			t.Errorf("level(%v) is not level %d", tt.scale, tt.wantLevel)
		}
	}
}

func TestRenderInto(t *testing.T) {
	p := newPyramid(numbered(64, 64))
	tests := []struct {
		name  string
		scale float64
		at    image.Point // destination pixel
		want  color.NRGBA
	}{
		{"100% is pixel exact", 1, image.Pt(5, 7), color.NRGBA{15, 17, 0, 255}},
		{"200% repeats pixels in 2×2 blocks", 2, image.Pt(5, 7), color.NRGBA{12, 13, 0, 255}},
		{"200% block neighbour", 2, image.Pt(4, 6), color.NRGBA{12, 13, 0, 255}},
		{"outside the image is left transparent", 1, image.Pt(60, 0), color.NRGBA{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newTestViewport(64, 64, 20, 20)
			v.setScale(tt.scale)
			v.origin = point{10, 10}
			if tt.at.X >= 54 { // look past the right edge
				v.origin = point{10, 0}
			}
			dst := image.NewNRGBA(image.Rect(0, 0, 64, 20))
			p.renderInto(dst, v, 0, 64)
			if got := dst.NRGBAAt(tt.at.X, tt.at.Y); got != tt.want {
				t.Errorf("pixel %v = %v, want %v", tt.at, got, tt.want)
			}
		})
	}
}

func TestRenderIntoColumns(t *testing.T) {
	a := newPyramid(numbered(10, 10))
	v := newTestViewport(10, 10, 10, 10)
	dst := image.NewNRGBA(image.Rect(0, 0, 10, 10))
	a.renderInto(dst, v, 3, 6)
	for x := range 10 {
		got := dst.NRGBAAt(x, 0)
		inside := x >= 3 && x < 6
		if inside != (got.A == 255) {
			t.Errorf("column %d drawn = %v, want %v", x, got.A == 255, inside)
		}
	}
}

func TestThumbnail(t *testing.T) {
	tests := []struct {
		w, h, side   int
		wantW, wantH int
	}{
		{4000, 3000, 160, 160, 120},
		{300, 1200, 160, 40, 160},
		{100, 50, 160, 100, 50}, // never enlarged
	}
	for _, tt := range tests {
		got := thumbnail(image.NewNRGBA(image.Rect(0, 0, tt.w, tt.h)), tt.side).Bounds().Size()
		if got != image.Pt(tt.wantW, tt.wantH) {
			t.Errorf("thumbnail of %dx%d in %d = %v, want %dx%d", tt.w, tt.h, tt.side, got, tt.wantW, tt.wantH)
		}
	}
}

func TestResidual(t *testing.T) {
	a, b := picture.New(1, 1), picture.New(1, 1)
	a.Pix = []float32{0.6, 0.5, 0.2}
	b.Pix = []float32{0.5, 0.5, 0.3}
	tests := []struct {
		name   string
		signed bool
		want   []float32
	}{
		{"signed around mid-grey", true, []float32{0.8, 0.5, 0.2}},
		{"absolute on black", false, []float32{0.3, 0, 0.3}},
	}
	for _, tt := range tests {
		got := residual(a, b, 3, tt.signed).Pix
		for i := range got {
			if d := got[i] - tt.want[i]; d > 1e-6 || d < -1e-6 {
				t.Errorf("%s: residual = %v, want %v", tt.name, got, tt.want)
				break
			}
		}
	}
}
