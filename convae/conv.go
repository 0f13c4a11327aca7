package convae

import (
	"diabolo/convae/internal/gemm"
	"diabolo/convae/internal/vec"
)

// colBudget bounds the column buffer of one worker, in float32 values:
// convolutions over big images proceed in bands of output rows.
const colBudget = 1 << 20

// worker is the scratch space of one goroutine.
type worker struct {
	gemm gemm.Workspace
	col  []float32
	wino winogradScratch
	// grads is where this worker accumulates parameter gradients: the
	// network's own gradient vector for worker 0, a private one for the
	// others, added to it in worker order after each backward pass.
	grads []float32
}

// colBuf returns a column buffer of at least n values.
func (w *worker) colBuf(n int) []float32 {
	w.col = grow(w.col, n)
	return w.col
}

// activation is an element-wise non-linearity that may follow a layer.
type activation struct {
	kind  string // "", OpReLU, OpLeakyReLU
	slope float32
}

// asSlope returns the activation as max(x, slope·x): 0 for ReLU, the
// negative slope for LeakyReLU, 1 for none.
func (a activation) asSlope() float32 {
	switch a.kind {
	case OpReLU:
		return 0
	case OpLeakyReLU:
		return a.slope
	}
	return 1
}

// apply applies the activation to v in place.
func (a activation) apply(v []float32) {
	if a.kind != "" {
		vec.BiasAct(v, 0, a.asSlope())
	}
}

// backprop multiplies the gradient dy in place by the derivative of the
// activation, read from its output y.
func (a activation) backprop(y, dy []float32) {
	if a.kind != "" {
		vec.ActGrad(y, dy, a.asSlope())
	}
}

// convLayer is a convolution (transposed or not) with an optional bias and a
// fused activation. Its weight is stored as a [Cs][Cb·k·k] matrix in both
// cases, which is PyTorch's layout for Conv2d [out,in,k,k] and for
// ConvTranspose2d [in,out,k,k] alike.
type convLayer struct {
	transposed bool
	out        int // output channels
	k, s, p    int
	weight     []float32 // view into the parameter vector
	bias       []float32 // nil without bias
	wOff, bOff int       // offsets of weight and bias in the parameter vector
	act        activation
	g          grid      // geometry, set by outShape
	flipped    []float32 // the kernel flipped for the input gradient, see flipWeights
	// wino is the Winograd transform of the kernel (see winogradWeights),
	// for layers that take the Winograd path; direct keeps a layer off it.
	wino []float32
	// winoFlip is the Winograd transform of the flipped kernel, for the
	// input gradient on the Winograd path.
	winoFlip []float32
	direct   bool
}

func (l *convLayer) outShape(ins []Shape) Shape {
	in := ins[0]
	if l.transposed {
		ho, wo := (in.H-1)*l.s-2*l.p+l.k, (in.W-1)*l.s-2*l.p+l.k
		l.g = grid{cb: l.out, hb: ho, wb: wo, cs: in.C, hs: in.H, ws: in.W, k: l.k, s: l.s, p: l.p}
		return Shape{in.N, l.out, ho, wo}
	}
	ho, wo := (in.H+2*l.p-l.k)/l.s+1, (in.W+2*l.p-l.k)/l.s+1
	l.g = grid{cb: in.C, hb: in.H, wb: in.W, cs: l.out, hs: ho, ws: wo, k: l.k, s: l.s, p: l.p}
	return Shape{in.N, l.out, ho, wo}
}

// bandRows is the number of small-grid rows per band: bands keep the
// column buffer within colBudget. A transposed convolution whose kernel is
// larger than its stride writes overlapping output rows from neighbouring
// bands, so it runs in one band.
func (l *convLayer) bandRows() int {
	if l.transposed && l.k > l.s {
		return l.g.hs
	}
	return max(1, min(l.g.hs, colBudget/max(1, l.g.kdim()*l.g.ws)))
}

