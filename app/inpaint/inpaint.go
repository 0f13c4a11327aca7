// Package inpaint fills the painted-over parts of a photo from their
// surroundings: what the watermark brush does when there is no network to
// restore what lies under a mark.
package inpaint

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"diabolo/app/picture"
)

// sweeps is the number of relaxation sweeps at each level of the pyramid:
// the coarser level has already carried the values across the hole, so
// that a few sweeps settle the finer detail.
const sweeps = 30

// ErrAllPainted is returned when every pixel is painted: there is nothing
// to fill from.
var ErrAllPainted = errors.New("the whole picture is painted over: nothing to fill it from")

// Fill returns a copy of img whose painted pixels (mask above 0.5; mask
// holds Width×Height values) are replaced by the smoothest surface that
// meets the unpainted pixels around them: the solution of Laplace's
// equation inside the painted region, each colour plane on its own. The
// unpainted pixels and the alpha channel are copied unchanged.
//
// The equation is solved coarse to fine on an image pyramid: each level is
// started from the level below, then relaxed by Gauss–Seidel sweeps, so
// that wide regions fill as quickly as thin strokes. Fill stops with ctx's
// error when ctx is cancelled.
func Fill(ctx context.Context, img *picture.Image, mask []float32) (*picture.Image, error) {
	w, h := img.Width, img.Height
	if len(mask) != w*h {
		return nil, fmt.Errorf("the mask has %d pixels, the %d×%d picture %d", len(mask), w, h, w*h)
	}
	known := make([]bool, w*h)
	painted := 0
	for i, m := range mask {
		known[i] = !(m > 0.5)
		if !known[i] {
			painted++
		}
	}
	out := img.Clone()
	switch painted {
	case 0:
		return out, nil
	case w * h:
		return nil, ErrAllPainted
	}
	// The planes are independent: one goroutine each.
	var wg sync.WaitGroup
	for c := range picture.Channels {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fillPlane(ctx, out.Plane(c), known, w, h)
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// fillPlane replaces the unknown values of the w×h plane v by the harmonic
// interpolation of the known ones, at least one of which there must be. It
// returns early, leaving v unfinished, when ctx is cancelled.
func fillPlane(ctx context.Context, v []float32, known []bool, w, h int) {
	// Holes off the border of the plane have four neighbours, and are
	// relaxed by the fast path; those on it are listed apart.
	var inner, border []int
	for i, k := range known {
		if k {
			continue
		}
		if x, y := i%w, i/w; x > 0 && x < w-1 && y > 0 && y < h-1 {
			inner = append(inner, i)
		} else {
			border = append(border, i)
		}
	}
	if len(inner)+len(border) == 0 {
		return
	}
	if w > 1 || h > 1 {
		// Solve on the half-size level first, and start from it.
		cw, ch := (w+1)/2, (h+1)/2
		coarse, coarseKnown := halve(v, known, w, h)
		fillPlane(ctx, coarse, coarseKnown, cw, ch)
		for _, holes := range [][]int{inner, border} {
			for _, i := range holes {
				x, y := i%w, i/w
				v[i] = coarse[(y/2)*cw+x/2]
			}
		}
	}
	for range sweeps {
		if ctx.Err() != nil {
			return
		}
		for _, i := range inner {
			v[i] = (v[i-1] + v[i+1] + v[i-w] + v[i+w]) / 4
		}
		for _, i := range border {
			v[i] = neighbourMean(v, w, h, i)
		}
	}
}

// halve returns the half-size level of the w×h plane v: each value is the
// mean of the known values of its 2×2 block, known when any of them is.
func halve(v []float32, known []bool, w, h int) ([]float32, []bool) {
	cw, ch := (w+1)/2, (h+1)/2
	coarse := make([]float32, cw*ch)
	coarseKnown := make([]bool, cw*ch)
	for y := range ch {
		for x := range cw {
			var sum float32
			n := 0
			for dy := range 2 {
				for dx := range 2 {
					fx, fy := 2*x+dx, 2*y+dy
					if fx < w && fy < h && known[fy*w+fx] {
						sum += v[fy*w+fx]
						n++
					}
				}
			}
			if n > 0 {
				coarse[y*cw+x] = sum / float32(n)
				coarseKnown[y*cw+x] = true
			}
		}
	}
	return coarse, coarseKnown
}

// neighbourMean returns the mean of the up to four neighbours of pixel i
// of the w×h plane v that lie inside it.
func neighbourMean(v []float32, w, h, i int) float32 {
	x, y := i%w, i/w
	var sum float32
	n := 0
	if x > 0 {
		sum += v[i-1]
		n++
	}
	if x+1 < w {
		sum += v[i+1]
		n++
	}
	if y > 0 {
		sum += v[i-w]
		n++
	}
	if y+1 < h {
		sum += v[i+w]
		n++
	}
	if n == 0 {
		return v[i]
	}
	return sum / float32(n)
}
