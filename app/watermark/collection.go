package watermark

import (
	"errors"
	"fmt"
	"image"
	"math"
	"runtime"
	"sync"

	"diabolo/app/picture"
)

// Errors of EstimateShared, to be told apart with errors.Is. Size mismatches
// wrap ErrSizeMismatch.
var (
	// ErrTooFewImages means fewer than two pictures were given.
	ErrTooFewImages = errors.New("collection mode needs at least 2 pictures")
	// ErrNoMark means no edge common to the pictures was found.
	ErrNoMark = errors.New("no shared watermark found")
)

// CollectionOptions tune EstimateShared. The zero value sets everything from
// the data or to a default.
type CollectionOptions struct {
	// Region limits the search for the mark to a rectangle of the
	// pictures; the empty Rectangle searches everywhere.
	Region image.Rectangle
	// Threshold is the magnitude of the median gradient (the RMS over the
	// three channels of the median, over the pictures, of the difference
	// between two neighbouring pixels) above which a pair of pixels may be
	// an edge of the mark. 0 sets it from the data: six times the median
	// magnitude over the region, and at least 0.02.
	Threshold float64
	// Significance is how many times its own standard error a pair's median
	// gradient must exceed to be an edge of the mark, which rejects the
	// medians left by textures that vary from picture to picture; 0 means
	// 5.
	Significance float64
	// Margin is how many pixels the detected mark is widened by before its
	// opacity is solved for, to take in its soft edges; 0 means 2.
	Margin int
	// MaxIterations bounds each conjugate-gradient solve; 0 means 2000.
	MaxIterations int
}

// Defaults of CollectionOptions.
const (
	defaultSignificance  = 5
	defaultMargin        = 2
	defaultMaxIterations = 2000
	// minThreshold is the lowest automatic edge threshold.
	minThreshold = 0.02
	// thresholdFactor multiplies the median gradient magnitude into the
	// automatic threshold.
	thresholdFactor = 6
	// solveTolerance is the relative residual at which CG stops.
	solveTolerance = 1e-5
	// tikhonov weakly pulls every unknown towards "no mark", which keeps
	// the systems positive definite.
	tikhonov = 1e-4
	// maxEstimatedAlpha caps the estimated opacity.
	maxEstimatedAlpha = 0.99
)

// withDefaults fills in the zero fields of o.
func (o CollectionOptions) withDefaults() CollectionOptions {
	if o.Significance <= 0 {
		o.Significance = defaultSignificance
	}
	if o.Margin <= 0 {
		o.Margin = defaultMargin
	}
	if o.MaxIterations <= 0 {
		o.MaxIterations = defaultMaxIterations
	}
	return o
}

// SharedMark is a watermark estimated from a collection of pictures that all
// carry it at the same place. Its Mark holds the estimated opacity and
// colour over the whole picture (Alpha is 0 outside Bounds); Mark.Remove,
// promoted, takes the mark off a picture of the collection or any other
// picture of the same size carrying it at the same place.
type SharedMark struct {
	Mark
	// Bounds is the smallest rectangle holding every pixel of non-zero
	// estimated opacity.
	Bounds image.Rectangle
	// Threshold is the edge threshold used for detection.
	Threshold float64
}

