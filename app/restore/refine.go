package restore

import (
	"context"
	"math"
	"runtime"
	"sync"

	"diabolo/app/picture"
	"diabolo/convae"
)

// The network's opacity under the paint is blurred: too high on the faint
// pixels around a stroke and too low inside it (on the held-out marks, an
// RMS error of about 0.17). The picture itself says more: with the right
// opacity and colour, the unblended pixels x = (y − α·W)/(1 − α) continue
// the picture around them, while a wrong opacity leaves the mark's edges
// in x, as a ghost or a halo. So the opacity of the painted pixels of the
// marks' strokes (above strokeOpacity) is refined to lower
//
//	E(α) = Σ over neighbouring pixels i, j of √(|x_i − x_j|² + ε²)
//	       + λ·Σ over the refined pixels of (α_i − α̂_i)²
//
// where α̂ is the network's opacity and |·| the distance between colours:
// a sparse-gradient prior on the picture under the mark (as in the
// multi-image matting of collection mode, here on one picture), held near
// the network's answer. Gradient descent with momentum, each step on every
// refined pixel at once, keeps α in [0, refineMaxOpacity]. On the held-out
// marks it gains 0.5–0.8 dB inside the marks (see README).
const (
	// refineSteps is the number of gradient steps.
	refineSteps = 100
	// refineMomentum is the share of each step carried into the next.
	refineMomentum = 0.7
	// refineRate is the step size of the gradient descent.
	refineRate = 0.01
	// refineEdge is ε, below which a colour difference between
	// neighbours costs quadratically rather than linearly.
	refineEdge = 0.03
	// refineAnchor is λ, the weight that holds α near the network's.
	refineAnchor = 1
	// refineMaxOpacity bounds the refined opacity, where unblending
	// would magnify every error more than tenfold.
	refineMaxOpacity = 0.9
)

// markColour returns the colour, in channel c, of the mark at pixel i:
// its region's fitted colour where painted and fitted, the network's
// elsewhere.
func markColour(logits []float32, labels []int32, colours [][3]float32, fitted []bool, n int) func(i, c int) float32 {
	return func(i, c int) float32 {
		if l := labels[i]; l >= 0 && fitted[l] {
			return colours[l][c]
		}
		return convae.MarkColour(logits[(c+1)*n+i])
	}
}

// refineOpacity refines, in place, the opacity alpha of the marks' strokes
// among img's painted pixels (labels[i] ≥ 0), a mark having the colour
// colour(i, c) at pixel i (see the comment above). progress, when not nil,
// is called after each step with the steps done and their total. It stops
// with ctx's error when ctx is cancelled.
func refineOpacity(ctx context.Context, img *picture.Image, alpha []float32, labels []int32, colour func(i, c int) float32, progress func(done, total int)) error {
	const ch = picture.Channels
	w, h := img.Width, img.Height
	n := w * h
	// The pixels refined, strokes: painted, and part of a mark's stroke as the
	// network sees it (opacity above strokeOpacity). The others keep the
	// network's opacity, so that the paint's unmarked pixels are left as
	// they were.
	x0, y0, x1, y1 := w, h, 0, 0
	var strokes []int
	for i, l := range labels {
		if l >= 0 && alpha[i] > strokeOpacity {
			strokes = append(strokes, i)
			x0, y0 = min(x0, i%w), min(y0, i/w)
			x1, y1 = max(x1, i%w), max(y1, i/w)
		}
	}
	if len(strokes) == 0 {
		if progress != nil {
			progress(refineSteps, refineSteps)
		}
		return nil
	}
	// The box around them and their neighbours holds the picture under
	// the marks, x, colour by colour.
	x0, y0, x1, y1 = max(x0-1, 0), max(y0-1, 0), min(x1+2, w), min(y1+2, h)
	bw, bh := x1-x0, y1-y0
	under := make([]float32, ch*bw*bh)
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			i := y*w + x
			for c := 0; c < ch; c++ {
				v := img.Pix[c*n+i]
				if labels[i] >= 0 {
					v = (v - alpha[i]*colour(i, c)) / (1 - alpha[i])
				}
				under[((y-y0)*bw+x-x0)*ch+c] = v
			}
		}
	}
	// Each stroke pixel's place in the box, its mark's colour, the
	// network's opacity and the descent's velocity.
	local := make([]int, len(strokes))
	marks := make([]float32, ch*len(strokes))
	anchor := make([]float32, len(strokes))
	for k, i := range strokes {
		local[k] = (i/w-y0)*bw + i%w - x0
		for c := 0; c < ch; c++ {
			marks[k*ch+c] = colour(i, c)
		}
		anchor[k] = alpha[i]
		alpha[i] = min(alpha[i], refineMaxOpacity)
	}
	grad := make([]float32, len(strokes))
	velocity := make([]float32, len(strokes))
	eps2 := float32(refineEdge * refineEdge)
	for step := 0; step < refineSteps; step++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		inParallel(len(strokes), func(lo, hi int) {
			for k := lo; k < hi; k++ {
				i, b := strokes[k], local[k]*ch
				keep := 1 / (1 - alpha[i])
				for c := 0; c < ch; c++ {
					under[b+c] = (img.Pix[c*n+i] - alpha[i]*marks[k*ch+c]) * keep
				}
			}
		})
		inParallel(len(strokes), func(lo, hi int) {
			for k := lo; k < hi; k++ {
				i, b := strokes[k], local[k]
				bx := b % bw
				xi := under[b*ch : b*ch+ch : b*ch+ch]
				// ∂x_i/∂α_i = (x_i − W_i)/(1 − α_i).
				keep := 1 / (1 - alpha[i])
				d0 := (xi[0] - marks[k*ch]) * keep
				d1 := (xi[1] - marks[k*ch+1]) * keep
				d2 := (xi[2] - marks[k*ch+2]) * keep
				var g float32
				for _, j := range [4]int{b - 1, b + 1, b - bw, b + bw} {
					if (j == b-1 && bx == 0) || (j == b+1 && bx == bw-1) || j < 0 || j >= bw*bh {
						continue
					}
					xj := under[j*ch : j*ch+ch : j*ch+ch]
					e0, e1, e2 := xi[0]-xj[0], xi[1]-xj[1], xi[2]-xj[2]
					inv := 1 / float32(math.Sqrt(float64(e0*e0+e1*e1+e2*e2+eps2)))
					g += (e0*d0 + e1*d1 + e2*d2) * inv
				}
				grad[k] = g + 2*refineAnchor*(alpha[i]-anchor[k])
			}
		})
		for k, i := range strokes {
			velocity[k] = refineMomentum*velocity[k] - refineRate*grad[k]
			alpha[i] = min(refineMaxOpacity, max(0, alpha[i]+velocity[k]))
		}
		if progress != nil {
			progress(step+1, refineSteps)
		}
	}
	return nil
}

// inParallel splits 0..n-1 into one contiguous range per CPU and runs fn
// on each at once.
func inParallel(n int, fn func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), max(1, n/1024))
	var wg sync.WaitGroup
	for t := 0; t < workers; t++ {
		lo, hi := n*t/workers, n*(t+1)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(lo, hi)
		}()
	}
	wg.Wait()
}
