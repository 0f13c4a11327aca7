// Package synthetic makes test inputs that tests of several packages share:
// pictures with photo-like structure, and tiny models whose answers are
// known in advance.
package synthetic

import (
	"math"
	"math/rand/v2"

	"diabolo/app/picture"
)

// Photo returns a w×h picture with photo-like structure drawn from
// seed: a smooth colour gradient, a few oriented sinusoidal textures, random
// discs and rectangles with soft edges, and a little sensor noise.
func Photo(w, h int, seed uint64) *picture.Image {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	img := picture.New(w, h)
	n := w * h
	var base, gx, gy [3]float64
	for c := range 3 {
		base[c] = 0.15 + 0.7*rng.Float64()
		gx[c] = (rng.Float64() - 0.5) * 0.6 / float64(w)
		gy[c] = (rng.Float64() - 0.5) * 0.6 / float64(h)
	}
	type wave struct{ fx, fy, phase, amp float64 }
	waves := make([]wave, 1+rng.IntN(3))
	for i := range waves {
		f := 0.05 + 0.5*rng.Float64()
		t := rng.Float64() * math.Pi
		waves[i] = wave{f * math.Cos(t), f * math.Sin(t), rng.Float64() * 2 * math.Pi, 0.02 + 0.08*rng.Float64()}
	}
	type blob struct {
		x, y, r float64
		square  bool
		colour  [3]float64
	}
	blobs := make([]blob, 2+rng.IntN(6))
	for i := range blobs {
		b := blob{x: rng.Float64() * float64(w), y: rng.Float64() * float64(h),
			r: (0.05 + 0.25*rng.Float64()) * float64(min(w, h)), square: rng.IntN(2) == 0}
		for c := range 3 {
			b.colour[c] = rng.Float64()
		}
		blobs[i] = b
	}
	for y := range h {
		for x := range w {
			fx, fy := float64(x)+0.5, float64(y)+0.5
			var v [3]float64
			for c := range 3 {
				v[c] = base[c] + gx[c]*(fx-float64(w)/2) + gy[c]*(fy-float64(h)/2)
			}
			for _, wv := range waves {
				s := wv.amp * math.Sin(wv.fx*fx+wv.fy*fy+wv.phase)
				for c := range 3 {
					v[c] += s
				}
			}
			for _, b := range blobs {
				var d float64
				if b.square {
					d = max(math.Abs(fx-b.x), math.Abs(fy-b.y)) - b.r
				} else {
					d = math.Hypot(fx-b.x, fy-b.y) - b.r
				}
				cover := min(max(0.5-d, 0), 1)
				for c := range 3 {
					v[c] += cover * (b.colour[c] - v[c])
				}
			}
			for c := range 3 {
				img.Pix[c*n+y*w+x] = float32(min(max(v[c]+0.01*rng.NormFloat64(), 0), 1))
			}
		}
	}
	return img
}
