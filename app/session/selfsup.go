package session

import (
	"math"
	"math/rand/v2"

	"diabolo/app/noise"
	"diabolo/app/picture"
	"diabolo/convae"
)

// neighbor2neighbor trains a denoiser from noisy patches alone (Huang et
// al., "Neighbor2Neighbor: Self-Supervised Denoising from Single Noisy
// Images", CVPR 2021). In every 2×2 cell of a noisy patch y, a random pixel
// goes to the sub-image g1(y) and one of its two direct neighbours to
// g2(y). Their noise is independent while their signals nearly agree, so
// the network f learns to map g1(y) to g2(y):
//
//	L = ‖f(g1 y) − g2 y‖² + γ·‖f(g1 y) − g2 y − (g1 f(y) − g2 f(y))‖²
//
// where f(y) is computed without gradient and the regulariser, which
// corrects for the two sub-images not showing the same signal, has a weight
// γ that ramps from 0 to gammaMax over the run.
type neighbor2neighbor struct {
	full        *convae.Tensor // the noisy batch, with a level channel if the net takes one
	sub         *convae.Tensor // g1(y), the network's input
	target      *convae.Tensor // g2(y)
	delta       *convae.Tensor // g1(f(y)) − g2(f(y))
	grad        *convae.Tensor
	first, next []int32 // per batch item and cell: offsets in the cell of g1 and g2
}

// gammaMax is the final weight of the regulariser. The paper uses 2; here,
// with far fewer samples seen, the validation score fell as γ ramped up to
// 2, and at 12 minutes of unet-m on the noisy training photos γ = 2, 1 and
// 0.5 reached 27.20, 27.61 and 27.80 dB at σ = 25 (README).
const gammaMax = 0.5

// cellNeighbours lists, for each position in a 2×2 cell (0 top left, 1 top
// right, 2 bottom left, 3 bottom right), its two direct neighbours.
var cellNeighbours = [4][2]int{{1, 2}, {0, 3}, {0, 3}, {1, 2}}

func newNeighbor2Neighbor(spec convae.Spec, batch, patch int) *neighbor2neighbor {
	half := patch / 2
	return &neighbor2neighbor{
		full:   convae.NewTensor(convae.Shape{N: batch, C: spec.In, H: patch, W: patch}),
		sub:    convae.NewTensor(convae.Shape{N: batch, C: spec.In, H: half, W: half}),
		target: convae.NewTensor(convae.Shape{N: batch, C: spec.Out, H: half, W: half}),
		delta:  convae.NewTensor(convae.Shape{N: batch, C: spec.Out, H: half, W: half}),
		grad:   convae.NewTensor(convae.Shape{N: batch, C: spec.Out, H: half, W: half}),
		first:  make([]int32, batch*half*half),
		next:   make([]int32, batch*half*half),
	}
}

// step trains on the noisy patches in noisy (N×3×P×P) and returns the loss.
func (s *neighbor2neighbor) step(r *run, noisy *convae.Tensor) float64 {
	net := r.model.Net
	n, p := noisy.N, noisy.H
	half := p / 2
	s.drawCells(r.rng, n, half)
	for i := 0; i < n; i++ {
		copy(s.full.Item(i), noisy.Item(i))
		if s.full.C > picture.Channels {
			img := &picture.Image{Width: p, Height: p, Pix: noisy.Item(i)}
			sigma := noise.EstimateStrength(img)
			if math.IsNaN(sigma) {
				sigma = 0
			}
			fill(s.full.Item(i)[picture.Channels*p*p:], float32(sigma))
		}
	}
	// f(y), without gradient, then Δ = g1(f(y)) − g2(f(y)).
	fy := net.Forward(s.full)
	for i := 0; i < n; i++ {
		s.subsample(s.delta.Item(i), fy.Item(i), i, p, picture.Channels, -1)
	}
	for i := 0; i < n; i++ {
		s.subsample(s.sub.Item(i), s.full.Item(i), i, p, s.full.C, 0)
		s.subsample(s.target.Item(i), s.full.Item(i), i, p, picture.Channels, 1)
	}
	out := net.Forward(s.sub)
	gamma := float32(gammaMax * r.progress())
	scale := 2 / float32(len(out.Data))
	var loss float64
	for j, o := range out.Data {
		d := o - s.target.Data[j]
		e := d - s.delta.Data[j]
		loss += float64(d*d) + float64(gamma*e*e)
		s.grad.Data[j] = scale * (d + gamma*e)
	}
	loss /= float64(len(out.Data))
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return loss
	}
	net.Backward(s.grad)
	r.trainer.Opt.Step(net.Params(), net.Grads())
	return loss
}

// drawCells picks, in every cell of every item, the pixel of g1 and the
// neighbour of g2.
func (s *neighbor2neighbor) drawCells(rng *rand.Rand, n, half int) {
	for i := range s.first[:n*half*half] {
		a := rng.IntN(4)
		s.first[i] = int32(a)
		s.next[i] = int32(cellNeighbours[a][rng.IntN(2)])
	}
}

// subsample writes into dst (c planes of (p/2)²) the sub-image of src (c
// planes of p²) of batch item i: which = 0 takes g1's pixels, 1 g2's, and
// -1 the difference g1 − g2.
func (s *neighbor2neighbor) subsample(dst, src []float32, i, p, c, which int) {
	half := p / 2
	cells := s.first[i*half*half : (i+1)*half*half]
	nexts := s.next[i*half*half : (i+1)*half*half]
	for ch := 0; ch < c; ch++ {
		plane := src[ch*p*p : (ch+1)*p*p]
		out := dst[ch*half*half : (ch+1)*half*half]
		for cy := 0; cy < half; cy++ {
			for cx := 0; cx < half; cx++ {
				k := cy*half + cx
				base := 2*cy*p + 2*cx
				at := func(pos int32) float32 { return plane[base+int(pos>>1)*p+int(pos&1)] }
				switch which {
				case 0:
					out[k] = at(cells[k])
				case 1:
					out[k] = at(nexts[k])
				default:
					out[k] = at(cells[k]) - at(nexts[k])
				}
			}
		}
	}
}

func fill(v []float32, x float32) {
	for i := range v {
		v[i] = x
	}
}
