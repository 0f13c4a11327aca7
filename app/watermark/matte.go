package watermark

import (
	"image"
	"math"
	"slices"

	"diabolo/app/picture"
)

// matte estimates the mark's opacity and colour over the pixels of a domain
// (EstimateShared's steps 3 and 4). With a = 1 − α and b = α·W, each
// watermarked picture is J_k = a·I_k + b. Over a pair of neighbouring pixels
// (p, q) the clean pictures nearly agree, I_k(q) ≈ I_k(p), so across the
// pictures J_k(q) is close to an affine function of J_k(p) with slope
// a(q)/a(p) and offset b(q) − (a(q)/a(p))·b(p). Both are measured robustly,
// pair by pair, and integrated over the domain by weighted least squares,
// with a = 1, b = 0 outside it.
type matte struct {
	images []*picture.Image
	rect   image.Rectangle
	free   []bool
	// pairs are the neighbouring pixel pairs with at least one free pixel.
	pairs []matePair
	// logA is log a at each pixel of rect, 0 where not free.
	logA []float64
	// b holds α·W for each channel at each pixel of rect, 0 where not free.
	b [picture.Channels][]float64
	// maxIter bounds each conjugate-gradient solve.
	maxIter int
}

// matePair is a pair of neighbouring pixels of the matte's rectangle.
type matePair struct {
	// p and q index the pixels in the rectangle, px and qx in a picture's
	// plane.
	p, q, px, qx int
	// logRatio is the measured log(a(q)/a(p)), weight its confidence.
	logRatio, weight float64
	// offsetWeight is the confidence of the pair's offset in each channel.
	offsetWeight [picture.Channels]float64
}

// newMatte sets up the matte over domain and measures every pair's contrast
// ratio; spread holds the pixels' spreads over domain's rectangle.
func newMatte(images []*picture.Image, domain map2D, spread [picture.Channels][]float64, maxIter int) *matte {
	rect := domain.rect
	rw, rh := rect.Dx(), rect.Dy()
	m := &matte{images: images, rect: rect, free: domain.in, logA: make([]float64, rw*rh), maxIter: maxIter}
	for c := range picture.Channels {
		m.b[c] = make([]float64, rw*rh)
	}
	w := images[0].Width
	scratch := make([]float64, 2*len(images))
	for y := range rh {
		for x := range rw {
			i := y*rw + x
			px := (rect.Min.Y+y)*w + rect.Min.X + x
			if x+1 < rw && (m.free[i] || m.free[i+1]) {
				m.pairs = append(m.pairs, m.newPair(spread, i, i+1, px, px+1, scratch))
			}
			if y+1 < rh && (m.free[i] || m.free[i+rw]) {
				m.pairs = append(m.pairs, m.newPair(spread, i, i+rw, px, px+w, scratch))
			}
		}
	}
	m.normaliseWeights()
	return m
}

// Constants of the pair measurements.
const (
	// minSpread is the spread of a pixel over the pictures below which its
	// contrast ratio is not trusted: nearly all pictures agree there.
	minSpread = 0.01
	// noiseFloor is added in quadrature to the measured noise of a pair,
	// about the quantisation noise of 8-bit pictures, so that no pair gets
	// an unbounded weight.
	noiseFloor = 0.004
	// outlierSpread is how many robust standard deviations from the median
	// a picture's residual may lie before the picture is left out of a
	// pair's measurement.
	outlierSpread = 3
	// minUncorrelation bounds 1 − ρ² below, capping a pair's weight.
	minUncorrelation = 1e-3
)

