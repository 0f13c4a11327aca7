package picture

import (
	"image"
	"testing"
)

func TestCropAndPaste(t *testing.T) {
	m := New(7, 5)
	m.Alpha = make([]float32, 35)
	for i := range m.Pix {
		m.Pix[i] = float32(i) / 105
	}
	for i := range m.Alpha {
		m.Alpha[i] = float32(i) / 35
	}
	r := image.Rect(2, 1, 6, 4)
	c := m.Crop(r)
	if c.Width != 4 || c.Height != 3 || len(c.Alpha) != 12 {
		t.Fatalf("crop %dx%d with %d alpha values, want 4x3 with 12", c.Width, c.Height, len(c.Alpha))
	}
	for y := 0; y < 3; y++ {
		for x := 0; x < 4; x++ {
			for ch := 0; ch < Channels; ch++ {
				if got, want := c.Pix[ch*12+y*4+x], m.Pix[ch*35+(y+1)*7+x+2]; got != want {
					t.Fatalf("crop (%d,%d) channel %d = %v, want %v", x, y, ch, got, want)
				}
			}
			if got, want := c.Alpha[y*4+x], m.Alpha[(y+1)*7+x+2]; got != want {
				t.Fatalf("crop alpha (%d,%d) = %v, want %v", x, y, got, want)
			}
		}
	}
	// Pasting the crop, changed, back puts it where it came from and
	// leaves the rest alone.
	for i := range c.Pix {
		c.Pix[i] = 1
	}
	out := m.Clone()
	out.Paste(c, r.Min)
	for i := 0; i < 35; i++ {
		inside := image.Pt(i%7, i/7).In(r)
		for ch := 0; ch < Channels; ch++ {
			want := m.Pix[ch*35+i]
			if inside {
				want = 1
			}
			if out.Pix[ch*35+i] != want {
				t.Fatalf("pixel %d channel %d = %v, want %v", i, ch, out.Pix[ch*35+i], want)
			}
		}
	}
}

func TestCropOutsidePanics(t *testing.T) {
	for _, r := range []image.Rectangle{image.Rect(0, 0, 8, 5), image.Rect(3, 3, 3, 4), image.Rect(-1, 0, 2, 2)} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Crop(%v) of a 7x5 image did not panic", r)
				}
			}()
			New(7, 5).Crop(r)
		}()
	}
}
