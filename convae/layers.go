package convae

import (
	"math"

	"diabolo/convae/internal/vec"
)

// layer is one compiled operation of a network. Shapes are fixed by
// outShape before forward and backward are called.
type layer interface {
	// outShape returns the output shape for the given input shapes and
	// remembers whatever geometry forward and backward need.
	outShape(in []Shape) Shape
	// forward computes y from the inputs.
	forward(ws []*worker, in []*Tensor, y *Tensor)
	// backward adds the gradient of the loss with respect to each input i
	// into dx[i] (skipped where dx[i] is nil) and the parameter gradients
	// into the workers' gradient vectors, given the output y and its
	// gradient dy, which it may overwrite.
	backward(ws []*worker, in []*Tensor, y, dy *Tensor, dx []*Tensor)
}

// eachItem runs fn over all the elements of a tensor of shape s, split
// into one contiguous range per worker (on 16-element boundaries).
func eachItem(ws []*worker, s Shape, fn func(lo, hi int)) {
	n := s.Len()
	chunks := (n + 15) / 16
	parallel(ws, chunks, func(_ *worker, lo, hi int) { fn(lo*16, min(hi*16, n)) })
}

// eachPlane runs fn over the planes (item n, channel c) of shape s, in
// parallel, so that even a single image keeps every worker busy.
func eachPlane(ws []*worker, s Shape, fn func(n, c int)) {
	parallel(ws, s.N*s.C, func(_ *worker, lo, hi int) {
		for i := lo; i < hi; i++ {
			fn(i/s.C, i%s.C)
		}
	})
}

// actLayer is a stand-alone element-wise non-linearity (one that does not
// follow a convolution, into which it would be fused).
type actLayer struct{ act activation }

func (l *actLayer) outShape(in []Shape) Shape { return in[0] }

func (l *actLayer) forward(ws []*worker, in []*Tensor, y *Tensor) {
	eachItem(ws, y.Shape, func(lo, hi int) {
		copy(y.Data[lo:hi], in[0].Data[lo:hi])
		l.act.apply(y.Data[lo:hi])
	})
}

func (l *actLayer) backward(ws []*worker, in []*Tensor, y, dy *Tensor, dx []*Tensor) {
	if dx[0] == nil {
		return
	}
	eachItem(ws, y.Shape, func(lo, hi int) {
		l.act.backprop(y.Data[lo:hi], dy.Data[lo:hi])
		addTo(dx[0].Data[lo:hi], dy.Data[lo:hi])
	})
}

// sigmoidLayer computes 1/(1+e^-x).
type sigmoidLayer struct{}

func (sigmoidLayer) outShape(in []Shape) Shape { return in[0] }

func (sigmoidLayer) forward(ws []*worker, in []*Tensor, y *Tensor) {
	eachItem(ws, y.Shape, func(lo, hi int) {
		for i, x := range in[0].Data[lo:hi] {
			y.Data[lo+i] = float32(1 / (1 + math.Exp(-float64(x))))
		}
	})
}

func (sigmoidLayer) backward(ws []*worker, in []*Tensor, y, dy *Tensor, dx []*Tensor) {
	if dx[0] == nil {
		return
	}
	eachItem(ws, y.Shape, func(lo, hi int) {
		d := dx[0].Data[lo:hi]
		for i, s := range y.Data[lo:hi] {
			d[i] += dy.Data[lo+i] * s * (1 - s)
		}
	})
}

// shuffleLayer rearranges C·r²×H×W into C×rH×rW (PixelShuffle), or back
// (PixelUnshuffle), exactly as PyTorch orders the channels.
type shuffleLayer struct {
	r       int
	inverse bool // PixelUnshuffle
}

func (l *shuffleLayer) outShape(ins []Shape) Shape {
	in := ins[0]
	if l.inverse {
		return Shape{in.N, in.C * l.r * l.r, in.H / l.r, in.W / l.r}
	}
	return Shape{in.N, in.C / (l.r * l.r), in.H * l.r, in.W * l.r}
}

// mapping calls fn(small, big) for every element of channel ch of the
// C×rH×rW side of one item, whose shape is given: big indexes that side,
// small the C·r²×H×W side.
func (l *shuffleLayer) mapping(s Shape, ch int, fn func(small, big int)) {
	r := l.r
	h, w := s.H, s.W
	hs, wsm := h/r, w/r
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			small := ((ch*r*r+(y%r)*r+x%r)*hs+y/r)*wsm + x/r
			fn(small, (ch*h+y)*w+x)
		}
	}
}

func (l *shuffleLayer) bigShape(in, out Shape) Shape {
	if l.inverse {
		return in
	}
	return out
}

func (l *shuffleLayer) forward(ws []*worker, in []*Tensor, y *Tensor) {
	x := in[0]
	big := l.bigShape(x.Shape, y.Shape)
	eachPlane(ws, big, func(n, ch int) {
		xi, yi := x.Item(n), y.Item(n)
		if l.r == 2 {
			l.forward2(big, ch, xi, yi)
			return
		}
		l.mapping(big, ch, func(small, b int) {
			if l.inverse {
				yi[small] = xi[b]
			} else {
				yi[b] = xi[small]
			}
		})
	})
}

