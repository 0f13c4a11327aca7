package convae

import (
	"diabolo/convae/internal/gemm"
	"diabolo/convae/internal/vec"
)

// Winograd's minimal filtering F(4×4, 3×3) (Lavin and Gray, "Fast
// Algorithms for Convolutional Neural Networks", 2016) computes a 3×3,
// stride-1, size-keeping convolution in tiles of 4×4 output pixels: each
// 6×6 input tile d and each kernel g are transformed, V = Bᵀ·d·B and
// U = G·g·Gᵀ, multiplied element-wise, summed over input channels, and
// transformed back, Y = Aᵀ·M·A. Summed over channels, the element-wise
// products are 36 matrix products, U[ξ] (out×in) times V[ξ] (in×tiles):
// 36 multiplications per tile of 16 pixels and channel pair, 2.25 per
// pixel instead of 9. Bᵀ and Aᵀ are in package vec (WinogradIn,
// WinogradOut), and G is:
//
//	G = |  1/4     0     0   |
//	    | -1/6  -1/6  -1/6   |
//	    | -1/6   1/6  -1/6   |
//	    |  1/24  1/12  1/6   |
//	    |  1/24 -1/12  1/6   |
//	    |  0      0     1    |
//
// The transforms run along whole rows of tiles: the input rows are split
// four ways by column, so that every term of a transform is a contiguous
// vector, and vec applies each 1-D transform to six such vectors at once.

const (
	// winogradTile is the side of the output tile.
	winogradTile = 4
	// winogradSpan is the side of the input tile (and of the transformed
	// tile).
	winogradSpan = winogradTile + 2
	// winogradTerms is the number of transformed values per tile (6×6).
	winogradTerms = winogradSpan * winogradSpan
)

// winogradBudget bounds the transformed input and output of one band, in
// float32 values, so that they stay in the L2 cache while the products
// run.
const winogradBudget = 1 << 17

// winogradG is the kernel transform G, 6×3.
var winogradG = [winogradSpan][3]float64{
	{1.0 / 4, 0, 0},
	{-1.0 / 6, -1.0 / 6, -1.0 / 6},
	{-1.0 / 6, 1.0 / 6, -1.0 / 6},
	{1.0 / 24, 1.0 / 12, 1.0 / 6},
	{1.0 / 24, -1.0 / 12, 1.0 / 6},
	{0, 0, 1},
}

// winogradWeights sets u to the transforms G·g·Gᵀ of the 3×3 kernels
// g = w[o][i] of a convolution weight w[out][in][3][3], computed in
// float64: for each ξ = 6·row + column, the out×in matrix U[ξ][o][i],
// packed for gemm.MulPacked at u[ξ·gemm.PackedALen(out, in):].
func winogradWeights(u, w []float32, out, in int) {
	size := gemm.PackedALen(out, in)
	u = u[:winogradTerms*size]
	clear(u) // the packed rows past out
	for o := 0; o < out; o++ {
		// Where U[ξ][o][i] lies in the packed matrix of ξ: the sliver of
		// rows o/MR, column i, lane o%MR.
		base := o/gemm.MR*gemm.MR*in + o%gemm.MR
		for i := 0; i < in; i++ {
			g := w[(o*in+i)*9:][:9]
			// t = G·g: 6 rows of 3.
			var t [winogradSpan][3]float64
			for r, gr := range winogradG {
				for c := 0; c < 3; c++ {
					t[r][c] = gr[0]*float64(g[c]) + gr[1]*float64(g[3+c]) + gr[2]*float64(g[6+c])
				}
			}
			// u = t·Gᵀ: 6×6.
			for r := range t {
				for c, gc := range winogradG {
					v := t[r][0]*gc[0] + t[r][1]*gc[1] + t[r][2]*gc[2]
					u[(r*winogradSpan+c)*size+base+i*gemm.MR] = float32(v)
				}
			}
		}
	}
}

// winogradWeightsLen is the length of the transformed kernels of a
// convolution of in channels into out.
func winogradWeightsLen(out, in int) int { return winogradTerms * gemm.PackedALen(out, in) }

// winogradGrid is the geometry of a size-keeping 3×3 convolution of in
// channels into out channels over h×w pixels, in tiles of 4×4.
type winogradGrid struct {
	in, out, h, w int
}

// tilesAcross is the number of tiles along a row.
func (g winogradGrid) tilesAcross() int { return (g.w + winogradTile - 1) / winogradTile }

// tilesDown is the number of rows of tiles.
func (g winogradGrid) tilesDown() int { return (g.h + winogradTile - 1) / winogradTile }

