// Package gemm is the single-precision matrix product at the heart of the
// convolution layers: C = op(A)·op(B) + beta·C on row-major float32
// matrices, single-threaded.
//
// It follows the Goto/BLIS scheme. op(B) is cut into panels of kc rows and
// nc columns, op(A) into blocks of mc rows and kc columns; both are copied
// ("packed") into contiguous slivers of nr columns and mr rows, the packing
// absorbing any transposition, and an mr×nr micro-kernel multiplies one
// sliver of each into a tile of C. On amd64 CPUs with AVX2 and FMA the
// micro-kernel is written in assembly (4×24 tile, twelve YMM accumulators);
// elsewhere, or when built with the purego tag, a register-blocked Go
// kernel takes its place.
package gemm

import (
	"fmt"
	"unsafe"
)

// blocking holds the cache blocking parameters: op(B) is processed in
// panels of kc×nc, op(A) in blocks of mc×kc; mc is a multiple of mr and nc
// of nr. Blocks are then evened out: k = 300 with kc = 256 makes two
// blocks of 150, not 256 and 44.
//
// Inside a block, the micro-kernel normally sweeps the mc rows of op(A)
// for each sliver of op(B) in turn (the sliver stays in L1, op(A) streams
// from L2). When the block is thinner than shallowK, the products are too
// short to hide the traffic of C, and the sweep goes the other way: along
// the rows of C, one sliver of op(A) against the whole panel of op(B),
// whose size is then capped to panel values so that it stays in L2.
//
// op(B) is packed group slivers at a time: rows of B are then read in
// pieces of several cache lines, each line once.
type blocking struct {
	kc, mc, nc int
	shallowK   int
	panel      int
	group      int
}

// defaultBlocking suits a core with 32 KiB of L1 data cache and 512 KiB of
// L2 (AMD Zen 3; values picked by measurement): a kc×nr sliver of op(B)
// (kc·nr·4 = 24 KiB) stays in L1 while the micro-kernel sweeps the mc×kc
// block of op(A) (at most 240 KiB) that sits in L2; op(B) is packed four
// slivers (96 KiB) at a time; the kc×nc panel of op(B), kept only when
// op(A) spans several blocks, is meant for L3. Shallow blocks (k < 64) keep
// their panel of op(B) under 256 KiB.
var defaultBlocking = blocking{kc: 256, mc: 240, nc: 4080, shallowK: 64, panel: 64 << 10, group: 4}

// Workspace holds the packing buffers of one goroutine; it is not safe for
// concurrent use. The zero value is ready to use. Buffers grow to the
// largest problem seen and are reused, so that Sgemm does not allocate once
// the workspace has grown.
type Workspace struct {
	ap   []float32        // packed block of op(A): mc×kc, in slivers of mr rows
	bp   []float32        // packed panel of op(B): kc×nc, in slivers of nr columns
	tile [mr * nr]float32 // result of a micro-kernel cut by the edge of C
}

// Sgemm computes C = op(A)·op(B) + beta·C for row-major matrices, where
// op(X) is X, or Xᵀ when the matching trans flag is set. op(A) is m×k,
// op(B) is k×n and C is m×n; lda, ldb and ldc are the row strides of the
// matrices as stored (A is stored m×k, or k×m when transA is set; B is
// stored k×n, or n×k when transB is set). When beta is 0, C is overwritten
// and its previous contents, NaNs included, are ignored.
//
// Sgemm panics, with a message starting with "gemm: ", if a dimension is
// negative, a leading dimension is smaller than the stored row length, or
// a slice is too short for the matrix it holds.
func (ws *Workspace) Sgemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	ws.sgemm(bestKernel, defaultBlocking, transA, transB, m, n, k, a, lda, b, ldb, beta, c, ldc)
}