// forEachBand calls fn for the bands of every item of a batch of n, spread
// over the workers: by item when there are enough items, by band otherwise
// (only when perItem is false).
func (l *convLayer) forEachBand(ws []*worker, n int, perItem bool, fn func(w *worker, item, y0, y1 int)) {
	rows := l.bandRows()
	bands := (l.g.hs + rows - 1) / rows
	if n >= len(ws) || perItem || bands == 1 {
		parallel(ws, n, func(w *worker, lo, hi int) {
			for i := lo; i < hi; i++ {
				for b := 0; b < bands; b++ {
					fn(w, i, b*rows, min(l.g.hs, (b+1)*rows))
				}
			}
		})
		return
	}
	parallel(ws, n*bands, func(w *worker, lo, hi int) {
		for i := lo; i < hi; i++ {
			b := i % bands
			fn(w, i/bands, b*rows, min(l.g.hs, (b+1)*rows))
		}
	})
}

// columns returns the column matrix of small rows [y0, y1) of the big grid
// big, and its leading dimension: a view of big itself for 1×1 convolutions.
func (l *convLayer) columns(w *worker, big []float32, y0, y1 int) ([]float32, int) {
	g := l.g
	if g.identity() {
		return big[y0*g.ws:], g.hs * g.ws
	}
	n := (y1 - y0) * g.ws
	col := w.colBuf(g.kdim() * n)
	g.im2col(big, y0, y1, col)
	return col, n
}

// forward computes y = act(conv(x) + bias), x = in[0].
func (l *convLayer) forward(ws []*worker, in []*Tensor, y *Tensor) {
	x := in[0]
	if l.useWinograd() {
		g := l.winogradGrid()
		l.wino = grow(l.wino, winogradWeightsLen(g.out, g.in))
		winogradWeights(l.wino, l.weight, g.out, g.in)
		forEachTileBand(ws, g, x.N, func(w *worker, n, t0, t1 int) {
			yi := y.Item(n)
			g.band(w, l.wino, x.Item(n), t0, t1, yi, false)
			r0, r1 := winogradTile*t0, min(g.h, winogradTile*t1)
			for c := 0; c < g.out; c++ {
				l.finish(yi[c*g.h*g.w+r0*g.w:c*g.h*g.w+r1*g.w], c)
			}
		})
		return
	}
	l.forEachBand(ws, x.N, false, func(w *worker, n, y0, y1 int) {
		if l.transposed {
			l.forwardTransposed(w, x.Item(n), y.Item(n), y0, y1)
		} else {
			l.forwardBand(w, x.Item(n), y.Item(n), y0, y1)
		}
	})
}

// forwardBand computes output rows [y0, y1) of a convolution of one item.
func (l *convLayer) forwardBand(w *worker, x, y []float32, y0, y1 int) {
	g := l.g
	ps := g.hs * g.ws
	n := (y1 - y0) * g.ws
	kd := g.kdim()
	// y[Cs][band] = W[Cs][K] · col[K][band]
	b, ldb := l.columns(w, x, y0, y1)
	w.gemm.Sgemm(false, false, g.cs, n, kd, l.weight, kd, b, ldb, 0, y[y0*g.ws:], ps)
	for c := 0; c < g.cs; c++ {
		l.finish(y[c*ps+y0*g.ws:][:n], c)
	}
}

// forwardTransposed computes the output of input rows [y0, y1) of a
// transposed convolution of one item. Bands never share output rows (see
// bandRows), so the output rows of a band are final once it is done.
func (l *convLayer) forwardTransposed(w *worker, x, y []float32, y0, y1 int) {
	g := l.g
	ps := g.hs * g.ws
	n := (y1 - y0) * g.ws
	kd := g.kdim()
	// col[K][band] = Wᵀ[K][Cs] · x[Cs][band]; y = col2im(col)
	col := w.colBuf(kd * n)
	w.gemm.Sgemm(true, false, kd, n, g.cs, l.weight, kd, x[y0*g.ws:], ps, 0, col, n)
	r0, r1 := max(0, y0*g.s-g.p), min(g.hb, (y1-1)*g.s-g.p+g.k)
	if y0 == 0 {
		r0 = 0
	}
	if y1 == g.hs {
		r1 = g.hb
	}
	pb := g.hb * g.wb
	for c := 0; c < g.cb; c++ {
		clear(y[c*pb+r0*g.wb : c*pb+r1*g.wb])
	}
	g.col2im(col, y0, y1, y)
	for c := 0; c < g.cb; c++ {
		l.finish(y[c*pb+r0*g.wb:c*pb+r1*g.wb], c)
	}
}

