package convae

import "math"

// unblendLayer takes a predicted visible mark off the network's input (see
// OpUnblend). in[0] holds the opacity logit and the colour logits, then,
// with a fill, the fill's channels; in[1] is the network's input. out is the
// number of the picture's channels. target, when its Alpha is not nil,
// holds the true marks of the batch (see Net.SetMarkTarget).
type unblendLayer struct {
	out    int
	target MarkTarget
}

func (l *unblendLayer) outShape(in []Shape) Shape {
	s := in[0]
	s.C = l.out
	return s
}

// unblendRows runs fn over the rows of every item, in parallel.
func unblendRows(ws []*worker, s Shape, fn func(n, row int)) {
	parallel(ws, s.N*s.H, func(_ *worker, lo, hi int) {
		for i := lo; i < hi; i++ {
			fn(i/s.H, i%s.H)
		}
	})
}

// unblendOpacity returns α and dα/da for the opacity logit a.
func unblendOpacity(a float32) (alpha, dAlpha float32) {
	s := float32(1 / (1 + math.Exp(-float64(a-UnblendOffset))))
	return UnblendMaxOpacity * s, UnblendMaxOpacity * s * (1 - s)
}

// fillFloor is the weight of the fill's error at an unmarked pixel, where
// the fill should return the input; under a mark the weight grows with the
// mark's opacity (see MarkTarget).
const fillFloor = 0.1

// sign returns −1, 0 or 1 as v is negative, zero or positive.
func sign(v float32) float32 {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

func sigmoid32(v float32) float32 { return float32(1 / (1 + math.Exp(-float64(v)))) }

// MarkOpacity returns the opacity of a mark for the opacity logit that an
// unblend op reads (the first channel of a MarkNet's output).
func MarkOpacity(logit float32) float32 {
	alpha, _ := unblendOpacity(logit)
	return alpha
}

// MarkColour returns a colour value of a mark, in [0, 1], for the colour
// logit that an unblend op reads (channels 1 to Out of a MarkNet's output).
func MarkColour(logit float32) float32 { return sigmoid32(logit) }

// MarkFill returns a network's estimate of a picture's value under a mark,
// for the value marked of the network's input there and the fill channel f
// that an unblend op with a fill reads (channels Out+1 to 2·Out of a
// MarkNet's output): the network predicts what to add to the marked value.
func MarkFill(marked, f float32) float32 { return marked + f }

func (*unblendLayer) forward(ws []*worker, in []*Tensor, y *Tensor) {
	p := y.H * y.W
	unblendRows(ws, y.Shape, func(n, row int) {
		cur, x, out := in[0].Item(n), in[1].Item(n), y.Item(n)
		for i := row * y.W; i < (row+1)*y.W; i++ {
			alpha, _ := unblendOpacity(cur[i])
			keep := 1 / (1 - alpha)
			for c := 0; c < y.C; c++ {
				w := sigmoid32(cur[(c+1)*p+i])
				out[c*p+i] = (x[c*p+i] - alpha*w) * keep
			}
		}
	})
}

func (l *unblendLayer) backward(ws []*worker, in []*Tensor, y, dy *Tensor, dx []*Tensor) {
	p := y.H * y.W
	t := l.target
	if t.Alpha != nil && (len(t.Alpha) != y.N*p || len(t.Colour) != y.N*y.C*p) {
		panic("convae: mark target of the wrong size")
	}
	// With Only, the main loss does not reach the opacity, the colour or
	// the input.
	mainLoss := t.Alpha == nil || !t.Only
	scale := t.Weight / float32(y.N*p)
	fill := in[0].C == 2*y.C+1 && t.Alpha != nil && t.Clean != nil
	if fill && len(t.Clean) != y.N*y.C*p {
		panic("convae: clean pictures of the wrong size")
	}
	fillScale := t.FillWeight / float32(y.N*p)
	unblendRows(ws, y.Shape, func(n, row int) {
		cur, x, g := in[0].Item(n), in[1].Item(n), dy.Item(n)
		var dc, dxIn []float32
		if dx[0] != nil {
			dc = dx[0].Item(n)
		}
		if dx[1] != nil && mainLoss {
			dxIn = dx[1].Item(n)
		}
		for i := row * y.W; i < (row+1)*y.W; i++ {
			alpha, dAlpha := unblendOpacity(cur[i])
			keep := 1 / (1 - alpha)
			var want float32 // the target opacity over the maximum
			if t.Alpha != nil {
				want = min(t.Alpha[n*p+i]/UnblendMaxOpacity, 1)
			}
			var da float32
			for c := 0; c < y.C; c++ {
				w := sigmoid32(cur[(c+1)*p+i])
				if mainLoss {
					gc := g[c*p+i]
					// y = (x − αW)/(1 − α): ∂y/∂α = (x − W)/(1 − α)²,
					// ∂y/∂W = −α/(1 − α), ∂y/∂x = 1/(1 − α).
					da += gc * (x[c*p+i] - w) * keep * keep
					if dc != nil {
						dc[(c+1)*p+i] += gc * -alpha * keep * w * (1 - w)
					}
					if dxIn != nil {
						dxIn[c*p+i] += gc * keep
					}
				}
				if dc != nil && want > 0 {
					// Cross-entropy of σ(w) against the colour: its
					// gradient with respect to w is their difference.
					dc[(c+1)*p+i] += scale * want * (w - t.Colour[(n*y.C+c)*p+i])
				}
				if dc != nil && fill {
					// Absolute error of the fill, weighted: its gradient
					// is the sign of the error.
					f := (y.C+1+c)*p + i
					e := MarkFill(x[c*p+i], cur[f]) - t.Clean[(n*y.C+c)*p+i]
					dc[f] += fillScale * (fillFloor + want) * sign(e)
				}
			}
			if dc != nil {
				dc[i] += da * dAlpha
				if t.Alpha != nil {
					// Cross-entropy of σ(a − offset) against the target
					// opacity over the maximum: the gradient with respect
					// to the logit is their difference.
					dc[i] += scale * (alpha/UnblendMaxOpacity - want)
				}
			}
		}
	})
}
