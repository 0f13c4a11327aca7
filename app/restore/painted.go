package restore

import (
	"context"

	"diabolo/app/inpaint"
	"diabolo/app/picture"
	"diabolo/convae"
)

// Under a painted mark, the network's opacity is kept but its colour is
// replaced by one colour per painted region, fitted to the picture: a
// visible mark has one colour (or a few) over its whole extent, which the
// region shows far better than the few pixels around each pixel that the
// network sees. Inside a painted region, y = (1 − α)·x + α·W with x close to
// the smooth fill f of the region, so y − (1 − α)·f = α·W: a least-squares
// fit of W over the region, each pixel weighted by its opacity.
//
// With those colours, the opacity of the marks' strokes is then refined
// against the picture itself (see refineOpacity in refine.go).
//
// The fill is then made again from more of the picture: the painted pixels
// that the network finds unmarked, or nearly (α ≤ strokeOpacity), join the
// unpainted ones as known values, unblended, so that the second fill only
// bridges the marks' strokes (and one pixel around them), a few pixels
// wide, instead of the whole painted region.
//
// The painted pixels then get a mix of two estimates of what lies under
// the mark: the unblended pixel (y − α·W)/(1 − α), which keeps the
// texture but whose error grows as 1/(1 − α) with any error in α, and the
// second fill, which has no such error but loses the texture. Weighted by
// the inverse of those expected squared errors, the fill's share is
// 1/(1 + unblendTrust·(1 − α)²): small where the mark is faint, large where
// it is nearly opaque. Where the second fill has nothing to bridge it
// equals the unblended pixel, so that painted pixels the network finds
// unmarked come back as they were.
const (
	// fitMinOpacity is the opacity below which a pixel does not count
	// in the fit of its region's colour.
	fitMinOpacity = 0.05
	// fitMinWeight is the smallest sum of squared opacities over a region
	// (about 60 pixels at opacity 0.5) that lets it have a colour of its
	// own; smaller regions take the colour fitted to all painted pixels.
	fitMinWeight = 16
	// strokeOpacity is the opacity above which a painted pixel is part of
	// a mark's stroke, bridged by the second fill.
	strokeOpacity = 0.1
	// unblendTrust is the ratio of the fill's expected squared error to
	// that of the unblended pixel at α = 0 (measured on the validation
	// photos; see README).
	unblendTrust = 3
)

// unblendPainted runs the model's mark network on planes and takes the
// predicted marks off img: with their predicted colour outside the painted
// pixels of opts.Mask, with the colour fitted to each painted region inside.
// A model for painted marks only (NeedsMask) leaves the unpainted pixels
// exactly as they are. It returns the colour planes of the result,
// unclamped.
func (r *Restorer) unblendPainted(ctx context.Context, img *picture.Image, planes []convae.Plane, opts Options, report func(done, total int)) ([]float32, error) {
	w, h := img.Width, img.Height
	n := w * h
	netReport, refineReport := shareProgress(report, n, opts.Mask)
	logits, err := r.marks.InferPlanes(ctx, planes, h, w, opts.Tile, netReport)
	if err != nil {
		return nil, err
	}
	fill, err := inpaint.Fill(ctx, img, opts.Mask)
	if err != nil {
		return nil, err
	}
	alpha := make([]float32, n)
	for i := range alpha {
		alpha[i] = convae.MarkOpacity(logits[i])
	}
	labels, regions := paintedRegions(opts.Mask, w, h)
	colours, fitted := fitColours(img, fill, alpha, labels, regions)
	colour := markColour(logits, labels, colours, fitted, n)
	if err := refineOpacity(ctx, img, alpha, labels, colour, refineReport); err != nil {
		return nil, err
	}
	// unblended returns pixel i's channel c with the mark taken off.
	unblended := func(i, c int) float32 {
		return (img.Pix[c*n+i] - alpha[i]*colour(i, c)) / (1 - alpha[i])
	}
	fill, err = strokeFill(ctx, img, alpha, labels, unblended)
	if err != nil {
		return nil, err
	}
	out := make([]float32, picture.Channels*n)
	for i := 0; i < n; i++ {
		a, l := alpha[i], labels[i]
		if l < 0 && r.NeedsMask() {
			for c := 0; c < picture.Channels; c++ {
				out[c*n+i] = img.Pix[c*n+i]
			}
			continue
		}
		fillShare := float32(0)
		if l >= 0 {
			fillShare = 1 / (1 + unblendTrust*(1-a)*(1-a))
		}
		for c := 0; c < picture.Channels; c++ {
			v := unblended(i, c)
			if l >= 0 {
				v = fillShare*fill.Pix[c*n+i] + (1-fillShare)*min(1, max(0, v))
			}
			out[c*n+i] = v
		}
	}
	return out, nil
}