// bandTiles is the number of rows of tiles per band: the transformed input
// and output of a band fit winogradBudget.
func (g winogradGrid) bandTiles() int {
	perRow := winogradTerms * (g.in + g.out) * (g.tilesAcross() + 1)
	return max(1, min(g.tilesDown(), winogradBudget/perRow))
}

// winogradScratch holds the buffers of one worker for the Winograd path.
type winogradScratch struct {
	v, m []float32 // transformed input (36×in×tiles) and products (36×out×tiles)
	rows []float32 // split and transformed rows
	line []float32 // an output row, to be added
}

func (s *winogradScratch) grow(v, m, rows int) {
	s.v, s.m, s.rows = grow(s.v, v), grow(s.m, m), grow(s.rows, rows)
}

// In a band of rows of tiles, tile t of row j has the index j·(tw+1) + t,
// where tw is the number of tiles across: each row has a spare tile at its
// end, which lets every transform run over the whole band as one vector
// (the spare tiles, and those past the end of the band up to a multiple of
// gemm.NR, hold values that are never used).

// winogradReach is how far past the band's tiles the column transform
// runs: one tile, rounded up to a whole vector of 8.
const winogradReach = 8

// bandLayout gives the sizes of a band of tile rows [t0, t1).
type bandLayout struct {
	rowLen int // tiles per row, the spare one included
	n      int // tiles in the band, spare ones included
	cols   int // n rounded up to a multiple of gemm.NR: the columns of the products
	outPad int // output channels rounded up to a multiple of gemm.MR: the rows of the products
}

func (g winogradGrid) layout(t0, t1 int) bandLayout {
	rowLen := g.tilesAcross() + 1
	n := (t1 - t0) * rowLen
	return bandLayout{
		rowLen: rowLen,
		n:      n,
		cols:   (n + gemm.NR - 1) / gemm.NR * gemm.NR,
		outPad: (g.out + gemm.MR - 1) / gemm.MR * gemm.MR,
	}
}

// band computes the output rows of tile rows [t0, t1) of the convolution
// of x (in×h×w) with the transformed kernels u (see winogradWeights) into
// y (out×h×w), or adds them to y when add is set.
func (g winogradGrid) band(w *worker, u, x []float32, t0, t1 int, y []float32, add bool) {
	l := g.layout(t0, t1)
	s := &w.wino
	planeLen := l.cols + winogradReach + l.rowLen
	s.grow(winogradTerms*g.in*l.cols, winogradTerms*l.outPad*l.cols, max(16*planeLen+24*(l.cols+winogradReach), 40*l.cols))
	g.inputTransform(s, l, x, t0, t1)
	size := gemm.PackedALen(g.out, g.in)
	for xi := 0; xi < winogradTerms; xi++ {
		w.gemm.MulPacked(g.out, l.cols, g.in, u[xi*size:], s.v[xi*g.in*l.cols:], l.cols, s.m[xi*l.outPad*l.cols:], l.cols)
	}
	g.outputTransform(s, l, t0, t1, y, add)
}

// inputTransform fills s.v with Bᵀ·d·B for the 6×6 input tile d of every
// tile of rows [t0, t1) and channel c: V[ξ], the in×cols matrix of term ξ,
// starts at s.v[ξ·in·cols].
func (g winogradGrid) inputTransform(s *winogradScratch, l bandLayout, x []float32, t0, t1 int) {
	rowLen, n, cols := l.rowLen, l.n, l.cols
	// Tile t of tile row j reads input rows 4j-1 … 4j+4 and columns
	// 4t-1 … 4t+4. split[k][p][j·rowLen + i] holds input row 4(t0+j)-1+k,
	// column 4i-1+p, for j = 0 … t1-t0: tile t of row j then reads rows
	// k = 0 … 3 at j and k = 0, 1 at j+1, and likewise columns p = 0 … 3
	// at t and p = 0, 1 at t+1. Past the split rows, the planes are 0.
	planeLen := cols + winogradReach + rowLen
	split := func(k, p int) []float32 { return s.rows[(4*k+p)*planeLen:][:planeLen] }
	for i := 0; i < 16; i++ {
		clear(s.rows[i*planeLen+n+rowLen : (i+1)*planeLen])
	}
	// Bᵀ·d down the columns, for each column phase p, past the last
	// column so that tile t+1 of the last tile can be read.
	rest := s.rows[16*planeLen:]
	col := func(a, p int) []float32 {
		return rest[(4*a+p)*(cols+winogradReach):][:cols+winogradReach]
	}
	plane := g.h * g.w
	var phases [4][]float32
	var src, dst [winogradSpan][]float32
	for c := 0; c < g.in; c++ {
		in := x[c*plane : (c+1)*plane]
		for j := 0; j <= t1-t0; j++ {
			for k := 0; k < 4; k++ {
				for p := range phases {
					phases[p] = split(k, p)[j*rowLen:][:rowLen]
				}
				g.split(&phases, in, 4*(t0+j)-1+k)
			}
		}
		for p := 0; p < 4; p++ {
			for k := 0; k < 4; k++ {
				src[k] = split(k, p)
			}
			src[4], src[5] = split(0, p)[rowLen:], split(1, p)[rowLen:]
			for a := range dst {
				dst[a] = col(a, p)
			}
			vec.WinogradIn(&dst, &src)
		}
		// ·B along the rows: tile t reads phases 0 … 3 at t, 0 and 1 at
		// t+1.
		for a := 0; a < winogradSpan; a++ {
			for p := 0; p < 4; p++ {
				src[p] = col(a, p)
			}
			src[4], src[5] = col(a, 0)[1:], col(a, 1)[1:]
			for b := range dst {
				dst[b] = s.v[((winogradSpan*a+b)*g.in+c)*cols:][:cols]
			}
			vec.WinogradIn(&dst, &src)
		}
	}
}