// sgemm is Sgemm with the micro-kernel and blocking given, so that tests
// can run every kernel on any machine and cross block boundaries with
// small matrices.
func (ws *Workspace) sgemm(kern microKernel, bl blocking, transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkArgs(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		scale(m, n, beta, c, ldc)
		return
	}

	kb0 := ceilDiv(k, ceilDiv(k, bl.kc))
	mb0 := roundUp(ceilDiv(m, ceilDiv(m, bl.mc)), mr)
	shallow := kb0 < bl.shallowK
	ncMax := bl.nc
	if shallow {
		ncMax = max(nr, min(ncMax, bl.panel/kb0/nr*nr))
	}
	nb0 := roundUp(ceilDiv(n, ceilDiv(n, ncMax)), nr)
	gw := max(1, bl.group) * nr // columns of op(B) packed at once
	// With a single block of op(A) and the usual sweep, each group of
	// slivers of op(B) is done with once packed and used: one buffer
	// serves them all and stays in cache.
	ring := m <= mb0 && !shallow
	if ring {
		ws.grow(mb0*kb0, kb0*min(gw, roundUp(n, nr)))
	} else {
		ws.grow(mb0*kb0, kb0*nb0)
	}

	for jc := 0; jc < n; jc += nb0 {
		nb := min(nb0, n-jc)
		for pc := 0; pc < k; pc += kb0 {
			kb := min(kb0, k-pc)
			bt := beta
			if pc > 0 {
				bt = 1
			}
			for ic := 0; ic < m; ic += mb0 {
				mb := min(mb0, m-ic)
				packA(ws.ap, transA, a, lda, ic, pc, mb, kb)
				// The slivers of op(B) are packed, a group at a time, right
				// before their first use.
				if shallow {
					for ir := 0; ir < mb; ir += mr {
						as := ws.ap[ir*kb : (ir+mr)*kb]
						for jr := 0; jr < nb; jr += nr {
							if ic == 0 && ir == 0 && jr%gw == 0 {
								gc := min(gw, nb-jr)
								packB(ws.bp[jr*kb:(jr+roundUp(gc, nr))*kb], transB, b, ldb, pc, jc+jr, kb, gc)
							}
							bs := ws.bp[jr*kb : (jr+nr)*kb]
							ws.tileProduct(kern, kb, as, bs, min(mr, mb-ir), min(nr, nb-jr), bt, c[(ic+ir)*ldc+jc+jr:], ldc)
						}
					}
					continue
				}
				for jg := 0; jg < nb; jg += gw {
					gc := min(gw, nb-jg)
					bg := ws.bp
					if !ring {
						bg = ws.bp[jg*kb:]
					}
					if ic == 0 {
						packB(bg[:roundUp(gc, nr)*kb], transB, b, ldb, pc, jc+jg, kb, gc)
					}
					for jr := jg; jr < jg+gc; jr += nr {
						bs := bg[(jr-jg)*kb : (jr-jg+nr)*kb]
						for ir := 0; ir < mb; ir += mr {
							as := ws.ap[ir*kb : (ir+mr)*kb]
							ws.tileProduct(kern, kb, as, bs, min(mr, mb-ir), min(nr, nb-jr), bt, c[(ic+ir)*ldc+jc+jr:], ldc)
						}
					}
				}
			}
		}
	}
}

// tileProduct runs the micro-kernel on the packed slivers as (mr×kb) and
// bs (kb×nr) for the rows×cols tile of C starting at c[0]:
// C = A·B + beta·C. Tiles cut by the edge of C go through ws.tile.
func (ws *Workspace) tileProduct(kern microKernel, kb int, as, bs []float32, rows, cols int, beta float32, c []float32, ldc int) {
	if rows == mr && cols == nr {
		kern(kb, as, bs, c, ldc, beta)
		return
	}
	kern(kb, as, bs, ws.tile[:], nr, 0)
	merge(c, ldc, ws.tile[:], rows, cols, beta)
}

// grow makes ws.ap and ws.bp at least na and nb long, both starting on a
// 64-byte boundary.
func (ws *Workspace) grow(na, nb int) {
	const align = 16 // float32s per cache line
	na = roundUp(na, align)
	if len(ws.ap) >= na && len(ws.bp) >= nb {
		return
	}
	na = max(na, len(ws.ap))
	nb = max(nb, len(ws.bp))
	buf := make([]float32, na+nb+align)
	skip := 0
	if r := uintptr(unsafe.Pointer(&buf[0])) % 64; r != 0 {
		skip = int(64-r) / 4
	}
	ws.ap = buf[skip : skip+na : skip+na]
	ws.bp = buf[skip+na : skip+na+nb : skip+na+nb]
}

// checkArgs panics if the arguments of Sgemm do not describe valid matrices.
func checkArgs(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm: negative dimension m=%d n=%d k=%d", m, n, k))
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	checkMatrix("a", ar, ac, a, lda)
	checkMatrix("b", br, bc, b, ldb)
	checkMatrix("c", m, n, c, ldc)
}

// checkMatrix panics unless s holds a rows×cols matrix of row stride ld.
func checkMatrix(name string, rows, cols int, s []float32, ld int) {
	if ld < max(1, cols) {
		panic(fmt.Sprintf("gemm: ld%s = %d, want ≥ %d", name, ld, max(1, cols)))
	}
	if rows == 0 || cols == 0 {
		return
	}
	if need := (rows-1)*ld + cols; len(s) < need {
		panic(fmt.Sprintf("gemm: len(%s) = %d, want ≥ %d for %d×%d with stride %d", name, len(s), need, rows, cols, ld))
	}
}

// scale sets the m×n matrix C to beta·C, to 0 when beta is 0.
func scale(m, n int, beta float32, c []float32, ldc int) {
	if beta == 1 {
		return
	}
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			clear(row)
			continue
		}
		for j := range row {
			row[j] *= beta
		}
	}
}

// merge stores the top-left rows×cols corner of the mr×nr tile t into C:
// C = t + beta·C, ignoring C when beta is 0.
func merge(c []float32, ldc int, t []float32, rows, cols int, beta float32) {
	for i := 0; i < rows; i++ {
		dst := c[i*ldc : i*ldc+cols]
		src := t[i*nr : i*nr+cols]
		if beta == 0 {
			copy(dst, src)
			continue
		}
		for j, v := range src {
			dst[j] = v + beta*dst[j]
		}
	}
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

func roundUp(a, b int) int { return ceilDiv(a, b) * b }
