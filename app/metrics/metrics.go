// Package metrics measures how close a restored picture is to its original:
// mean squared error, peak signal-to-noise ratio and structural similarity.
//
// All metrics compare the three colour planes (values on the 0–1 scale) and
// ignore Alpha. They panic with a message starting "metrics: size mismatch"
// if the two pictures differ in size, which is a programming error.
package metrics

import (
	"fmt"
	"math"

	"diabolo/app/picture"
)

// mustSameSize panics unless a and b have the same size.
func mustSameSize(a, b *picture.Image) {
	if !a.SameSize(b) {
		panic(fmt.Sprintf("metrics: size mismatch: %dx%d vs %dx%d", a.Width, a.Height, b.Width, b.Height))
	}
}

// MSE returns the mean squared difference between the colour values of a
// and b, over all three planes. It panics if their sizes differ.
func MSE(a, b *picture.Image) float64 {
	mustSameSize(a, b)
	var sum float64
	for i, v := range a.Pix {
		d := float64(v) - float64(b.Pix[i])
		sum += d * d
	}
	return sum / float64(len(a.Pix))
}

// PSNR returns the peak signal-to-noise ratio between a and b in decibels,
// 10·log10(1/MSE) for the peak value 1, over all three colour planes at once
// (not an average of per-plane PSNRs). It returns +Inf for identical colour
// values. It panics if their sizes differ.
func PSNR(a, b *picture.Image) float64 {
	mse := MSE(a, b)
	if mse == 0 {
		return math.Inf(1)
	}
	return -10 * math.Log10(mse)
}

// PSNRWhere is PSNR over the pixels where keep(i) is true (i indexes a
// plane, 0 ≤ i < Width·Height), all three colour planes of each. It returns
// NaN when no pixel is kept, +Inf when the kept values are identical, and
// panics if the sizes differ.
func PSNRWhere(a, b *picture.Image, keep func(i int) bool) float64 {
	mustSameSize(a, b)
	n := a.Width * a.Height
	var sum float64
	count := 0
	for i := 0; i < n; i++ {
		if !keep(i) {
			continue
		}
		count++
		for c := 0; c < picture.Channels; c++ {
			d := float64(a.Pix[c*n+i]) - float64(b.Pix[c*n+i])
			sum += d * d
		}
	}
	switch {
	case count == 0:
		return math.NaN()
	case sum == 0:
		return math.Inf(1)
	}
	return -10 * math.Log10(sum/float64(count*picture.Channels))
}
