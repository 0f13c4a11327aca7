// Package noise corrupts pictures the way cameras, files and careless
// processing do — Gaussian, Poisson-Gaussian, salt-and-pepper, speckle and
// JPEG artefacts — to make training pairs and evaluation inputs for the
// denoiser, and estimates the noise level of a photo.
//
// A Model is described by a short text spec (see Parse), such as
// "gaussian:25", "gaussian:0-50" for blind training, or
// "gaussian:25+quantize", the evaluation protocol: add Gaussian noise of
// σ = 25 on the 0–255 scale, clip to [0, 1] and round to 8 bits.
//
// Models are immutable values: one Model may be used by many goroutines at
// once, each with its own random source.
package noise

import (
	"math/rand/v2"
	"strconv"

	"diabolo/app/picture"
)

// Level is the nominal standard deviation of the noise a Model added in one
// Apply, on the 0–1 scale of picture values: the standard deviation the model
// adds to a mid-grey value of 0.5, before clipping. A denoiser that takes a
// noise-level input is fed this value. Each model documents its own Level.
type Level float64

// Model is a way of corrupting a picture.
type Model interface {
	// Apply corrupts the colour planes of img in place, drawing randomness
	// from rng, then clamps them to [0, 1] as a real file would; img.Alpha is
	// left untouched. If img.Gray is set, one noise field is drawn and
	// written to all three planes, so the picture stays gray. Apply reports
	// the noise level it drew.
	Apply(img *picture.Image, rng *rand.Rand) Level
	// String returns the canonical spec of the model: Parse(m.String())
	// gives back an equal model.
	String() string
}

// Range is a closed interval [Min, Max] from which a parameter is drawn
// uniformly at each Apply. Min == Max is a fixed parameter, and then no
// randomness is consumed to draw it.
type Range struct {
	Min, Max float64
}

// Fixed returns the Range holding only v.
func Fixed(v float64) Range {
	return Range{Min: v, Max: v}
}

// draw returns a value drawn uniformly from r.
func (r Range) draw(rng *rand.Rand) float64 {
	if r.Min == r.Max {
		return r.Min
	}
	return r.Min + (r.Max-r.Min)*rng.Float64()
}

// String formats r as in a spec: "25" when fixed, "0-50" otherwise.
func (r Range) String() string {
	if r.Min == r.Max {
		return formatNumber(r.Min)
	}
	return formatNumber(r.Min) + "-" + formatNumber(r.Max)
}

// formatNumber writes v as a plain decimal (never with an exponent, whose
// sign would clash with the '-' of ranges and the '+' of chains), with as few
// digits as parse back to exactly v.
func formatNumber(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// corruptPlanes calls corrupt on each independent colour plane of img — the
// three planes of a colour picture, or the first plane of a gray one, which
// is then copied to the other two — and clamps the result to [0, 1].
func corruptPlanes(img *picture.Image, corrupt func(plane []float32)) {
	planes := picture.Channels
	if img.Gray {
		planes = 1
	}
	for c := range planes {
		plane := img.Plane(c)
		corrupt(plane)
		clamp(plane)
	}
	if img.Gray {
		first := img.Plane(0)
		for c := 1; c < picture.Channels; c++ {
			copy(img.Plane(c), first)
		}
	}
}

// clamp limits every value of plane to [0, 1].
func clamp(plane []float32) {
	for i, v := range plane {
		plane[i] = min(max(v, 0), 1)
	}
}

// midGrey is the signal value at which every model's Level is stated.
const midGrey = 0.5