// EstimateShared estimates the colour W and opacity α of a visible
// watermark found at the same place on every picture of images, which must
// be two or more pictures of the same size (they are not aligned or cropped:
// crop them to the common size first). The more varied the pictures, the
// better the estimate; twenty or so different photos work well.
//
// The method follows Dekel et al., "On the Effectiveness of Visible
// Watermarks" (CVPR 2017), simplified. Each watermarked picture is
// J_k = a·I_k + b, with a = 1 − α and b = α·W per pixel.
//
//  1. Detection. The median over the pictures of the gradients of the J_k
//     is near 0 wherever the pictures differ, and not on the mark's edges,
//     which all pictures share. A pair of neighbouring pixels is a strong
//     edge of the mark when its median gradient exceeds both the threshold
//     and Significance times its standard error (estimated from the spread
//     of the gradients over the pictures, corrected for the mark's change
//     of contrast), so that busy textures, whose median wanders, are not
//     taken for the mark; pairs passing half these
//     bounds are weak edges, kept when connected to strong ones
//     (hysteresis, as in Canny's detector), which keeps the soft and
//     low-contrast stretches of the mark's outline.
//  2. Domain. The edge pixels, widened by Margin pixels, and the pixels they
//     enclose (glyph strokes and logos have no edge inside) are where α and
//     W are solved for; α = 0 everywhere else. The domain also grows into
//     neighbouring pixels whose spread over the pictures is below 3/4 of the
//     background's around them: the mark lowers the contrast of what lies
//     under it, which finds the inside of opaque marks whose outline has
//     gaps or is cut by the pictures' border.
//  3. Contrast. Across a pair of neighbouring pixels (p, q) the clean
//     pictures nearly agree, so over the collection J(q) is close to an
//     affine function of J(p) with slope a(q)/a(p). The slope is measured
//     as the ratio of the two pixels' standard deviations over the
//     pictures, leaving out the pictures with an edge of their own between
//     p and q (found from the median absolute deviation of the residuals of
//     a first, MAD-based ratio). A ratio of spreads is symmetric in p and q,
//     so unlike a regression slope it is not biased towards 0 by the
//     pictures' own differences between neighbours. The logs of these
//     ratios over every pair of the domain, weighted by their inverse
//     variance (n − 1)/(1 − ρ²), are integrated into log a by least
//     squares, log a = 0 outside the domain.
//  4. Offset. Given a, the median over the pictures of
//     J(q) − (a(q)/a(p))·J(p) measures b(q) − (a(q)/a(p))·b(p), the median
//     of the clean pictures' differences being about 0 (the assumption of
//     step 1). These are integrated into b, channel by channel, by weighted
//     least squares, b = 0 outside the domain. Where a = 1 this is Dekel et
//     al.'s initial estimate, the Poisson reconstruction of the matted
//     watermark α·W from the median gradients.
//
// Steps 3 and 4 are sparse linear least-squares problems solved by
// conjugate gradients. Then α = 1 − a and W = b/α, clamped to [0, 0.99] and
// [0, 1]. Dekel et al. go on to refine α, W and the clean pictures jointly,
// alternating under a sparse-gradient prior by iteratively reweighted least
// squares, and to allow small per-picture variations of the mark; this
// implementation stops after the two robust linear estimates.
//
// A mark whose colour is close to the pictures' median colour, or faint and
// blurred, has a small median gradient and may go undetected. Memory is
// about 250 bytes per pixel of the domain's bounding box plus 70 per pixel of
// the Region; time grows with the number of pictures times the Region's
// pixels (about half a second for 24 pictures of 256×192 on two cores).
//
// The error wraps ErrTooFewImages, ErrSizeMismatch (naming the first
// picture whose size differs from the first's) or ErrNoMark, or names a
// nil or malformed picture or one with a value that is not finite.
func EstimateShared(images []*picture.Image, opts CollectionOptions) (*SharedMark, error) {
	if err := checkCollection(images); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	w, h := images[0].Width, images[0].Height
	region := image.Rect(0, 0, w, h)
	if !opts.Region.Empty() {
		region = opts.Region.Intersect(region)
		if region.Empty() {
			return nil, fmt.Errorf("watermark: region %v lies outside the %dx%d pictures: %w", opts.Region, w, h, ErrNoMark)
		}
	}
	spread := spreads(images, region)
	grads := medianGradients(images, region, spread)
	threshold := opts.Threshold
	if threshold <= 0 {
		threshold = max(minThreshold, thresholdFactor*grads.medianMagnitude())
	}
	test := edgeTest{threshold: threshold, significance: opts.Significance}
	dom := domain(grads.edges(test), opts.Margin)
	if dom.rect.Empty() {
		return nil, fmt.Errorf("watermark: %d pictures, threshold %.3g: %w", len(images), threshold, ErrNoMark)
	}
	domSpread := cropPlanes(spread, region, dom.rect)
	dom.addFaded(domSpread)
	mt := newMatte(images, dom, domSpread, opts.MaxIterations)
	mt.solveContrast()
	mt.solveOffset()
	m := mt.mark(w, h)
	return &SharedMark{Mark: *m, Bounds: m.Bounds(0), Threshold: threshold}, nil
}

