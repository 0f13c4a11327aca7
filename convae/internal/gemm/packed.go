package gemm

import "fmt"

// Callers that multiply the same matrix many times, or that can write a
// matrix straight in the micro-kernel's layout, skip Sgemm's packing with
// PackA and MulPacked.

// MR and NR are the micro-kernel's tile: op(A) is packed in slivers of MR
// rows and op(B) in slivers of NR columns.
const (
	MR = mr
	NR = nr
)

// PackedALen is the length of the m×k matrix A packed by PackA: its rows
// rounded up to a multiple of MR, times k.
func PackedALen(m, k int) int { return roundUp(m, mr) * k }

// PackA packs the m×k row-major matrix a (row stride lda) into dst for
// MulPacked: slivers of MR rows, the sliver of rows [i, i+MR) at dst[i·k:]
// holding column p at [p·MR, p·MR+MR); rows past m are zero. dst must hold
// PackedALen(m, k) values.
func PackA(dst, a []float32, lda, m, k int) {
	checkMatrix("a", m, k, a, lda)
	if len(dst) < PackedALen(m, k) {
		panic(fmt.Sprintf("gemm: PackA got %d values for a packed %d×%d matrix, want %d", len(dst), m, k, PackedALen(m, k)))
	}
	if m == 0 || k == 0 {
		return
	}
	packA(dst, false, a, lda, 0, 0, m, k)
}

// MulPacked sets C = A·B for A packed by PackA (m×k) and B a row-major
// k×n matrix of row stride ldb, n a multiple of NR, read in place. C is
// row-major with row stride ldc ≥ n and holds roundUp(m, MR) rows: the
// rows past m, which the zero rows of the packed A produce, are
// overwritten with zeros. k ≥ 1.
//
// Each NR-column sliver of B stays in the L1 cache while the slivers of A
// sweep it, so A (k·m values) should fit the L2 cache.
func (ws *Workspace) MulPacked(m, n, k int, a, b []float32, ldb int, c []float32, ldc int) {
	switch {
	case m < 0 || n < 0 || k < 1 || n%nr != 0 || ldb < n || ldc < n:
		panic(fmt.Sprintf("gemm: MulPacked m=%d n=%d k=%d ldb=%d ldc=%d (want k ≥ 1, n a multiple of %d, ldb and ldc ≥ n)", m, n, k, ldb, ldc, nr))
	case len(a) < PackedALen(m, k):
		panic(fmt.Sprintf("gemm: MulPacked got %d values of packed A, want %d", len(a), PackedALen(m, k)))
	case n > 0 && len(b) < (k-1)*ldb+n:
		panic(fmt.Sprintf("gemm: MulPacked got %d values of B, want %d", len(b), (k-1)*ldb+n))
	case m > 0 && n > 0 && len(c) < (roundUp(m, mr)-1)*ldc+n:
		panic(fmt.Sprintf("gemm: MulPacked got %d values of C, want %d", len(c), (roundUp(m, mr)-1)*ldc+n))
	}
	for j := 0; j < n; j += nr {
		if hasStrided {
			for i := 0; i < m; i += mr {
				kernelStrided(k, a[i*k:(i+mr)*k], b[j:], c[i*ldc+j:], ldb, ldc)
			}
			continue
		}
		// Without the assembly: pack the sliver for the portable kernel.
		ws.grow(0, k*nr)
		bs := ws.bp[:k*nr]
		packRows24(bs, b[j:], ldb, k, 1)
		for i := 0; i < m; i += mr {
			bestKernel(k, a[i*k:(i+mr)*k], bs, c[i*ldc+j:], ldc, 0)
		}
	}
}