// Relative costs of the mark network per pixel of the picture and of the
// refinement of the opacity per painted pixel, measured with eval --brush
// on the validation photos (seed 1): 0.59 s per 500×500 photo before the
// refinement, 1.06 s with it, about 44000 pixels painted per photo.
const (
	networkCost = 1
	refineCost  = 4.5
)

// shareProgress splits report between the mark network and the
// refinement of the opacity, in proportion to their expected costs over
// an n-pixel picture painted with mask, so that the progress moves on
// steadily through both. report may be nil.
func shareProgress(report func(done, total int), n int, mask []float32) (network, refinement func(done, total int)) {
	if report == nil {
		return nil, nil
	}
	painted := 0
	for _, m := range mask {
		if m > 0.5 {
			painted++
		}
	}
	const units = 1000
	share := float64(n) * networkCost / (float64(n)*networkCost + float64(painted)*refineCost)
	network = func(done, total int) { report(int(units*share*float64(done)/float64(total)), units) }
	refinement = func(done, total int) {
		report(int(units*(share+(1-share)*float64(done)/float64(total))), units)
	}
	return network, refinement
}

// strokeFill returns the second fill (see the comment at the top of this
// file): img with its painted pixels (labels[i] ≥ 0) unblended, clamped,
// and those of the marks' strokes, α above strokeOpacity, grown by one
// pixel within the painted regions, filled from the rest.
func strokeFill(ctx context.Context, img *picture.Image, alpha []float32, labels []int32, unblended func(i, c int) float32) (*picture.Image, error) {
	w, h := img.Width, img.Height
	n := w * h
	known := img.Clone()
	strokes := make([]float32, n)
	for i, l := range labels {
		if l < 0 {
			continue
		}
		for c := 0; c < picture.Channels; c++ {
			known.Pix[c*n+i] = min(1, max(0, unblended(i, c)))
		}
		if alpha[i] <= strokeOpacity {
			continue
		}
		x, y := i%w, i/w
		for ny := max(y-1, 0); ny <= min(y+1, h-1); ny++ {
			for nx := max(x-1, 0); nx <= min(x+1, w-1); nx++ {
				if j := ny*w + nx; labels[j] >= 0 {
					strokes[j] = 1
				}
			}
		}
	}
	return inpaint.Fill(ctx, known, strokes)
}

// fitColours returns the colour of the mark over each of the regions
// painted regions (see the comment at the top of this file); fitted[l] is
// false when no painted pixel is opaque enough for a fit, and the
// network's colour stays.
func fitColours(img, fill *picture.Image, alpha []float32, labels []int32, regions int) (colours [][3]float32, fitted []bool) {
	n := img.Width * img.Height
	type sums struct {
		num    [3]float64
		weight float64
	}
	per := make([]sums, regions+1) // the last one pools every region
	for i, l := range labels {
		a := float64(alpha[i])
		if l < 0 || a < fitMinOpacity {
			continue
		}
		for _, s := range []*sums{&per[l], &per[regions]} {
			for c := 0; c < picture.Channels; c++ {
				s.num[c] += a * (float64(img.Pix[c*n+i]) - (1-a)*float64(fill.Pix[c*n+i]))
			}
			s.weight += a * a
		}
	}
	colour := func(s sums) [3]float32 {
		var w [3]float32
		for c := range w {
			w[c] = float32(min(1, max(0, s.num[c]/s.weight)))
		}
		return w
	}
	all := per[regions]
	colours, fitted = make([][3]float32, regions), make([]bool, regions)
	for l := range colours {
		switch {
		case per[l].weight >= fitMinWeight:
			colours[l], fitted[l] = colour(per[l]), true
		case all.weight > 0:
			colours[l], fitted[l] = colour(all), true
		}
	}
	return colours, fitted
}

// paintedRegions labels the 8-connected regions of the pixels that mask
// paints (values above 0.5) on a w×h grid: labels[i] is the region of
// pixel i, from 0, or -1 where mask does not paint; regions is how many
// there are.
func paintedRegions(mask []float32, w, h int) (labels []int32, regions int) {
	labels = make([]int32, w*h)
	for i := range labels {
		labels[i] = -1
	}
	var stack []int
	for start, m := range mask {
		if m <= 0.5 || labels[start] >= 0 {
			continue
		}
		l := int32(regions)
		regions++
		labels[start] = l
		stack = append(stack[:0], start)
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			x, y := i%w, i/w
			for ny := max(y-1, 0); ny <= min(y+1, h-1); ny++ {
				for nx := max(x-1, 0); nx <= min(x+1, w-1); nx++ {
					if j := ny*w + nx; mask[j] > 0.5 && labels[j] < 0 {
						labels[j] = l
						stack = append(stack, j)
					}
				}
			}
		}
	}
	return labels, regions
}