// checkCollection reports why images cannot be a collection.
func checkCollection(images []*picture.Image) error {
	if len(images) < 2 {
		return fmt.Errorf("watermark: %d pictures given: %w", len(images), ErrTooFewImages)
	}
	for i, img := range images {
		if img == nil {
			return fmt.Errorf("watermark: picture %d is nil", i)
		}
		if img.Width <= 0 || img.Height <= 0 || len(img.Pix) != picture.Channels*img.Width*img.Height {
			return fmt.Errorf("watermark: picture %d is malformed: %dx%d with %d values", i, img.Width, img.Height, len(img.Pix))
		}
		if !img.SameSize(images[0]) {
			return fmt.Errorf("watermark: picture %d is %dx%d, picture 0 is %dx%d: %w",
				i, img.Width, img.Height, images[0].Width, images[0].Height, ErrSizeMismatch)
		}
		for j, v := range img.Pix {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("watermark: picture %d has the value %v at index %d", i, v, j)
			}
		}
	}
	return nil
}

// gradients holds the median over a collection of the differences between
// horizontal and vertical neighbours, over a region of the pictures.
type gradients struct {
	region image.Rectangle
	// right[c][i] is the median of J(x+1, y) − J(x, y) in channel c, down
	// the median of J(x, y+1) − J(x, y), i the index of (x, y) in the
	// region; 0 where the neighbour is outside the region.
	right, down [picture.Channels][]float32
	// magRight and magDown are their magnitudes, the RMS over the
	// channels; errRight and errDown the RMS of their standard errors.
	magRight, magDown []float32
	errRight, errDown []float32
}

// medianGradients computes the median gradients of images over region, and
// their standard errors, spreading the rows over GOMAXPROCS goroutines.
// spread holds the pixels' spreads over the region, as spreads returns them.
//
// The standard error of a pair's median gradient is estimated from the
// spread over the pictures of J(q) − s·J(p), s the ratio of the two pixels'
// spreads, rather than of the gradient J(q) − J(p) itself: across an edge of
// the mark, where the mark changes the contrast, the gradient varies with
// the picture underneath, and that variation is the mark's doing, not
// noise.
func medianGradients(images []*picture.Image, region image.Rectangle, spread [picture.Channels][]float64) *gradients {
	rw, rh := region.Dx(), region.Dy()
	nr := rw * rh
	g := &gradients{region: region,
		magRight: make([]float32, nr), magDown: make([]float32, nr),
		errRight: make([]float32, nr), errDown: make([]float32, nr)}
	for c := range picture.Channels {
		g.right[c], g.down[c] = make([]float32, nr), make([]float32, nr)
	}
	w, n := images[0].Width, images[0].Width*images[0].Height
	// The standard error of the median of k samples is about
	// 1.2533·σ/√k, σ estimated as 1.4826 times their median absolute
	// deviation.
	errScale := 1.2533 * 1.4826 / math.Sqrt(float64(len(images)))
	// medianAndError returns the median of J(j) − J(i) and its squared
	// standard error, si and sj the pixels' spreads.
	medianAndError := func(i, j int, si, sj float64, diffs []float64) (float32, float32) {
		for k, img := range images {
			diffs[k] = float64(img.Pix[j] - img.Pix[i])
		}
		med := median(diffs)
		ratio := 1.0
		if si >= minSpread && sj >= minSpread {
			ratio = sj / si
		}
		for k, img := range images {
			diffs[k] = float64(img.Pix[j]) - ratio*float64(img.Pix[i])
		}
		centre := median(diffs)
		for k := range diffs {
			diffs[k] = math.Abs(diffs[k] - centre)
		}
		se := errScale * median(diffs)
		return float32(med), float32(se * se)
	}
	row := func(y int, diffs []float64) {
		for c := range picture.Channels {
			sc := spread[c]
			for x := region.Min.X; x < region.Max.X; x++ {
				i, at := (y-region.Min.Y)*rw+(x-region.Min.X), c*n+y*w+x
				if x+1 < region.Max.X {
					med, se2 := medianAndError(at, at+1, sc[i], sc[i+1], diffs)
					g.right[c][i] = med
					g.errRight[i] += se2
				}
				if y+1 < region.Max.Y {
					med, se2 := medianAndError(at, at+w, sc[i], sc[i+rw], diffs)
					g.down[c][i] = med
					g.errDown[i] += se2
				}
			}
		}
	}
	parallelRows(region, row, len(images))
	for i := range nr {
		var r, d float32
		for c := range picture.Channels {
			r += g.right[c][i] * g.right[c][i]
			d += g.down[c][i] * g.down[c][i]
		}
		g.magRight[i] = float32(math.Sqrt(float64(r / picture.Channels)))
		g.magDown[i] = float32(math.Sqrt(float64(d / picture.Channels)))
		g.errRight[i] = float32(math.Sqrt(float64(g.errRight[i] / picture.Channels)))
		g.errDown[i] = float32(math.Sqrt(float64(g.errDown[i] / picture.Channels)))
	}
	return g
}