// finish adds the bias of channel c and applies the activation in place,
// in one pass.
func (l *convLayer) finish(v []float32, c int) {
	switch {
	case l.bias != nil:
		vec.BiasAct(v, l.bias[c], l.act.asSlope())
	default:
		l.act.apply(v)
	}
}

// backward accumulates the parameter gradients into each worker's gradient
// vector (see worker.grads) and, when dx is not nil, the input gradient into dx. dy is the
// gradient of the layer's output; the activation's derivative is applied to
// it in place first.
func (l *convLayer) backward(ws []*worker, in []*Tensor, y, dy *Tensor, dx []*Tensor) {
	x := in[0]
	parallel(ws, x.N, func(w *worker, lo, hi int) {
		l.act.backprop(y.Data[lo*y.C*y.H*y.W:hi*y.C*y.H*y.W], dy.Data[lo*y.C*y.H*y.W:hi*y.C*y.H*y.W])
	})
	var dxT *Tensor
	if dx != nil {
		dxT = dx[0]
	}
	if dxT != nil && l.sameSize() {
		l.flipWeights()
	}
	// The input gradient of a layer on the Winograd path is the Winograd
	// convolution of dy with the flipped kernel, added to dx after the
	// bands below have computed the parameter gradients.
	winoDx := dxT != nil && l.useWinograd()
	// Bands of one item write disjoint rows of dx, except through the
	// col2im of a strided convolution.
	perItem := !l.transposed && !l.sameSize()
	l.forEachBand(ws, x.N, perItem, func(w *worker, n, y0, y1 int) {
		grad := w.grads
		var dxi []float32
		if dxT != nil && !winoDx {
			dxi = dxT.Item(n)
		}
		if l.transposed {
			l.backwardTransposed(w, grad, x.Item(n), dy.Item(n), dxi, y0, y1)
		} else {
			l.backwardBand(w, grad, x.Item(n), dy.Item(n), dxi, y0, y1)
		}
	})
	if winoDx {
		g := winogradGrid{in: l.g.cs, out: l.g.cb, h: l.g.hb, w: l.g.wb}
		l.winoFlip = grow(l.winoFlip, winogradWeightsLen(g.out, g.in))
		winogradWeights(l.winoFlip, l.flipped, g.out, g.in)
		forEachTileBand(ws, g, x.N, func(w *worker, n, t0, t1 int) {
			g.band(w, l.winoFlip, dy.Item(n), t0, t1, dxT.Item(n), true)
		})
	}
}

// backwardBand back-propagates output rows [y0, y1) of a convolution.
func (l *convLayer) backwardBand(w *worker, grad, x, dy, dx []float32, y0, y1 int) {
	g := l.g
	ps := g.hs * g.ws
	n := (y1 - y0) * g.ws
	kd := g.kdim()
	dyb := dy[y0*g.ws:]
	if l.bias != nil {
		db := grad[l.bOff:][:g.cs]
		for c := range db {
			db[c] += sum(dyb[c*ps:][:n])
		}
	}
	// dW[Cs][K] += dy[Cs][band] · colᵀ[band][K]
	b, ldb := l.columns(w, x, y0, y1)
	w.gemm.Sgemm(false, true, g.cs, kd, n, dyb, ps, b, ldb, 1, grad[l.wOff:], kd)
	if dx == nil {
		return
	}
	if l.sameSize() {
		// dx is the convolution of dy with the flipped kernel, transposed:
		// dx[Cb][band] += Wflip[Cb][Cs·k·k] · im2col(dy)[Cs·k·k][band].
		fg := grid{cb: g.cs, hb: g.hs, wb: g.ws, cs: g.cb, hs: g.hb, ws: g.wb, k: g.k, s: 1, p: g.k - 1 - g.p}
		fk := fg.kdim()
		col := w.colBuf(fk * n)
		fg.im2col(dy, y0, y1, col)
		w.gemm.Sgemm(false, false, g.cb, n, fk, l.flipped, fk, col, n, 1, dx[y0*g.ws:], ps)
		return
	}
	// dcol[K][band] = Wᵀ[K][Cs] · dy[Cs][band]; dx += col2im(dcol)
	if g.identity() {
		w.gemm.Sgemm(true, false, kd, n, g.cs, l.weight, kd, dyb, ps, 1, dx[y0*g.ws:], ps)
		return
	}
	col := w.colBuf(kd * n)
	w.gemm.Sgemm(true, false, kd, n, g.cs, l.weight, kd, dyb, ps, 0, col, n)
	g.col2im(col, y0, y1, dx)
}

