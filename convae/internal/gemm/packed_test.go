package gemm

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestMulPacked checks PackA and MulPacked against the naive product, with
// row counts that are and are not multiples of MR and B read in place with
// padded rows.
func TestMulPacked(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	cases := []struct{ m, n, k, lda, ldb, ldc int }{
		{1, NR, 1, 1, NR, NR}, {4, NR, 7, 9, NR + 5, NR + 3}, {6, 2 * NR, 33, 33, 2 * NR, 2 * NR}, {64, 3 * NR, 64, 70, 3*NR + 1, 3 * NR}, {13, NR, 300, 300, 40, 40},
	}
	var ws Workspace
	for _, c := range cases {
		a := matrix(rng, c.m, c.k, c.lda)
		bm := matrix(rng, c.k, c.n, c.ldb)
		ap := make([]float32, PackedALen(c.m, c.k))
		for i := range ap {
			ap[i] = float32(rng.NormFloat64()) // stale values must not leak
		}
		PackA(ap, a, c.lda, c.m, c.k)
		rows := (c.m + MR - 1) / MR * MR
		got := matrix(rng, rows, c.n, c.ldc)
		ws.MulPacked(c.m, c.n, c.k, ap, bm, c.ldb, got, c.ldc)
		want := make([]float32, len(got))
		copy(want, got)
		Naive(false, false, c.m, c.n, c.k, a, c.lda, bm, c.ldb, 0, want, c.ldc)
		tol := tolerance(false, false, c.m, c.n, c.k, a, c.lda, bm, c.ldb, 0, want, c.ldc)
		valid := (c.m-1)*c.ldc + c.n // the rows of C proper
		if msg := compare(got[:valid], want[:valid], tol, c.m, c.n, c.ldc); msg != "" {
			t.Errorf("m=%d n=%d k=%d: %s", c.m, c.n, c.k, msg)
		}
		for i := c.m; i < rows; i++ {
			for j := 0; j < c.n; j++ {
				if v := got[i*c.ldc+j]; v != 0 {
					t.Fatalf("m=%d: padding row %d column %d = %g, want 0", c.m, i, j, v)
				}
			}
		}
	}
}

func TestMulPackedPanics(t *testing.T) {
	a, b, c := make([]float32, 4*8), make([]float32, 8*NR), make([]float32, 4*NR)
	var ws Workspace
	cases := []struct {
		name string
		call func()
		want string
	}{
		{"ragged n", func() { ws.MulPacked(4, NR-1, 8, a, b, NR, c, NR) }, "multiple of 24"},
		{"short a", func() { ws.MulPacked(4, NR, 9, a, make([]float32, 9*NR), NR, c, NR) }, "packed A"},
		{"short b", func() { ws.MulPacked(4, NR, 8, a, b[:10], NR, c, NR) }, "values of B"},
		{"short c", func() { ws.MulPacked(4, NR, 8, a, b, NR, c[:NR], NR) }, "values of C"},
		{"narrow ldb", func() { ws.MulPacked(4, NR, 8, a, b, NR-1, c, NR) }, "ldb and ldc ≥ n"},
		{"short dst", func() { PackA(a[:4], a, 8, 4, 8) }, "PackA got 4 values"},
	}
	for _, c := range cases {
		func() {
			defer func() {
				msg, _ := recover().(string)
				if !strings.Contains(msg, c.want) {
					t.Errorf("%s: panic %q, want one containing %q", c.name, msg, c.want)
				}
			}()
			c.call()
		}()
	}
}