// medianMagnitude returns the median of the gradient magnitudes over the
// region's pairs, the level of the pictures' own edges left after the median.
func (g *gradients) medianMagnitude() float64 {
	rw, rh := g.region.Dx(), g.region.Dy()
	mags := make([]float64, 0, 2*rw*rh)
	for i := range g.magRight {
		if x := i % rw; x+1 < rw {
			mags = append(mags, float64(g.magRight[i]))
		}
		if y := i / rw; y+1 < rh {
			mags = append(mags, float64(g.magDown[i]))
		}
	}
	if len(mags) == 0 {
		return 0
	}
	return median(mags)
}

// edgeTest decides which pairs of pixels are edges of the mark.
type edgeTest struct {
	threshold, significance float64
}

// passes reports whether a pair whose median gradient has magnitude mag
// and standard error se passes the test at the given fraction of its
// bounds: 1 for the strong edges that seed the detection, weakFraction for
// the weak edges that may extend them.
func (t edgeTest) passes(mag, se float32, fraction float64) bool {
	return float64(mag) > fraction*t.threshold && float64(mag) > fraction*t.significance*float64(se)
}

// weakFraction scales the edge test down for weak edges.
const weakFraction = 0.5

// edges returns the pixels, over the region, on either side of the mark's
// edges found by hysteresis, as Canny's detector does: the pixels of pairs
// passing the test, and the pixels of pairs passing it at weakFraction that
// are connected to those through other such pixels. The mark's soft or
// low-contrast stretches of outline are kept, while the isolated medians
// that busy textures leave are not.
func (g *gradients) edges(t edgeTest) map2D {
	rw, rh := g.region.Dx(), g.region.Dy()
	weak, strong := newMap2D(g.region), newMap2D(g.region)
	for i := range g.magRight {
		if g.rightEdge(t, i, weakFraction) {
			weak.in[i], weak.in[i+1] = true, true
			if g.rightEdge(t, i, 1) {
				strong.in[i], strong.in[i+1] = true, true
			}
		}
		if g.downEdge(t, i, weakFraction) {
			weak.in[i], weak.in[i+rw] = true, true
			if g.downEdge(t, i, 1) {
				strong.in[i], strong.in[i+rw] = true, true
			}
		}
	}
	var stack []int
	for i, s := range strong.in {
		if s {
			stack = append(stack, i)
		}
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		x, y := i%rw, i/rw
		for dy := -1; dy <= 1; dy++ {
			for dx := -1; dx <= 1; dx++ {
				nx, ny := x+dx, y+dy
				if nx < 0 || ny < 0 || nx >= rw || ny >= rh {
					continue
				}
				if j := ny*rw + nx; weak.in[j] && !strong.in[j] {
					strong.in[j] = true
					stack = append(stack, j)
				}
			}
		}
	}
	return strong
}

