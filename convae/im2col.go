package convae

import "diabolo/convae/internal/vec"

// grid describes a convolution between a big grid (the input of a
// convolution, the output of a transposed one) of Cb×Hb×Wb and a small grid
// (the output of a convolution, the input of a transposed one) of
// Cs×Hs×Ws, with a k×k kernel, stride s and zero padding p.
//
// The column matrix of the big grid has K = Cb·k·k rows and one column per
// small-grid pixel: col[(cb·k+ky)·k+kx][ys·Ws+xs] = big[cb][ys·s+ky-p][xs·s+kx-p].
type grid struct {
	cb, hb, wb int
	cs, hs, ws int
	k, s, p    int
}

func (g grid) kdim() int { return g.cb * g.k * g.k }

// identity reports whether the column matrix is the big grid itself.
func (g grid) identity() bool { return g.k == 1 && g.s == 1 && g.p == 0 }

// im2col writes the columns of small-grid rows [y0, y1) of big into col,
// laid out as K rows of (y1-y0)·Ws values.
func (g grid) im2col(big []float32, y0, y1 int, col []float32) {
	if g.s == 1 && g.hs == g.hb && g.ws == g.wb {
		g.im2colSame(big, y0, y1, col)
		return
	}
	g.im2colGather(big, y0, y1, col)
}

// im2colGather is im2col for any geometry, gathering value by value.
func (g grid) im2colGather(big []float32, y0, y1 int, col []float32) {
	n := (y1 - y0) * g.ws
	for cb := 0; cb < g.cb; cb++ {
		plane := big[cb*g.hb*g.wb : (cb+1)*g.hb*g.wb]
		for ky := 0; ky < g.k; ky++ {
			for kx := 0; kx < g.k; kx++ {
				row := col[((cb*g.k+ky)*g.k+kx)*n:][:n]
				for ys := y0; ys < y1; ys++ {
					dst := row[(ys-y0)*g.ws:][:g.ws]
					yb := ys*g.s + ky - g.p
					if yb < 0 || yb >= g.hb {
						clear(dst)
						continue
					}
					g.gatherRow(dst, plane[yb*g.wb:][:g.wb], kx)
				}
			}
		}
	}
}

// im2colSame is im2col for a stride-1 convolution that keeps the size:
// each row of col is then the band of a plane shifted by (ky-p, kx-p), so it
// is one block copy, with the pixels that fall off the left or right edge
// (which the copy wraps to the neighbouring row) zeroed afterwards.
func (g grid) im2colSame(big []float32, y0, y1 int, col []float32) {
	w, h := g.wb, g.hb
	n := (y1 - y0) * w
	for cb := 0; cb < g.cb; cb++ {
		plane := big[cb*h*w : (cb+1)*h*w]
		for ky := 0; ky < g.k; ky++ {
			dy := ky - g.p
			lo, hi := max(y0, -dy), min(y1, h-dy) // rows that read inside the plane
			for kx := 0; kx < g.k; kx++ {
				dx := kx - g.p
				row := col[((cb*g.k+ky)*g.k+kx)*n:][:n]
				if lo >= hi || dx <= -w || dx >= w {
					clear(row)
					continue
				}
				clear(row[:(lo-y0)*w])
				clear(row[(hi-y0)*w:])
				dst := row[(lo-y0)*w : (hi-y0)*w]
				src0 := (lo+dy)*w + dx
				skip := max(0, -src0)                 // before the plane's first value
				end := min(len(plane), src0+len(dst)) // past its last
				copy(dst[skip:end-src0], plane[src0+skip:end])
				clear(dst[end-src0:])
				// The columns that read past the left or right edge: a
				// value or two per row, set one by one (a call to clear
				// per row costs more than the copy).
				if dx < 0 {
					for i := 0; i < len(dst); i += w {
						for j := range -dx {
							dst[i+j] = 0
						}
					}
				} else if dx > 0 {
					for i := w - dx; i < len(dst); i += w {
						for j := range dx {
							dst[i+j] = 0
						}
					}
				}
			}
		}
	}
}

// rowSpan returns, for kernel column kx, the offset off = kx-p and the
// range [lo, hi) of the Ws small-grid columns xs whose big-grid column
// xs·s+off lies inside the big grid (lo == hi when none does).
func (g grid) rowSpan(kx int) (off, lo, hi int) {
	off = kx - g.p
	if off < 0 {
		lo = (-off + g.s - 1) / g.s
	}
	hi = g.ws
	if last := g.wb - 1 - off; last < 0 {
		hi = 0
	} else {
		hi = min(hi, last/g.s+1)
	}
	return off, min(lo, hi), hi
}

// gatherRow sets dst[xs] = src[xs·s+kx-p], or 0 outside src.
func (g grid) gatherRow(dst, src []float32, kx int) {
	off, lo, hi := g.rowSpan(kx)
	clear(dst[:lo])
	clear(dst[hi:])
	if lo == hi {
		return
	}
	switch g.s {
	case 1:
		copy(dst[lo:hi], src[lo+off:hi+off])
	case 2:
		vec.GatherEven(dst[lo:hi], src[lo*2+off:])
	default:
		for xs := lo; xs < hi; xs++ {
			dst[xs] = src[xs*g.s+off]
		}
	}
}

// col2im adds the columns of small-grid rows [y0, y1) in col back into big:
// the adjoint of im2col.
func (g grid) col2im(col []float32, y0, y1 int, big []float32) {
	n := (y1 - y0) * g.ws
	for cb := 0; cb < g.cb; cb++ {
		plane := big[cb*g.hb*g.wb : (cb+1)*g.hb*g.wb]
		for ky := 0; ky < g.k; ky++ {
			for kx := 0; kx < g.k; kx++ {
				row := col[((cb*g.k+ky)*g.k+kx)*n:][:n]
				for ys := y0; ys < y1; ys++ {
					yb := ys*g.s + ky - g.p
					if yb < 0 || yb >= g.hb {
						continue
					}
					g.scatterRow(plane[yb*g.wb:][:g.wb], row[(ys-y0)*g.ws:][:g.ws], kx)
				}
			}
		}
	}
}

// scatterRow adds src[xs] to dst[xs·s+kx-p] where that is inside dst.
func (g grid) scatterRow(dst, src []float32, kx int) {
	off, lo, hi := g.rowSpan(kx)
	if lo >= hi {
		return
	}
	switch g.s {
	case 1:
		vec.Add(dst[lo+off:hi+off], src[lo:hi])
	case 2:
		vec.AddEven(dst[lo*2+off:], src[lo:hi])
	default:
		for xs := lo; xs < hi; xs++ {
			dst[xs*g.s+off] += src[xs]
		}
	}
}
