package noise

import (
	"math"

	"gonum.org/v1/gonum/mathext"

	"diabolo/app/picture"
)

// Parameters of EstimateGaussianSigma.
const (
	// estimateBlock is the side of the square blocks whose texture is judged.
	estimateBlock = 8
	// weakTextureQuantile is the fraction of pure-noise blocks kept by the
	// weak-texture test.
	weakTextureQuantile = 0.99
	// clipMargin keeps blocks whose mean lies this many σ away from 0 and
	// 1, where clipping would have shrunk the noise.
	clipMargin = 2
	// maxEstimateIterations bounds the fixed-point iteration.
	maxEstimateIterations = 30
	// estimateTolerance is the relative change of σ² that ends the iteration.
	estimateTolerance = 1e-6
)

// residualGain is the sum of squares of the 3×3 high-pass
// [1 -2 1]ᵀ·[1 -2 1]: its response to white noise of variance σ² has
// variance residualGain·σ².
const residualGain = 36

// blockStats describes one block of one colour plane.
type blockStats struct {
	// residual is the energy of the high-pass response over the block.
	residual float64
	// gradient is the energy of the horizontal and vertical differences
	// between neighbouring pixels of the block: its texture strength.
	gradient float64
	mean     float64
}

// EstimateGaussianSigma estimates, from img alone, the standard deviation of
// the additive white Gaussian noise it carries, on the 0–1 scale (multiply
// by 255 for the usual scale). It returns NaN if img is smaller than 10×10
// pixels.
//
// It follows the weak-texture selection of Liu, Tanaka and Okutomi ("Single-
// image noise level estimation for blind denoising", IEEE TIP 22(12), 2013)
// with a simpler estimator on the selected blocks:
//
//  1. Each colour plane (one for a gray picture) is cut into 8×8 blocks.
//     For each block it measures the texture strength t (energy of the
//     differences between neighbouring pixels) and the energy of the
//     high-pass [1 -2 1]ᵀ·[1 -2 1], which cancels constants, ramps and
//     smooth shading, so that on a flat or smoothly shaded block it sees
//     only the noise.
//  2. Starting from σ² measured on all blocks, it repeats: keep the blocks
//     whose t lies below the 99% quantile that t would have on a block of
//     pure noise of variance σ² (a Gamma distribution matching the exact
//     mean and variance of t), and whose mean is more than 2σ away from 0
//     and 1 (where clipping shrinks the noise); re-measure σ² on the kept
//     blocks. It stops when σ² settles.
//
// The estimate is meant for photos with signal-independent noise; it
// over-estimates on pictures without any flat region.
func EstimateGaussianSigma(img *picture.Image) float64 {
	blocks := imageBlocks(img)
	if len(blocks) == 0 {
		return math.NaN()
	}

	residualPerVariance := float64(residualGain * estimateBlock * estimateBlock)
	gradientThresholdPerVariance := weakTextureThreshold(estimateBlock, weakTextureQuantile)

	variance := meanResidual(blocks, math.Inf(1), 0) / residualPerVariance
	for range maxEstimateIterations {
		if variance == 0 {
			break
		}
		threshold := variance * gradientThresholdPerVariance
		kept := meanResidual(blocks, threshold, clipMargin*math.Sqrt(variance))
		if math.IsNaN(kept) {
			kept = meanResidual(blocks, threshold, 0)
		}
		if math.IsNaN(kept) {
			break
		}
		next := kept / residualPerVariance
		done := math.Abs(next-variance) <= estimateTolerance*variance
		variance = next
		if done {
			break
		}
	}
	return math.Sqrt(variance)
}

// EstimateStrength estimates, from img alone, the noise level to give a
// denoiser, on the 0–1 scale: the larger of EstimateGaussianSigma on img
// and twice that on img averaged over 2×2 pixels (the average halves the
// level of white noise). On uncompressed photos both agree. JPEG
// compression, which nearly every camera applies, removes the finest-scale
// part of the noise, which the full-resolution estimate weighs most, and
// keeps the coarser part, which the half-resolution one sees: on the
// validation photos with noise of σ 15–50 saved at JPEG quality 75–95, the
// full-resolution estimate finds 35–60% of the σ the photo was taken with,
// this one 65–90%. It returns NaN if img is smaller than 10×10 pixels.
func EstimateStrength(img *picture.Image) float64 {
	if img.Width < 20 || img.Height < 20 {
		return EstimateGaussianSigma(img)
	}
	// The two estimates are independent: the half-size one runs alongside.
	half := make(chan float64, 1)
	go func() { half <- 2 * EstimateGaussianSigma(halfSize(img)) }()
	full := EstimateGaussianSigma(img)
	return max(full, <-half)
}