// newPair measures the pair (p, q), in each channel:
//
//  1. a first contrast ratio s0, the ratio of the pixels' robust spreads
//     over the pictures (median absolute deviations);
//  2. the pictures whose residual J(q) − s0·J(p) lies more than three
//     robust standard deviations from the median are set aside: those with
//     an edge of their own between p and q;
//  3. over the remaining pictures, the ratio of the standard deviations of
//     J(q) and J(p), whose log has variance about (1 − ρ²)/(n − 1), ρ their
//     correlation, n the pictures kept.
//
// The ratio of spreads is symmetric in p and q, so unlike a regression
// slope it is not biased towards 0 by the pictures' own differences between
// neighbours. The channels' log ratios are averaged with inverse-variance
// weights, whose sum is the pair's contrast weight. The offset weight of a
// channel is n over the variance of J(q) − s·J(p) over the kept pictures.
func (m *matte) newPair(spread [picture.Channels][]float64, p, q, px, qx int, scratch []float64) matePair {
	pair := matePair{p: p, q: q, px: px, qx: qx}
	var sum, weight float64
	for c := range picture.Channels {
		sp, sq := spread[c][p], spread[c][q]
		if sp < minSpread || sq < minSpread {
			continue
		}
		sum += sp * sq * math.Log(sq/sp)
		weight += sp * sq
	}
	ratio0 := 1.0
	if weight > 0 {
		ratio0 = math.Exp(sum / weight)
	}
	sum, weight = 0, 0
	k := len(m.images)
	n := m.images[0].Width * m.images[0].Height
	residual, deviation := scratch[:k], scratch[k:2*k]
	for c := range picture.Channels {
		for j, img := range m.images {
			residual[j] = float64(img.Pix[c*n+qx]) - ratio0*float64(img.Pix[c*n+px])
		}
		copy(deviation, residual)
		centre := median(deviation)
		for j, r := range residual {
			deviation[j] = math.Abs(r - centre)
		}
		limit := outlierSpread*1.4826*median(deviation) + noiseFloor
		// Moments of J(p) and J(q) over the pictures kept.
		var kept, mp, mq, vp, vq, cov float64
		for j, img := range m.images {
			if math.Abs(residual[j]-centre) <= limit {
				kept++
				mp += float64(img.Pix[c*n+px])
				mq += float64(img.Pix[c*n+qx])
			}
		}
		if kept < 3 {
			continue
		}
		mp, mq = mp/kept, mq/kept
		for j, img := range m.images {
			if math.Abs(residual[j]-centre) <= limit {
				dp, dq := float64(img.Pix[c*n+px])-mp, float64(img.Pix[c*n+qx])-mq
				vp += dp * dp
				vq += dq * dq
				cov += dp * dq
			}
		}
		if vp <= 0 || vq <= 0 {
			continue
		}
		ratio := math.Sqrt(vq / vp)
		noise := (vq - 2*ratio*cov + ratio*ratio*vp) / kept
		pair.offsetWeight[c] = kept / (noise + noiseFloor*noiseFloor)
		if cov <= 0 || vp/kept < minSpread*minSpread || vq/kept < minSpread*minSpread {
			continue // no usable contrast in this channel
		}
		w := (kept - 1) / max(1-cov*cov/(vp*vq), minUncorrelation)
		sum += w * math.Log(ratio)
		weight += w
	}
	if weight > 0 {
		pair.logRatio = sum / weight
		pair.weight = weight
	}
	return pair
}

// normaliseWeights scales the contrast and offset weights to a mean of 1,
// keeping the Tikhonov term equally weak whatever the pictures' noise.
func (m *matte) normaliseWeights() {
	var contrast, offset float64
	for _, pr := range m.pairs {
		contrast += pr.weight
		for _, w := range pr.offsetWeight {
			offset += w
		}
	}
	if len(m.pairs) == 0 || contrast == 0 {
		return
	}
	contrast /= float64(len(m.pairs))
	offset /= float64(len(m.pairs) * picture.Channels)
	for k := range m.pairs {
		m.pairs[k].weight /= contrast
		for c := range picture.Channels {
			m.pairs[k].offsetWeight[c] /= offset
		}
	}
}

// spreads returns, for each channel and pixel of rect, the median absolute
// deviation of the pictures' values: a robust scale, multiplied by a where
// the mark is laid over.
func spreads(images []*picture.Image, rect image.Rectangle) [picture.Channels][]float64 {
	rw := rect.Dx()
	w, n := images[0].Width, images[0].Width*images[0].Height
	var out [picture.Channels][]float64
	for c := range picture.Channels {
		out[c] = make([]float64, rw*rect.Dy())
	}
	parallelRows(rect, func(y int, values []float64) {
		for c := range picture.Channels {
			for x := rect.Min.X; x < rect.Max.X; x++ {
				at := c*n + y*w + x
				for k, img := range images {
					values[k] = float64(img.Pix[at])
				}
				med := median(values)
				for k := range values {
					values[k] = math.Abs(values[k] - med)
				}
				out[c][(y-rect.Min.Y)*rw+x-rect.Min.X] = median(values)
			}
		}
	}, len(images))
	return out
}

// solveContrast integrates the pairs' log contrast ratios into log a by least
// squares, log a = 0 outside the domain.
func (m *matte) solveContrast() {
	diag := make([]float64, len(m.logA))
	b := make([]float64, len(m.logA))
	for _, pr := range m.pairs {
		diag[pr.p] += pr.weight
		diag[pr.q] += pr.weight
		// (logA[q] − logA[p] − logRatio)² pulls q up and p down.
		b[pr.q] += pr.weight * pr.logRatio
		b[pr.p] -= pr.weight * pr.logRatio
	}
	m.pin(diag, b)
	apply := func(v, out []float64) {
		clear(out)
		for _, pr := range m.pairs {
			d := pr.weight * (v[pr.q] - v[pr.p])
			out[pr.q] += d
			out[pr.p] -= d
		}
		for i, f := range m.free {
			out[i] += tikhonov * v[i]
			if !f {
				out[i] = 0
			}
		}
	}
	cgProblem{apply: apply, b: b, diag: diag}.solve(m.logA, solveTolerance, m.maxIter)
}