// rightEdge reports whether the pair of region index i and its right
// neighbour passes the test at fraction.
func (g *gradients) rightEdge(t edgeTest, i int, fraction float64) bool {
	return t.passes(g.magRight[i], g.errRight[i], fraction)
}

// downEdge reports whether the pair of region index i and its lower
// neighbour passes the test at fraction.
func (g *gradients) downEdge(t edgeTest, i int, fraction float64) bool {
	return t.passes(g.magDown[i], g.errDown[i], fraction)
}

// domain returns the pixels, in picture coordinates, where the mark's opacity
// is solved for: the edge pixels, widened by margin, and the pixels they
// enclose (the inside of glyph strokes and logos, where there is no edge).
// It returns an empty set if there is no edge pixel.
func domain(edges map2D, margin int) map2D {
	box := edges.bounds()
	if box.Empty() {
		return map2D{}
	}
	d := edges.dilated(margin, edges.rect)
	d = d.crop(box.Inset(-(margin + 1)).Intersect(edges.rect))
	d.fillEnclosed()
	return d
}

// Constants of addFaded.
const (
	// fadeRatio is the ratio of a pixel's spread over the pictures to the
	// background's below which the pixel is taken to lie under the mark.
	fadeRatio = 0.75
	// fadeBlock is the side of the blocks over which the background's
	// spread is measured.
	fadeBlock = 32
	// minFadeSamples is the fewest background pixels a block needs to
	// measure its own spread; blocks with fewer use the whole rectangle's.
	minFadeSamples = 64
)

// addFaded grows the domain s into the neighbouring pixels whose spread over
// the pictures (spread, over s's rectangle, averaged over the channels) is
// below fadeRatio times the background's around them: pixels under a mark
// of opacity above 1 − fadeRatio, whose contrast the mark reduces, that the
// edges missed because their outline has a gap or runs along the border of
// the pictures. The background's spread is the median over the pixels
// outside s, per fadeBlock×fadeBlock block.
func (s map2D) addFaded(spread [picture.Channels][]float64) {
	w, h := s.rect.Dx(), s.rect.Dy()
	pooled := make([]float64, len(s.in))
	var outside []float64
	for i := range pooled {
		for c := range picture.Channels {
			pooled[i] += spread[c][i] / picture.Channels
		}
		if !s.in[i] {
			outside = append(outside, pooled[i])
		}
	}
	if len(outside) == 0 {
		return
	}
	global := median(outside)
	bw, bh := (w+fadeBlock-1)/fadeBlock, (h+fadeBlock-1)/fadeBlock
	limit := make([]float64, bw*bh)
	for by := range bh {
		for bx := range bw {
			outside = outside[:0]
			for y := by * fadeBlock; y < min(h, (by+1)*fadeBlock); y++ {
				for x := bx * fadeBlock; x < min(w, (bx+1)*fadeBlock); x++ {
					if i := y*w + x; !s.in[i] {
						outside = append(outside, pooled[i])
					}
				}
			}
			ref := global
			if len(outside) >= minFadeSamples {
				ref = median(outside)
			}
			limit[by*bw+bx] = fadeRatio * ref
		}
	}
	var stack []int
	for i, in := range s.in {
		if in {
			stack = append(stack, i)
		}
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		x, y := i%w, i/w
		for _, p := range [4]image.Point{{x - 1, y}, {x + 1, y}, {x, y - 1}, {x, y + 1}} {
			if p.X < 0 || p.Y < 0 || p.X >= w || p.Y >= h {
				continue
			}
			j := p.Y*w + p.X
			if !s.in[j] && pooled[j] < limit[(p.Y/fadeBlock)*bw+p.X/fadeBlock] {
				s.in[j] = true
				stack = append(stack, j)
			}
		}
	}
}

// bounds returns the smallest rectangle holding the set's pixels.
func (s map2D) bounds() image.Rectangle {
	var r image.Rectangle
	w := s.rect.Dx()
	for i, in := range s.in {
		if in {
			p := image.Pt(s.rect.Min.X+i%w, s.rect.Min.Y+i/w)
			r = r.Union(image.Rectangle{Min: p, Max: p.Add(image.Pt(1, 1))})
		}
	}
	return r
}

