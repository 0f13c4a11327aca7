package watermark

import (
	"math/rand/v2"
	"testing"
)

// Footprint must equal the brute-force square dilation of the marked pixels.
func TestFootprintDilatesTheMarks(t *testing.T) {
	const threshold = 0.02
	rng := rand.New(rand.NewPCG(1, 1))
	for _, c := range []struct{ w, h, radius int }{{17, 9, 1}, {9, 17, 3}, {40, 31, 6}, {5, 5, 8}} {
		opacity := make([]float32, c.w*c.h)
		for i := range opacity {
			if rng.Float64() < 0.03 {
				opacity[i] = 0.5
			} else if rng.Float64() < 0.1 {
				opacity[i] = threshold / 2 // too faint to count
			}
		}
		got := make([]float32, c.w*c.h)
		for i := range got {
			got[i] = 7 // must be overwritten
		}
		Footprint(got, opacity, c.w, c.h, c.radius, threshold)
		for y := 0; y < c.h; y++ {
			for x := 0; x < c.w; x++ {
				want := float32(0)
				for v := max(0, y-c.radius); v <= min(c.h-1, y+c.radius); v++ {
					for u := max(0, x-c.radius); u <= min(c.w-1, x+c.radius); u++ {
						if opacity[v*c.w+u] > threshold {
							want = 1
						}
					}
				}
				if got[y*c.w+x] != want {
					t.Fatalf("%dx%d r%d: mask(%d,%d) = %g, want %g", c.w, c.h, c.radius, x, y, got[y*c.w+x], want)
				}
			}
		}
	}
}