// useWinograd reports whether the forward pass of l takes the Winograd
// path (see winograd.go): l must be a 3×3 size-keeping convolution over
// planes of at least winogradMinPixels. On smaller planes, such as the
// patches of training, im2col and one deep product measure as fast.
func (l *convLayer) useWinograd() bool {
	return l.sameSize() && l.g.k == 3 && l.g.hb*l.g.wb >= winogradMinPixels && !l.direct
}

// winogradMinPixels is the smallest plane that takes the Winograd path.
const winogradMinPixels = 96 * 96

// winogradGrid returns the geometry of l for the Winograd path.
func (l *convLayer) winogradGrid() winogradGrid {
	return winogradGrid{in: l.g.cb, out: l.g.cs, h: l.g.hb, w: l.g.wb}
}

// forEachTileBand calls fn for the bands of rows of tiles of g of every
// item of a batch of n, spread over the workers like forEachBand.
func forEachTileBand(ws []*worker, g winogradGrid, n int, fn func(w *worker, item, t0, t1 int)) {
	rows, down := g.bandTiles(), g.tilesDown()
	bands := (down + rows - 1) / rows
	parallel(ws, n*bands, func(w *worker, lo, hi int) {
		for i := lo; i < hi; i++ {
			b := i % bands
			fn(w, i/bands, b*rows, min(down, (b+1)*rows))
		}
	})
}

// grow returns s resized to n values, reusing its storage when it can.
func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// sameSize reports whether l is a stride-1, size-keeping convolution with
// a kernel larger than 1×1.
func (l *convLayer) sameSize() bool {
	g := l.g
	return !l.transposed && g.s == 1 && g.k > 1 && g.hs == g.hb && g.ws == g.wb
}

// flipWeights fills l.flipped with the kernel rotated by 180° and its
// channel axes swapped: flipped[cb][(cs·k+ky)·k+kx] = W[cs][cb][k-1-ky][k-1-kx].
func (l *convLayer) flipWeights() {
	g := l.g
	kk := g.k * g.k
	if len(l.flipped) != len(l.weight) {
		l.flipped = make([]float32, len(l.weight))
	}
	for cs := 0; cs < g.cs; cs++ {
		for cb := 0; cb < g.cb; cb++ {
			src := l.weight[(cs*g.cb+cb)*kk:][:kk]
			dst := l.flipped[(cb*g.cs+cs)*kk:][:kk]
			for i, v := range src {
				dst[kk-1-i] = v
			}
		}
	}
}

// backwardTransposed back-propagates input rows [y0, y1) of a transposed
// convolution: the small grid is its input, the big grid its output.
func (l *convLayer) backwardTransposed(w *worker, grad, x, dy, dx []float32, y0, y1 int) {
	g := l.g
	ps := g.hs * g.ws
	n := (y1 - y0) * g.ws
	kd := g.kdim()
	if l.bias != nil && y0 == 0 {
		db := grad[l.bOff:][:g.cb]
		pb := g.hb * g.wb
		for c := range db {
			db[c] += sum(dy[c*pb:][:pb])
		}
	}
	// col = im2col(dy); dW[Cs][K] += x[Cs][band] · colᵀ; dx[Cs][band] += W · col
	b, ldb := l.columns(w, dy, y0, y1)
	w.gemm.Sgemm(false, true, g.cs, kd, n, x[y0*g.ws:], ps, b, ldb, 1, grad[l.wOff:], kd)
	if dx != nil {
		w.gemm.Sgemm(false, false, g.cs, n, kd, l.weight, kd, b, ldb, 1, dx[y0*g.ws:], ps)
	}
}

func sum(v []float32) float32 {
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(v); i += 4 {
		s0 += v[i]
		s1 += v[i+1]
		s2 += v[i+2]
		s3 += v[i+3]
	}
	for ; i < len(v); i++ {
		s0 += v[i]
	}
	return (s0 + s1) + (s2 + s3)
}