// forward2 is forward for channel ch of one item when r = 2, row by row:
// the even and odd pixels of big row y are rows y/2 of small planes
// 4·ch + 2·(y%2) and the next one.
func (l *shuffleLayer) forward2(big Shape, ch int, x, y []float32) {
	h, w := big.H, big.W
	ps := (h / 2) * (w / 2)
	for row := 0; row < h; row++ {
		line := (ch*h + row) * w
		even := ((4*ch+2*(row%2))*ps + (row/2)*(w/2))
		odd := even + ps
		if l.inverse {
			vec.Deinterleave(y[even:even+w/2], y[odd:odd+w/2], x[line:line+w])
		} else {
			vec.Interleave(y[line:line+w], x[even:even+w/2], x[odd:odd+w/2])
		}
	}
}

func (l *shuffleLayer) backward(ws []*worker, in []*Tensor, y, dy *Tensor, dx []*Tensor) {
	if dx[0] == nil {
		return
	}
	x := in[0]
	big := l.bigShape(x.Shape, y.Shape)
	eachPlane(ws, big, func(n, ch int) {
		dxi, dyi := dx[0].Item(n), dy.Item(n)
		l.mapping(big, ch, func(small, b int) {
			if l.inverse {
				dxi[b] += dyi[small]
			} else {
				dxi[small] += dyi[b]
			}
		})
	})
}

// concatLayer joins its two inputs along the channel axis.
type concatLayer struct{}

func (concatLayer) outShape(in []Shape) Shape {
	return Shape{in[0].N, in[0].C + in[1].C, in[0].H, in[0].W}
}

// concatSource returns which input channel c of the output comes from, and
// its channel there.
func concatSource(in []*Tensor, c int) (int, int) {
	if c < in[0].C {
		return 0, c
	}
	return 1, c - in[0].C
}

func (concatLayer) forward(ws []*worker, in []*Tensor, y *Tensor) {
	p := y.H * y.W
	eachPlane(ws, y.Shape, func(n, c int) {
		i, ci := concatSource(in, c)
		copy(y.Item(n)[c*p:(c+1)*p], in[i].Item(n)[ci*p:(ci+1)*p])
	})
}

func (concatLayer) backward(ws []*worker, in []*Tensor, y, dy *Tensor, dx []*Tensor) {
	p := y.H * y.W
	eachPlane(ws, y.Shape, func(n, c int) {
		if i, ci := concatSource(in, c); dx[i] != nil {
			addTo(dx[i].Item(n)[ci*p:(ci+1)*p], dy.Item(n)[c*p:(c+1)*p])
		}
	})
}

// addLayer sums its two inputs, of equal shapes.
type addLayer struct{}

func (addLayer) outShape(in []Shape) Shape { return in[0] }

func (addLayer) forward(ws []*worker, in []*Tensor, y *Tensor) {
	eachItem(ws, y.Shape, func(lo, hi int) {
		a, b, d := in[0].Data[lo:hi], in[1].Data[lo:hi], y.Data[lo:hi]
		for i := range d {
			d[i] = a[i] + b[i]
		}
	})
}

func (addLayer) backward(ws []*worker, in []*Tensor, y, dy *Tensor, dx []*Tensor) {
	eachItem(ws, y.Shape, func(lo, hi int) {
		for _, d := range dx {
			if d != nil {
				addTo(d.Data[lo:hi], dy.Data[lo:hi])
			}
		}
	})
}

// residualLayer computes input[:, :C] + sign·current, where in[0] is the
// current activation (C channels) and in[1] the network's input.
type residualLayer struct{ sign float32 }

func (residualLayer) outShape(in []Shape) Shape { return in[0] }

func (l residualLayer) forward(ws []*worker, in []*Tensor, y *Tensor) {
	p := y.H * y.W
	eachPlane(ws, y.Shape, func(n, c int) {
		cur, d := in[0].Item(n)[c*p:(c+1)*p], y.Item(n)[c*p:(c+1)*p]
		inp := in[1].Item(n)[c*p : (c+1)*p]
		for i := range d {
			d[i] = inp[i] + l.sign*cur[i]
		}
	})
}

func (l residualLayer) backward(ws []*worker, in []*Tensor, y, dy *Tensor, dx []*Tensor) {
	p := y.H * y.W
	eachPlane(ws, y.Shape, func(n, c int) {
		d := dy.Item(n)[c*p : (c+1)*p]
		if dx[0] != nil {
			g := dx[0].Item(n)[c*p : (c+1)*p]
			for i, v := range d {
				g[i] += l.sign * v
			}
		}
		if dx[1] != nil {
			addTo(dx[1].Item(n)[c*p:(c+1)*p], d)
		}
	})
}

// addTo adds src to dst element-wise.
func addTo(dst, src []float32) { vec.Add(dst, src) }