// halfSize returns img averaged over blocks of 2×2 pixels (an odd last
// row or column is dropped).
func halfSize(img *picture.Image) *picture.Image {
	w, h := img.Width/2, img.Height/2
	out := picture.New(w, h)
	out.Gray = img.Gray
	for c := range picture.Channels {
		src, dst := img.Plane(c), out.Plane(c)
		for y := range h {
			top, bottom := src[2*y*img.Width:], src[(2*y+1)*img.Width:]
			row := dst[y*w : (y+1)*w]
			for x := range row {
				row[x] = (top[2*x] + top[2*x+1] + bottom[2*x] + bottom[2*x+1]) / 4
			}
		}
	}
	return out
}

// imageBlocks returns the statistics of the blocks of every colour plane
// of img (of its single plane for a gray picture).
func imageBlocks(img *picture.Image) []blockStats {
	planes := picture.Channels
	if img.Gray {
		planes = 1
	}
	var blocks []blockStats
	for c := range planes {
		blocks = appendBlockStats(blocks, img.Plane(c), img.Width, img.Height)
	}
	return blocks
}

// meanResidual returns the mean residual energy of the blocks whose
// gradient energy is at most maxGradient and whose mean lies in
// [margin, 1-margin], or NaN if there are none.
func meanResidual(blocks []blockStats, maxGradient, margin float64) float64 {
	var sum float64
	var count int
	for _, b := range blocks {
		if b.gradient <= maxGradient && b.mean >= margin && b.mean <= 1-margin {
			sum += b.residual
			count++
		}
	}
	if count == 0 {
		return math.NaN()
	}
	return sum / float64(count)
}

// appendBlockStats appends the statistics of the blocks of a w×h plane,
// tiled from (1, 1) so that the high-pass of every block pixel stays inside
// the plane.
func appendBlockStats(blocks []blockStats, plane []float32, w, h int) []blockStats {
	const n = estimateBlock
	for y0 := 1; y0+n+1 <= h; y0 += n {
		for x0 := 1; x0+n+1 <= w; x0 += n {
			var b blockStats
			for y := y0; y < y0+n; y++ {
				for x := x0; x < x0+n; x++ {
					i := y*w + x
					v := float64(plane[i])
					b.mean += v
					r := highPassRow(plane, i-w) - 2*highPassRow(plane, i) + highPassRow(plane, i+w)
					b.residual += r * r
					if x+1 < x0+n {
						d := float64(plane[i+1]) - v
						b.gradient += d * d
					}
					if y+1 < y0+n {
						d := float64(plane[i+w]) - v
						b.gradient += d * d
					}
				}
			}
			b.mean /= n * n
			blocks = append(blocks, b)
		}
	}
	return blocks
}

// highPassRow returns plane[i-1] - 2·plane[i] + plane[i+1].
func highPassRow(plane []float32, i int) float64 {
	return float64(plane[i-1]) - 2*float64(plane[i]) + float64(plane[i+1])
}

// weakTextureThreshold returns the q-quantile of the gradient energy of an
// n×n block of white noise of unit variance. That energy is a sum of
// squares of correlated Gaussian differences; it is approximated by the
// Gamma distribution with its exact mean and variance.
func weakTextureThreshold(n int, q float64) float64 {
	type pair struct{ from, to int }
	var diffs []pair
	for y := range n {
		for x := range n {
			if x+1 < n {
				diffs = append(diffs, pair{y*n + x, y*n + x + 1})
			}
			if y+1 < n {
				diffs = append(diffs, pair{y*n + x, (y+1)*n + x})
			}
		}
	}
	indicator := func(a, b int) float64 {
		if a == b {
			return 1
		}
		return 0
	}
	// For differences d = P[to]-P[from] of unit white noise,
	// cov(d_a, d_b) = [to_a=to_b] - [to_a=from_b] - [from_a=to_b] + [from_a=from_b]
	// and var(Σ d²) = 2·Σ cov².
	mean := 2 * float64(len(diffs))
	var variance float64
	for _, a := range diffs {
		for _, b := range diffs {
			cov := indicator(a.to, b.to) - indicator(a.to, b.from) - indicator(a.from, b.to) + indicator(a.from, b.from)
			variance += 2 * cov * cov
		}
	}
	shape := mean * mean / variance
	scale := variance / mean
	return scale * mathext.GammaIncRegInv(shape, q)
}
