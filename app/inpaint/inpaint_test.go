package inpaint

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"diabolo/app/picture"
)

// ramp returns a w×h picture whose planes are linear ramps, which the
// harmonic fill reproduces exactly.
func ramp(w, h int) *picture.Image {
	img := picture.New(w, h)
	for y := range h {
		for x := range w {
			i := y*w + x
			img.Pix[i] = 0.1 + 0.6*float32(x)/float32(w)
			img.Pix[w*h+i] = 0.8 - 0.5*float32(y)/float32(h)
			img.Pix[2*w*h+i] = 0.2 + 0.3*float32(x+y)/float32(w+h)
		}
	}
	return img
}

// paint returns a w×h mask painted (1) where inside says so.
func paint(w, h int, inside func(x, y int) bool) []float32 {
	m := make([]float32, w*h)
	for y := range h {
		for x := range w {
			if inside(x, y) {
				m[y*w+x] = 1
			}
		}
	}
	return m
}

// Painted regions of a linear ramp, from a thin stroke to a wide block,
// are filled back to the ramp; a region that reaches the edge of the
// picture, where nothing bounds it, is filled flat across (the slope
// there is not known) and stays close. Unpainted pixels and the alpha
// channel stay exactly as they were.
func TestFillRestoresRamps(t *testing.T) {
	const w, h = 97, 64
	cases := []struct {
		name      string
		inside    func(x, y int) bool
		tolerance float64
	}{
		{"stroke", func(x, y int) bool { return y == 30 && x > 10 && x < 80 }, 2e-3},
		{"block", func(x, y int) bool { return x >= 20 && x < 70 && y >= 10 && y < 50 }, 2e-3},
		{"text", func(x, y int) bool { return y >= 20 && y < 28 && x%7 >= 3 && x%7 < 5 }, 2e-3},
		{"edges", func(x, y int) bool { return x < 15 || y >= 55 }, 0.12},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			img := ramp(w, h)
			img.Alpha = make([]float32, w*h)
			for i := range img.Alpha {
				img.Alpha[i] = float32(i%5) / 4
			}
			want := img.Clone()
			mask := paint(w, h, c.inside)
			// What lies under the paint must not matter.
			for i, m := range mask {
				if m > 0 {
					for ch := range picture.Channels {
						img.Pix[ch*w*h+i] = 1
					}
				}
			}
			got, err := Fill(context.Background(), img, mask)
			if err != nil {
				t.Fatal(err)
			}
			for i := range want.Pix {
				d := math.Abs(float64(got.Pix[i] - want.Pix[i]))
				if painted := mask[i%(w*h)] > 0; (painted && d > c.tolerance) || (!painted && d != 0) {
					t.Fatalf("value %d (painted %v): %g, want %g", i, painted, got.Pix[i], want.Pix[i])
				}
			}
			for i := range want.Alpha {
				if got.Alpha[i] != want.Alpha[i] {
					t.Fatalf("alpha %d changed", i)
				}
			}
			if img.Pix[0] != want.Pix[0] && mask[0] == 0 {
				t.Fatal("Fill changed its input")
			}
		})
	}
}

// Bad masks are errors that say what is wrong; an empty mask is a copy.
func TestFillErrors(t *testing.T) {
	img := ramp(8, 6)
	if _, err := Fill(context.Background(), img, make([]float32, 47)); err == nil || !strings.Contains(err.Error(), "the mask has 47 pixels, the 8×6 picture 48") {
		t.Errorf("short mask: %v", err)
	}
	if _, err := Fill(context.Background(), img, paint(8, 6, func(int, int) bool { return true })); !errors.Is(err, ErrAllPainted) {
		t.Errorf("all painted: %v, want ErrAllPainted", err)
	}
	got, err := Fill(context.Background(), img, make([]float32, 48))
	if err != nil {
		t.Fatal(err)
	}
	for i := range got.Pix {
		if got.Pix[i] != img.Pix[i] {
			t.Fatalf("empty mask changed value %d", i)
		}
	}
	one := picture.New(1, 1)
	if _, err := Fill(context.Background(), one, []float32{1}); !errors.Is(err, ErrAllPainted) {
		t.Errorf("1×1 painted: %v", err)
	}
}

// A cancelled fill returns the context's error, not a half-filled picture.
func TestFillCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	img := ramp(40, 30)
	got, err := Fill(ctx, img, paint(40, 30, func(x, y int) bool { return x > 10 && x < 20 }))
	if !errors.Is(err, context.Canceled) || got != nil {
		t.Errorf("Fill after cancel = %v, %v; want nil and context.Canceled", got, err)
	}
}

// FuzzFill checks, on pictures and masks drawn from the fuzzer's bytes,
// that Fill keeps unpainted pixels exactly and, by the maximum principle
// of harmonic functions, fills each plane within the range of its
// unpainted values.
func FuzzFill(f *testing.F) {
	f.Add(uint8(5), uint8(4), []byte{0, 255, 7, 3, 200, 1, 9})
	f.Add(uint8(1), uint8(1), []byte{1})
	f.Add(uint8(17), uint8(3), []byte("painted strokes over a photo"))
	f.Fuzz(func(t *testing.T, w8, h8 uint8, data []byte) {
		w, h := int(w8%24)+1, int(h8%24)+1
		if len(data) == 0 {
			return
		}
		img := picture.New(w, h)
		mask := make([]float32, w*h)
		for i := range img.Pix {
			img.Pix[i] = float32(data[i%len(data)]) / 255
		}
		for i := range mask {
			if data[(i*7+3)%len(data)]%3 == 0 {
				mask[i] = 1
			}
		}
		got, err := Fill(context.Background(), img, mask)
		if errors.Is(err, ErrAllPainted) {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		n := w * h
		for c := range picture.Channels {
			lo, hi := float32(1), float32(0)
			for i := range n {
				if mask[i] == 0 {
					lo, hi = min(lo, img.Pix[c*n+i]), max(hi, img.Pix[c*n+i])
				}
			}
			for i := range n {
				v := got.Pix[c*n+i]
				if mask[i] == 0 && v != img.Pix[c*n+i] {
					t.Fatalf("unpainted value changed at %d", c*n+i)
				}
				if mask[i] != 0 && (v < lo-1e-5 || v > hi+1e-5) {
					t.Fatalf("filled value %g outside the unpainted range [%g, %g]", v, lo, hi)
				}
			}
		}
	})
}
