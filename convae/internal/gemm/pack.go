package gemm

// packA copies the mb×kb block of op(A) whose top-left corner is (i0, p0)
// into dst as consecutive slivers of mr rows: the sliver of rows
// [ir, ir+mr) starts at dst[ir*kb] and holds column p at [p*mr, p*mr+mr).
// Rows past mb are zero.
func packA(dst []float32, transA bool, a []float32, lda, i0, p0, mb, kb int) {
	for ir := 0; ir < mb; ir += mr {
		rows := min(mr, mb-ir)
		d := dst[ir*kb : (ir+mr)*kb]
		switch {
		case !transA && rows == mr:
			// op(A)[i][p] = a[i*lda+p]: interleave four rows.
			packA4(d, a[(i0+ir)*lda+p0:], lda, kb)
		case !transA:
			clear(d)
			for r := 0; r < rows; r++ {
				base := (i0+ir+r)*lda + p0
				for p, v := range a[base : base+kb] {
					d[p*mr+r] = v
				}
			}
		case rows == mr:
			// op(A)[i][p] = a[p*lda+i]: copy four consecutive values.
			for p := 0; p < kb; p++ {
				base := (p0+p)*lda + i0 + ir
				s := a[base : base+4 : base+4]
				q := d[p*mr : p*mr+4 : p*mr+4]
				q[0], q[1], q[2], q[3] = s[0], s[1], s[2], s[3]
			}
		default:
			clear(d)
			for p := 0; p < kb; p++ {
				base := (p0+p)*lda + i0 + ir
				copy(d[p*mr:p*mr+rows], a[base:base+rows])
			}
		}
	}
}

// packB copies the kb×cols block of op(B) whose top-left corner is
// (p0, j0) into dst as consecutive slivers of nr columns: the sliver of
// columns [jr, jr+nr) starts at dst[jr*kb] and holds row p at
// [p*nr, p*nr+nr). Columns past cols are zero.
func packB(dst []float32, transB bool, b []float32, ldb, p0, j0, kb, cols int) {
	full := cols / nr
	if !transB {
		// op(B)[p][j] = b[p*ldb+j]: copy row pieces, all slivers of a row
		// at once so that each line of B is read once.
		if full > 0 {
			packRows24(dst, b[p0*ldb+j0:], ldb, kb, full)
		}
	} else {
		// op(B)[p][j] = b[j*ldb+p]: transpose.
		for s := 0; s < full; s++ {
			packCols24(dst[s*nr*kb:], b[(j0+s*nr)*ldb+p0:], ldb, kb)
		}
	}
	rest := cols - full*nr
	if rest == 0 {
		return
	}
	d := dst[full*nr*kb : (full+1)*nr*kb]
	clear(d)
	j0 += full * nr
	for j := 0; j < rest; j++ {
		if !transB {
			for p := 0; p < kb; p++ {
				d[p*nr+j] = b[(p0+p)*ldb+j0+j]
			}
			continue
		}
		base := (j0+j)*ldb + p0
		for p, v := range b[base : base+kb] {
			d[p*nr+j] = v
		}
	}
}

// The packing primitives below have assembly versions on amd64; these are
// the portable ones, also used for the columns the assembly leaves over.

// packRows24Go packs slivers consecutive slivers of op(B) = src (k rows of
// stride ld): the k×nr sliver s, at dst[s*k*nr:], holds row p at
// [p*nr, p*nr+nr), copied from src[p*ld+s*nr:].
func packRows24Go(dst, src []float32, ld, k, slivers int) {
	for s := 0; s < slivers; s++ {
		d := dst[s*k*nr : (s+1)*k*nr]
		for p := 0; p < k; p++ {
			copy(d[p*nr:p*nr+nr], src[p*ld+s*nr:p*ld+s*nr+nr])
		}
	}
}

// packCols24Go transposes the nr = 24 rows of k values at src (row stride
// ld) into the k rows of 24 values at dst: dst[p*24+j] = src[j*ld+p].
func packCols24Go(dst, src []float32, ld, k int) {
	dst = dst[:k*nr]
	for j := 0; j < nr; j++ {
		for p, v := range src[j*ld : j*ld+k] {
			dst[p*nr+j] = v
		}
	}
}

// packA4Go interleaves the mr = 4 rows of k values at src (row stride ld)
// into dst: dst[p*4+r] = src[r*ld+p].
func packA4Go(dst, src []float32, ld, k int) {
	r0 := src[:k]
	r1 := src[ld : ld+k]
	r2 := src[2*ld : 2*ld+k]
	r3 := src[3*ld : 3*ld+k]
	dst = dst[:k*mr]
	for p := range r0 {
		q := dst[p*mr : p*mr+4 : p*mr+4]
		q[0], q[1], q[2], q[3] = r0[p], r1[p], r2[p], r3[p]
	}
}
