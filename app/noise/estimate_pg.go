package noise

import (
	"math"

	"diabolo/app/picture"
)

// PoissonGaussianParams is signal-dependent noise as camera sensors make
// it: at signal level s (0–1 scale) the noise variance is A·s + B.
type PoissonGaussianParams struct{ A, B float64 }

// Sigma returns the noise standard deviation at signal level s.
func (p PoissonGaussianParams) Sigma(s float64) float64 { return math.Sqrt(max(0, p.A*s+p.B)) }

// EstimatePoissonGaussian estimates from img alone the parameters of its
// signal-dependent noise, variance = A·signal + B. ok is false when img
// has too few flat blocks (or is smaller than 10×10) to tell.
//
// It reuses the blocks of EstimateGaussianSigma: each 8×8 block of each
// colour plane gives its mean (the signal) and, from the energy of a
// high-pass that cancels smooth shading, the variance of its noise. The
// weak-texture selection is the same, with the threshold of each block
// scaled by the variance the current fit predicts at its mean; on the
// kept blocks, A and B are refitted by weighted least squares (weights
// 1/variance², as the variance of a variance estimate grows with its
// square), until the fit settles.
func EstimatePoissonGaussian(img *picture.Image) (p PoissonGaussianParams, ok bool) {
	blocks := imageBlocks(img)
	if len(blocks) < 8 {
		return p, false
	}
	perVariance := float64(residualGain * estimateBlock * estimateBlock)
	gradientPerVariance := weakTextureThreshold(estimateBlock, weakTextureQuantile)

	// Start from signal-independent noise at the Gaussian estimate.
	s := EstimateGaussianSigma(img)
	if math.IsNaN(s) {
		return p, false
	}
	p = PoissonGaussianParams{B: s * s}
	for range maxEstimateIterations {
		var sw, swx, swy, swxx, swxy float64
		kept := 0
		for _, b := range blocks {
			v := p.A*b.mean + p.B
			if v <= 0 || b.gradient > v*gradientPerVariance {
				continue
			}
			if margin := clipMargin * math.Sqrt(v); b.mean < margin || b.mean > 1-margin {
				continue
			}
			w := 1 / (v * v)
			y := b.residual / perVariance
			sw += w
			swx += w * b.mean
			swy += w * y
			swxx += w * b.mean * b.mean
			swxy += w * b.mean * y
			kept++
		}
		if kept < 8 {
			return p, false
		}
		det := sw*swxx - swx*swx
		var next PoissonGaussianParams
		if det > 1e-12*sw*swxx {
			next.A = (sw*swxy - swx*swy) / det
			next.B = (swy - next.A*swx) / sw
		}
		// Negative parameters are not physical: refit the other alone.
		switch {
		case det <= 1e-12*sw*swxx || next.A < 0:
			next = PoissonGaussianParams{B: swy / sw}
		case next.B < 0:
			next = PoissonGaussianParams{A: swxy / swxx}
		}
		done := math.Abs(next.A-p.A) <= 1e-4*(next.A+1e-9) && math.Abs(next.B-p.B) <= 1e-4*(next.B+1e-9)
		p = next
		if done {
			break
		}
	}
	return p, true
}
