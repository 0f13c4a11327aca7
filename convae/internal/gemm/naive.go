package gemm

// Naive computes C = op(A)·op(B) + beta·C like Workspace.Sgemm, with the
// same arguments and panics, by the textbook triple loop. Each entry is
// accumulated in float64. It is the slow, obviously correct reference.
func Naive(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkArgs(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				ai, bi := termIndex(transA, transB, i, j, p, lda, ldb)
				s += float64(a[ai]) * float64(b[bi])
			}
			if beta != 0 {
				s += float64(beta) * float64(c[i*ldc+j])
			}
			c[i*ldc+j] = float32(s)
		}
	}
}

// termIndex returns where op(A)[i][p] and op(B)[p][j] are stored in a and
// b: the two factors of the p-th term of C[i][j].
func termIndex(transA, transB bool, i, j, p, lda, ldb int) (ai, bi int) {
	ai, bi = i*lda+p, p*ldb+j
	if transA {
		ai = p*lda + i
	}
	if transB {
		bi = j*ldb + p
	}
	return ai, bi
}