// pin adds the Tikhonov term to diag and zeroes diag and b outside the
// domain, so that CG leaves those unknowns at 0.
func (m *matte) pin(diag, b []float64) {
	for i, f := range m.free {
		if f {
			diag[i] += tikhonov
		} else {
			diag[i], b[i] = 0, 0
		}
	}
}

// solveOffset integrates, for each channel, the pairs' robust offsets into
// b = α·W, given a: across the pictures, J(q) − s·J(p) with s = a(q)/a(p)
// equals b(q) − s·b(p) plus a(q) times the clean pictures' difference, whose
// median over the pictures is about 0. Least squares over the pairs gives b,
// 0 outside the domain.
func (m *matte) solveOffset() {
	n := m.images[0].Width * m.images[0].Height
	values := make([]float64, len(m.images))
	ratio := make([]float64, len(m.pairs))
	for k, pr := range m.pairs {
		ratio[k] = math.Exp(m.logA[pr.q] - m.logA[pr.p])
	}
	for c := range picture.Channels {
		diag := make([]float64, len(m.logA))
		b := make([]float64, len(m.logA))
		for k, pr := range m.pairs {
			s := ratio[k]
			for j, img := range m.images {
				values[j] = float64(img.Pix[c*n+pr.qx]) - s*float64(img.Pix[c*n+pr.px])
			}
			t := median(values)
			wt := pr.offsetWeight[c]
			// wt·(b[q] − s·b[p] − t)².
			diag[pr.q] += wt
			diag[pr.p] += wt * s * s
			b[pr.q] += wt * t
			b[pr.p] -= wt * s * t
		}
		m.pin(diag, b)
		apply := func(v, out []float64) {
			clear(out)
			for k, pr := range m.pairs {
				s, wt := ratio[k], pr.offsetWeight[c]
				r := wt * (v[pr.q] - s*v[pr.p])
				out[pr.q] += r
				out[pr.p] -= s * r
			}
			for i, f := range m.free {
				out[i] += tikhonov * v[i]
				if !f {
					out[i] = 0
				}
			}
		}
		cgProblem{apply: apply, b: b, diag: diag}.solve(m.b[c], solveTolerance, m.maxIter)
	}
}

// mark converts the solution to a Mark for w×h pictures: α = 1 − a and
// W = b/α, clamped so that 0 ≤ α ≤ 0.99 and 0 ≤ W ≤ 1.
func (m *matte) mark(w, h int) *Mark {
	mk := newMark(w, h)
	n := w * h
	rw := m.rect.Dx()
	for i, f := range m.free {
		if !f {
			continue
		}
		alpha := min(1-math.Exp(m.logA[i]), maxEstimatedAlpha)
		if alpha <= 0 {
			continue
		}
		pi := (m.rect.Min.Y+i/rw)*w + m.rect.Min.X + i%rw
		mk.Alpha[pi] = float32(alpha)
		for c := range picture.Channels {
			mk.Colour[c*n+pi] = float32(min(max(m.b[c][i]/alpha, 0), 1))
		}
	}
	return mk
}

// median returns the median of v, the mean of the two middle values when
// len(v) is even, reordering v. v must not be empty.
func median(v []float64) float64 {
	mid := len(v) / 2
	upper := selectNth(v, mid)
	if len(v)%2 == 1 {
		return upper
	}
	// selectNth left the mid smallest values in v[:mid].
	return (slices.Max(v[:mid]) + upper) / 2
}

// selectNth reorders v so that v[k] is the value a sort would put there,
// with no larger value before it and no smaller one after, and returns it
// (Hoare's quickselect, median-of-three pivots).
func selectNth(v []float64, k int) float64 {
	lo, hi := 0, len(v)-1
	for hi > lo {
		mid := lo + (hi-lo)/2
		// Order v[lo], v[mid], v[hi] and take the middle one as pivot.
		if v[mid] < v[lo] {
			v[mid], v[lo] = v[lo], v[mid]
		}
		if v[hi] < v[lo] {
			v[hi], v[lo] = v[lo], v[hi]
		}
		if v[hi] < v[mid] {
			v[hi], v[mid] = v[mid], v[hi]
		}
		pivot := v[mid]
		i, j := lo, hi
		for i <= j {
			for v[i] < pivot {
				i++
			}
			for v[j] > pivot {
				j--
			}
			if i <= j {
				v[i], v[j] = v[j], v[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return v[k]
		}
	}
	return v[k]
}
