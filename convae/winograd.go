package convae

import "diabolo/convae/internal/vec"

// Winograd's minimal filtering F(2×2, 3×3) (Lavin and Gray, "Fast
// Algorithms for Convolutional Neural Networks", 2016) computes a 3×3,
// stride-1, size-keeping convolution in tiles of 2×2 output pixels: each
// 4×4 input tile d and each kernel g are transformed, V = Bᵀ·d·B and
// U = G·g·Gᵀ, multiplied element-wise, summed over input channels, and
// transformed back, Y = Aᵀ·M·A. Summed over channels, the element-wise
// products are 16 matrix products, U[ξ] (out×in) times V[ξ] (in×tiles):
// 16 multiplications per tile and channel pair instead of 36.
//
//	Bᵀ = | 1  0 -1  0 |    G = | 1    0    0   |    Aᵀ = | 1  1  1  0 |
//	     | 0  1  1  0 |        | 1/2  1/2  1/2 |         | 0  1 -1 -1 |
//	     | 0 -1  1  0 |        | 1/2 -1/2  1/2 |
//	     | 0  1  0 -1 |        | 0    0    1   |
//
// The transforms run along whole rows of tiles: the input rows are split
// into their even and odd columns, so that every term of a transform is a
// contiguous vector operation.

// winogradTerms is the number of transformed values per tile (4×4).
const winogradTerms = 16

// winogradBudget bounds the transformed input and output of one band, in
// float32 values, so that they stay in the L2 cache while the 16 products
// run.
const winogradBudget = 1 << 17

// winogradWeights sets u[ξ][o][i] (16×out×in) to the transform G·g·Gᵀ of
// each 3×3 kernel g = w[o][i] of a convolution weight w[out][in][3][3].
func winogradWeights(u, w []float32, out, in int) {
	u = u[:winogradTerms*out*in]
	for o := 0; o < out; o++ {
		for i := 0; i < in; i++ {
			g := w[(o*in+i)*9:][:9]
			// t = G·g: 4 rows of 3.
			var t [4][3]float32
			for c := 0; c < 3; c++ {
				g0, g1, g2 := g[c], g[3+c], g[6+c]
				t[0][c] = g0
				t[1][c] = (g0 + g1 + g2) / 2
				t[2][c] = (g0 - g1 + g2) / 2
				t[3][c] = g2
			}
			// u = t·Gᵀ: 4×4.
			for r := 0; r < 4; r++ {
				t0, t1, t2 := t[r][0], t[r][1], t[r][2]
				v := [4]float32{t0, (t0 + t1 + t2) / 2, (t0 - t1 + t2) / 2, t2}
				for c, x := range v {
					u[((r*4+c)*out+o)*in+i] = x
				}
			}
		}
	}
}

// winogradGrid is the geometry of a size-keeping 3×3 convolution of in
// channels into out channels over h×w pixels, in tiles of 2×2.
type winogradGrid struct {
	in, out, h, w int
}

// tilesAcross is the number of tiles along a row.
func (g winogradGrid) tilesAcross() int { return (g.w + 1) / 2 }

// tilesDown is the number of rows of tiles.
func (g winogradGrid) tilesDown() int { return (g.h + 1) / 2 }

// bandTiles is the number of rows of tiles per band: the transformed input
// and output of a band fit winogradBudget.
func (g winogradGrid) bandTiles() int {
	perRow := winogradTerms * (g.in + g.out) * (g.tilesAcross() + 1)
	return max(1, min(g.tilesDown(), winogradBudget/perRow))
}

// winogradScratch holds the buffers of one worker for the Winograd path.
type winogradScratch struct {
	v, m []float32 // transformed input (16×in×tiles) and products (16×out×tiles)
	rows []float32 // split and transformed rows
}

func (s *winogradScratch) grow(v, m, rows int) {
	s.v, s.m, s.rows = grow(s.v, v), grow(s.m, m), grow(s.rows, rows)
}

// In a band of rows of tiles, tile t of row j has the index j·(tw+1) + t,
// where tw is the number of tiles across: each row has a spare tile at its
// end, which lets every transform run over the whole band as one vector
// (the spare tiles hold values that are never used).

// band computes the output rows of tile rows [t0, t1) of the convolution
// of x (in×h×w) with the transformed kernels u (see winogradWeights) into
// y (out×h×w).
func (g winogradGrid) band(w *worker, u, x []float32, t0, t1 int, y []float32) {
	rowLen := g.tilesAcross() + 1 // tiles per row, the spare one included
	n := (t1 - t0) * rowLen       // tiles in the band, spare ones included
	s := &w.wino
	s.grow(winogradTerms*g.in*n, winogradTerms*g.out*n, max(4*(n+rowLen)+8*(n+1), 12*n))
	g.inputTransform(s, x, t0, t1)
	for xi := 0; xi < winogradTerms; xi++ {
		w.gemm.Sgemm(false, false, g.out, n, g.in, u[xi*g.out*g.in:], g.in, s.v[xi*g.in*n:], n, 0, s.m[xi*g.out*n:], n)
	}
	g.outputTransform(s, t0, t1, y)
}