// split writes row r of the plane src into its four column phases:
// phases[p][i] is column 4i-1+p, with zeros outside the plane.
func (g winogradGrid) split(phases *[4][]float32, src []float32, r int) {
	if r < 0 || r >= g.h {
		for _, ph := range phases {
			clear(ph)
		}
		return
	}
	line := src[r*g.w : (r+1)*g.w]
	quads := g.w / 4
	// Columns 4i, 4i+1, 4i+2 are phases 1, 2, 3 at i; column 4i+3 is
	// phase 0 at i+1.
	phases[0][0] = 0
	vec.Deinterleave4(&[4][]float32{phases[1], phases[2], phases[3], phases[0][1:]}, line[:4*quads])
	clear(phases[0][quads+1:])
	for p := 1; p < 4; p++ {
		// Columns past the right edge, but for those of a width that is
		// not a multiple of 4.
		ph := phases[p][quads:]
		clear(ph)
		if c := 4*quads + p - 1; c < g.w {
			ph[0] = line[c]
		}
	}
}

// outputTransform writes Aᵀ·M·A, the 4×4 output pixels of every tile of
// rows [t0, t1) and output channel, into y, or adds them to y when add is
// set.
func (g winogradGrid) outputTransform(s *winogradScratch, l bandLayout, t0, t1 int, y []float32, add bool) {
	tw := g.tilesAcross()
	// The transforms run over whole vectors of 8, past the band's tiles
	// (the products have at least that many columns).
	rowLen, width := l.rowLen, (l.n+7)/8*8
	buf := s.rows
	// cols[r][b]: row r of Aᵀ·M, for column b of M; out[r][q]: output row
	// r of the tile, its column q.
	cols := func(r, b int) []float32 { return buf[(r*winogradSpan+b)*width:][:width] }
	out := func(r, q int) []float32 { return buf[(24+4*r+q)*width:][:width] }
	plane := g.h * g.w
	var src [winogradSpan][]float32
	var dst, lines [4][]float32
	for c := 0; c < g.out; c++ {
		for b := 0; b < winogradSpan; b++ {
			for a := range src {
				src[a] = s.m[((winogradSpan*a+b)*l.outPad+c)*l.cols:][:width]
			}
			for r := range dst {
				dst[r] = cols(r, b)
			}
			vec.WinogradOut(&dst, &src)
		}
		for r := 0; r < 4; r++ {
			for b := range src {
				src[b] = cols(r, b)
			}
			for q := range dst {
				dst[q] = out(r, q)
			}
			vec.WinogradOut(&dst, &src)
		}
		yc := y[c*plane : (c+1)*plane]
		for j := 0; j < t1-t0; j++ {
			for r := 0; r < 4; r++ {
				yr := 4*(t0+j) + r
				if yr >= g.h {
					break
				}
				for q := range lines {
					lines[q] = out(r, q)[j*rowLen:][:tw]
				}
				line := yc[yr*g.w : (yr+1)*g.w]
				if !add {
					g.merge(line, &lines)
					continue
				}
				s.line = grow(s.line, g.w)
				g.merge(s.line, &lines)
				vec.Add(line, s.line)
			}
		}
	}
}

// merge interleaves the four column phases of an output row back into
// line: column 4i+q is lines[q][i].
func (g winogradGrid) merge(line []float32, lines *[4][]float32) {
	quads := g.w / 4
	vec.Interleave4(line[:4*quads], lines)
	for q := 0; 4*quads+q < g.w; q++ {
		line[4*quads+q] = lines[q][quads]
	}
}
