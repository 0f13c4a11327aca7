package gemm

// Micro-tile shape: the micro-kernel computes an mr×nr block of C from a
// packed mr×k sliver of op(A) (column p at a[p*mr:]) and a packed k×nr
// sliver of op(B) (row p at b[p*nr:]).
const (
	mr = 4
	nr = 24
)

// microKernel computes the mr×nr tile C = A·B + beta·C from packed slivers
// a (mr·k values) and b (k·nr values); C starts at c[0] with row stride
// ldc. beta == 0 overwrites C without reading it. k ≥ 1.
type microKernel func(k int, a, b, c []float32, ldc int, beta float32)

// kernelGo is the portable micro-kernel. It walks the tile in 2×4 blocks
// held in eight scalar accumulators, which, with the six operands of a
// step, fit the sixteen floating-point registers of amd64 (larger blocks
// spill and run slower).
func kernelGo(k int, a, b, c []float32, ldc int, beta float32) {
	a = a[:mr*k]
	b = b[:nr*k]
	_ = c[(mr-1)*ldc+nr-1]
	for r := 0; r < mr; r += 2 {
		for j := 0; j < nr; j += 4 {
			var c00, c01, c02, c03, c10, c11, c12, c13 float32
			for p := 0; p < k; p++ {
				ap := a[p*mr+r : p*mr+r+2 : p*mr+r+2]
				bp := b[p*nr+j : p*nr+j+4 : p*nr+j+4]
				a0, a1 := ap[0], ap[1]
				b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
				c00 += a0 * b0
				c01 += a0 * b1
				c02 += a0 * b2
				c03 += a0 * b3
				c10 += a1 * b0
				c11 += a1 * b1
				c12 += a1 * b2
				c13 += a1 * b3
			}
			updateRow(c[r*ldc+j:r*ldc+j+4:r*ldc+j+4], c00, c01, c02, c03, beta)
			updateRow(c[(r+1)*ldc+j:(r+1)*ldc+j+4:(r+1)*ldc+j+4], c10, c11, c12, c13, beta)
		}
	}
}

// updateRow sets c[0:4] = (v0, v1, v2, v3) + beta·c[0:4], ignoring c when
// beta == 0.
func updateRow(c []float32, v0, v1, v2, v3, beta float32) {
	c = c[:4]
	if beta != 0 {
		v0 += beta * c[0]
		v1 += beta * c[1]
		v2 += beta * c[2]
		v3 += beta * c[3]
	}
	c[0], c[1], c[2], c[3] = v0, v1, v2, v3
}
