package noise

import (
	"math"
	"math/rand/v2"

	"diabolo/app/picture"
)

// Gaussian adds independent zero-mean Gaussian noise to every colour value.
// Its Level is the σ drawn, divided by 255.
type Gaussian struct {
	// Sigma is the standard deviation on the 0–255 scale; a range draws one
	// σ per Apply, for training a blind denoiser. Sigma.Min must be ≥ 0.
	Sigma Range
}

// Apply implements Model.
func (g Gaussian) Apply(img *picture.Image, rng *rand.Rand) Level {
	sigma := g.Sigma.draw(rng) / 255
	corruptPlanes(img, func(plane []float32) {
		for i := range plane {
			plane[i] += float32(sigma * rng.NormFloat64())
		}
	})
	return Level(sigma)
}

// String implements Model.
func (g Gaussian) String() string {
	return kindGaussian + ":" + g.Sigma.String()
}

// PoissonGaussian models a camera sensor: photon shot noise, whose variance
// grows with the signal, plus signal-independent read noise. A value s
// becomes A·P + N where P is Poisson-distributed with mean s/A and N is
// Gaussian with variance B, so its variance is A·s + B (values on the 0–1
// scale; negative values count as 0 signal). A = 0 leaves Gaussian read noise
// only. Its Level is √(A·0.5 + B), the standard deviation at mid-grey.
type PoissonGaussian struct {
	// A is the gain of the shot noise (variance per unit of signal); B is
	// the variance of the read noise. Both are ≥ 0, and each may be a range
	// drawn once per Apply.
	A, B Range
}

// Apply implements Model.
func (p PoissonGaussian) Apply(img *picture.Image, rng *rand.Rand) Level {
	a := p.A.draw(rng)
	b := p.B.draw(rng)
	readSigma := math.Sqrt(b)
	corruptPlanes(img, func(plane []float32) {
		for i, v := range plane {
			s := max(float64(v), 0)
			if a > 0 {
				s = a * poisson(rng, s/a)
			}
			plane[i] = float32(s + readSigma*rng.NormFloat64())
		}
	})
	return Level(math.Sqrt(a*midGrey + b))
}

// String implements Model.
func (p PoissonGaussian) String() string {
	return kindPoissonGaussian + ":" + p.A.String() + "," + p.B.String()
}

// SaltPepper turns a random fraction of pixels black or white (half each),
// like dead and stuck sensor pixels or transmission errors: all three colour
// values of a hit pixel become exactly 0 or exactly 1. Its Level is 0.5·√p
// for the fraction p drawn: the standard deviation of the change it makes to
// a mid-grey picture.
type SaltPepper struct {
	// Fraction is the probability in [0, 1] that a pixel is hit.
	Fraction Range
}

// Apply implements Model.
func (s SaltPepper) Apply(img *picture.Image, rng *rand.Rand) Level {
	p := s.Fraction.draw(rng)
	n := img.Width * img.Height
	for i := range n {
		u := rng.Float64()
		if u >= p {
			continue
		}
		var v float32
		if u >= p/2 {
			v = 1
		}
		for c := range picture.Channels {
			img.Pix[c*n+i] = v
		}
	}
	img.Clamp()
	return Level(midGrey * math.Sqrt(p))
}

// String implements Model.
func (s SaltPepper) String() string {
	return kindSaltPepper + ":" + s.Fraction.String()
}

// Speckle multiplies every colour value by 1 + N, with N zero-mean Gaussian
// of the given variance, so the noise variance is Variance·s² for a signal s.
// Its Level is 0.5·√Variance, the standard deviation at mid-grey.
type Speckle struct {
	// Variance is the variance of the multiplicative factor, ≥ 0.
	Variance Range
}

// Apply implements Model.
func (s Speckle) Apply(img *picture.Image, rng *rand.Rand) Level {
	sigma := math.Sqrt(s.Variance.draw(rng))
	corruptPlanes(img, func(plane []float32) {
		for i, v := range plane {
			plane[i] = v + float32(float64(v)*sigma*rng.NormFloat64())
		}
	})
	return Level(midGrey * sigma)
}

// String implements Model.
func (s Speckle) String() string {
	return kindSpeckle + ":" + s.Variance.String()
}