// crop returns the part of s within r, which must lie inside s's
// rectangle.
func (s map2D) crop(r image.Rectangle) map2D {
	out := newMap2D(r)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			out.in[out.index(x, y)] = s.in[s.index(x, y)]
		}
	}
	return out
}

// fillEnclosed adds to s the pixels of its rectangle that cannot be reached
// from the rectangle's border without crossing s.
func (s map2D) fillEnclosed() {
	w, h := s.rect.Dx(), s.rect.Dy()
	reached := make([]bool, len(s.in))
	var stack []int
	push := func(i int) {
		if !s.in[i] && !reached[i] {
			reached[i] = true
			stack = append(stack, i)
		}
	}
	for x := range w {
		push(x)
		push((h-1)*w + x)
	}
	for y := range h {
		push(y * w)
		push(y*w + w - 1)
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		x, y := i%w, i/w
		if x > 0 {
			push(i - 1)
		}
		if x+1 < w {
			push(i + 1)
		}
		if y > 0 {
			push(i - w)
		}
		if y+1 < h {
			push(i + w)
		}
	}
	for i, r := range reached {
		if !r {
			s.in[i] = true
		}
	}
}

// parallelRows calls row for every row y of rect, spreading the rows over
// GOMAXPROCS goroutines, each with its own scratch slice of the given
// length.
func parallelRows(rect image.Rectangle, row func(y int, scratch []float64), scratchLen int) {
	workers := min(runtime.GOMAXPROCS(0), rect.Dy())
	var wg sync.WaitGroup
	for worker := range workers {
		wg.Go(func() {
			scratch := make([]float64, scratchLen)
			for y := rect.Min.Y + worker; y < rect.Max.Y; y += workers {
				row(y, scratch)
			}
		})
	}
	wg.Wait()
}

// cropPlanes returns the part within sub of planes laid out over rect.
func cropPlanes(planes [picture.Channels][]float64, rect, sub image.Rectangle) [picture.Channels][]float64 {
	var out [picture.Channels][]float64
	for c := range picture.Channels {
		out[c] = make([]float64, 0, sub.Dx()*sub.Dy())
		for y := sub.Min.Y; y < sub.Max.Y; y++ {
			start := (y-rect.Min.Y)*rect.Dx() + sub.Min.X - rect.Min.X
			out[c] = append(out[c], planes[c][start:start+sub.Dx()]...)
		}
	}
	return out
}

// map2D is a set of pixels within a rectangle of the pictures.
type map2D struct {
	rect image.Rectangle
	in   []bool
}

// newMap2D returns the empty set over rect.
func newMap2D(rect image.Rectangle) map2D {
	return map2D{rect: rect, in: make([]bool, rect.Dx()*rect.Dy())}
}

// index returns the index of picture pixel (x, y) in the set's rectangle.
func (s map2D) index(x, y int) int {
	return (y-s.rect.Min.Y)*s.rect.Dx() + (x - s.rect.Min.X)
}

// has reports whether picture pixel (x, y) is in the set.
func (s map2D) has(x, y int) bool {
	return image.Pt(x, y).In(s.rect) && s.in[s.index(x, y)]
}

// set adds picture pixel (x, y), which must lie in the set's rectangle.
func (s map2D) set(x, y int) {
	s.in[s.index(x, y)] = true
}

// dilated returns the set grown by r pixels (a square), clipped to within.
func (s map2D) dilated(r int, within image.Rectangle) map2D {
	out := newMap2D(s.rect.Inset(-r).Intersect(within))
	for y := s.rect.Min.Y; y < s.rect.Max.Y; y++ {
		for x := s.rect.Min.X; x < s.rect.Max.X; x++ {
			if !s.has(x, y) {
				continue
			}
			for yy := max(y-r, out.rect.Min.Y); yy < min(y+r+1, out.rect.Max.Y); yy++ {
				for xx := max(x-r, out.rect.Min.X); xx < min(x+r+1, out.rect.Max.X); xx++ {
					out.set(xx, yy)
				}
			}
		}
	}
	return out
}