// inputTransform fills s.v[ξ][c][tile] with Bᵀ·d·B for the 4×4 input tile
// d of every tile of rows [t0, t1) and channel c.
func (g winogradGrid) inputTransform(s *winogradScratch, x []float32, t0, t1 int) {
	rowLen := g.tilesAcross() + 1
	n := (t1 - t0) * rowLen
	// The input rows 2t-1 … 2t+2 of the band's tiles, split four ways:
	// evenRows[j] is input row 2(t0+j) and oddRows[j] row 2(t0+j)-1, for
	// j = 0 … t1-t0; each is split into its even columns (even[i] is
	// column 2i) and odd ones (odd[i] is column 2i-1), so that tile t
	// spans odd[t], even[t], odd[t+1], even[t+1].
	planeLen := n + rowLen
	split := func(i int) []float32 { return s.rows[i*planeLen : (i+1)*planeLen] }
	evenRowsEven, evenRowsOdd, oddRowsEven, oddRowsOdd := split(0), split(1), split(2), split(3)
	// Bᵀ·d along the columns, for the even and odd columns: n+1 values,
	// the last one 0 so that tile t+1 of the last row can be read.
	rest := s.rows[4*planeLen:]
	col := func(k, parity int) []float32 { return rest[(2*k+parity)*(n+1):][:n+1] }
	plane := g.h * g.w
	for c := 0; c < g.in; c++ {
		src := x[c*plane : (c+1)*plane]
		for j := 0; j <= t1-t0; j++ {
			r := 2 * (t0 + j)
			g.split(evenRowsEven[j*rowLen:][:rowLen], evenRowsOdd[j*rowLen:][:rowLen], src, r)
			g.split(oddRowsEven[j*rowLen:][:rowLen], oddRowsOdd[j*rowLen:][:rowLen], src, r-1)
		}
		for parity, rows := range [2][2][]float32{{evenRowsEven, oddRowsEven}, {evenRowsOdd, oddRowsOdd}} {
			even, odd := rows[0], rows[1]
			d0, d1, d2, d3 := odd[:n], even[:n], odd[rowLen:][:n], even[rowLen:][:n]
			vec.Sub(col(0, parity)[:n], d0, d2)
			vec.Sum(col(1, parity)[:n], d1, d2)
			vec.Sub(col(2, parity)[:n], d2, d1)
			vec.Sub(col(3, parity)[:n], d1, d3)
			for k := 0; k < 4; k++ {
				col(k, parity)[n] = 0
			}
		}
		// ·B along the rows: tile t reads odd[t], even[t], odd[t+1],
		// even[t+1].
		for k := 0; k < 4; k++ {
			even, odd := col(k, 0), col(k, 1)
			dst := func(i int) []float32 { return s.v[((4*k+i)*g.in+c)*n:][:n] }
			vec.Sub(dst(0), odd[:n], odd[1:])
			vec.Sum(dst(1), even[:n], odd[1:])
			vec.Sub(dst(2), odd[1:], even[:n])
			vec.Sub(dst(3), even[:n], even[1:])
		}
	}
}

// split writes the even columns of row r of the plane src into even[i]
// (column 2i) and its odd columns into odd[i] (column 2i-1), with zeros
// outside the plane.
func (g winogradGrid) split(even, odd, src []float32, r int) {
	if r < 0 || r >= g.h {
		clear(even)
		clear(odd)
		return
	}
	line := src[r*g.w : (r+1)*g.w]
	pairs := g.w / 2
	odd[0] = 0
	vec.Deinterleave(even[:pairs], odd[1:pairs+1], line[:2*pairs])
	// The rest lies past the right edge, but for the last column of an
	// odd width.
	clear(even[pairs:])
	clear(odd[pairs+1:])
	if g.w%2 == 1 {
		even[pairs] = line[g.w-1]
	}
}

// outputTransform writes Aᵀ·M·A, the 2×2 output pixels of every tile of
// rows [t0, t1) and output channel, into y.
func (g winogradGrid) outputTransform(s *winogradScratch, t0, t1 int, y []float32) {
	tw := g.tilesAcross()
	rowLen := tw + 1
	n := (t1 - t0) * rowLen
	buf := s.rows
	row := func(k int) []float32 { return buf[k*n:][:n] }
	plane := g.h * g.w
	for c := 0; c < g.out; c++ {
		dst := y[c*plane : (c+1)*plane]
		m := func(xi int) []float32 { return s.m[(xi*g.out+c)*n:][:n] }
		// Aᵀ·M: rows 0–3 and 4–7 of buf hold the two rows of it.
		for col := 0; col < 4; col++ {
			vec.Sum3(row(col), m(col), m(4+col), m(8+col))
			vec.Diff3(row(4+col), m(4+col), m(8+col), m(12+col))
		}
		// ·A: the even and odd output columns of both rows.
		for r := 0; r < 2; r++ {
			p := 4 * r
			vec.Sum3(row(8+2*r), row(p), row(p+1), row(p+2))
			vec.Diff3(row(9+2*r), row(p+1), row(p+2), row(p+3))
		}
		for j := 0; j < t1-t0; j++ {
			for r := 0; r < 2; r++ {
				if yr := 2*(t0+j) + r; yr < g.h {
					g.merge(dst[yr*g.w:(yr+1)*g.w], row(8 + 2*r)[j*rowLen:][:tw], row(9 + 2*r)[j*rowLen:][:tw])
				}
			}
		}
	}
}

// merge interleaves the even and odd columns back into an output row.
func (g winogradGrid) merge(line, even, odd []float32) {
	pairs := g.w / 2
	vec.Interleave(line[:2*pairs], even, odd)
	if g.w%2 == 1 {
		line[g.w-1] = even[pairs]
	}
}
