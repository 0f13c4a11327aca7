package metrics

import (
	"math"

	"diabolo/app/picture"
)

// Parameters of SSIM, from Wang et al. 2004.
const (
	// ssimWindow is the side of the Gaussian window.
	ssimWindow = 11
	// ssimRadius is the number of window taps on each side of the centre.
	ssimRadius = ssimWindow / 2
	// ssimSigma is the standard deviation of the Gaussian window, in pixels.
	ssimSigma = 1.5
	// ssimC1 = (K1·L)² and ssimC2 = (K2·L)² with K1 = 0.01, K2 = 0.03 and
	// the dynamic range L = 1.
	ssimC1 = 0.01 * 0.01
	ssimC2 = 0.03 * 0.03
)

// SSIM returns the mean structural similarity index of a and b (Wang, Bovik,
// Sheikh and Simoncelli, "Image quality assessment: from error visibility to
// structural similarity", IEEE TIP 13(4), 2004): 1 for identical pictures,
// lower the more they differ in local luminance, contrast and structure.
//
// Precisely: on each colour plane, local means, variances and covariance are
// taken with an 11×11 Gaussian window of σ = 1.5 pixels, weights normalised
// to sum 1, variances with the weights themselves (no sample correction),
// K1 = 0.01, K2 = 0.03 and dynamic range L = 1. The SSIM map is computed only
// where the window fits entirely inside the picture (the "valid" region,
// (Width-10)×(Height-10) positions, no padding), averaged over that region,
// and the three planes' means are averaged. This equals scikit-image's
//
//	structural_similarity(a, b, gaussian_weights=True, sigma=1.5,
//	    use_sample_covariance=False, data_range=1, channel_axis=0)
//
// on the planes as float64: scikit-image filters with reflected borders but
// then averages only after cropping 5 pixels off each side, which leaves
// exactly the valid region.
//
// SSIM returns NaN if the pictures are narrower or shorter than 11 pixels. It
// panics if their sizes differ. It filters separably, about 110
// multiply-adds per value, with buffers of a few rows.
func SSIM(a, b *picture.Image) float64 {
	mustSameSize(a, b)
	if a.Width < ssimWindow || a.Height < ssimWindow {
		return math.NaN()
	}
	f := newSSIMFilter(a.Width)
	var sum float64
	for c := range picture.Channels {
		sum += f.meanSSIM(a.Plane(c), b.Plane(c), a.Height)
	}
	return sum / picture.Channels
}

// ssimWeights returns the normalised 11-tap Gaussian window of σ = 1.5.
func ssimWeights() [ssimWindow]float64 {
	var w [ssimWindow]float64
	var sum float64
	for k := range w {
		d := float64(k - ssimRadius)
		w[k] = math.Exp(-d * d / (2 * ssimSigma * ssimSigma))
		sum += w[k]
	}
	for k := range w {
		w[k] /= sum
	}
	return w
}

// The five local moments SSIM needs.
const (
	momentX = iota
	momentY
	momentXX
	momentYY
	momentXY
	moments
)

// ssimFilter holds the weights and row buffers of SSIM for planes of one
// width.
type ssimFilter struct {
	weights [ssimWindow]float64
	width   int
	// products holds, for the current input row, x, y, x², y² and xy: the
	// moment images before filtering (moments rows of width values).
	products []float64
	// filtered is a ring of ssimWindow rows; each holds the moments rows,
	// filtered horizontally, of width-10 values.
	filtered []float64
	// local holds the moments rows of one output row, filtered both ways:
	// the local weighted means of x, y, x², y² and xy.
	local []float64
}

// newSSIMFilter allocates the buffers for planes of the given width ≥ 11.
func newSSIMFilter(width int) *ssimFilter {
	outWidth := width - ssimWindow + 1
	return &ssimFilter{
		weights:  ssimWeights(),
		width:    width,
		products: make([]float64, moments*width),
		filtered: make([]float64, ssimWindow*moments*outWidth),
		local:    make([]float64, moments*outWidth),
	}
}

// meanSSIM returns the mean of the SSIM map of two planes of f.width×height
// values over the valid region. Input rows are filtered horizontally as they
// come into a ring of 11 rows; each time the ring is full, it is filtered
// vertically into one row of the SSIM map.
func (f *ssimFilter) meanSSIM(x, y []float32, height int) float64 {
	w := f.width
	outWidth := w - ssimWindow + 1
	rowSize := moments * outWidth
	var sum float64
	for row := range height {
		f.filterRow(x[row*w:(row+1)*w], y[row*w:(row+1)*w], f.filtered[(row%ssimWindow)*rowSize:][:rowSize])
		if top := row - ssimWindow + 1; top >= 0 {
			sum += f.sumSSIMRow(top)
		}
	}
	return sum / float64(outWidth*(height-ssimWindow+1))
}

// filterRow fills out with the horizontally filtered moments of one input
// row of each plane.
func (f *ssimFilter) filterRow(x, y []float32, out []float64) {
	w := f.width
	outWidth := w - ssimWindow + 1
	p := f.products
	for i := range w {
		xv, yv := float64(x[i]), float64(y[i])
		p[momentX*w+i] = xv
		p[momentY*w+i] = yv
		p[momentXX*w+i] = xv * xv
		p[momentYY*w+i] = yv * yv
		p[momentXY*w+i] = xv * yv
	}
	g := &f.weights
	for m := range moments {
		in := p[m*w : (m+1)*w]
		dst := out[m*outWidth : (m+1)*outWidth]
		for i := range dst {
			v := in[i : i+ssimWindow : i+ssimWindow]
			// The window is symmetric: g[k] = g[10-k].
			dst[i] = g[5]*v[5] + g[4]*(v[4]+v[6]) + g[3]*(v[3]+v[7]) +
				g[2]*(v[2]+v[8]) + g[1]*(v[1]+v[9]) + g[0]*(v[0]+v[10])
		}
	}
}

// sumSSIMRow filters the ring vertically for the output row whose window
// starts at input row top, and returns the sum of that row of the SSIM map.
func (f *ssimFilter) sumSSIMRow(top int) float64 {
	outWidth := f.width - ssimWindow + 1
	rowSize := moments * outWidth
	local := f.local
	for k, wk := range f.weights {
		row := f.filtered[((top+k)%ssimWindow)*rowSize:][:rowSize]
		if k == 0 {
			for i, v := range row {
				local[i] = wk * v
			}
			continue
		}
		for i, v := range row {
			local[i] += wk * v
		}
	}
	moment := func(m int) []float64 { return local[m*outWidth : (m+1)*outWidth] }
	muXs, muYs := moment(momentX), moment(momentY)
	xxs, yys, xys := moment(momentXX), moment(momentYY), moment(momentXY)
	var sum float64
	for i, muX := range muXs {
		muY := muYs[i]
		varX := xxs[i] - muX*muX
		varY := yys[i] - muY*muY
		covXY := xys[i] - muX*muY
		sum += (2*muX*muY + ssimC1) * (2*covXY + ssimC2) /
			((muX*muX + muY*muY + ssimC1) * (varX + varY + ssimC2))
	}
	return sum
}
