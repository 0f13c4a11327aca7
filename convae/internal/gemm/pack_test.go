package gemm

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestPackPrimitives checks the packing primitives in use (assembly on
// amd64) against their portable versions, including column counts that
// leave a remainder to the portable code.
func TestPackPrimitives(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, tc := range []struct{ k, pad, slivers int }{
		{1, 0, 1}, {7, 1, 1}, {8, 0, 2}, {9, 5, 3}, {16, 0, 4}, {33, 3, 1}, {70, 17, 4},
	} {
		name := fmt.Sprintf("k%d_pad%d_slivers%d", tc.k, tc.pad, tc.slivers)
		t.Run("rows/"+name, func(t *testing.T) {
			ld := tc.slivers*nr + tc.pad
			src := matrix(r, tc.k, tc.slivers*nr, ld)
			got := make([]float32, tc.slivers*tc.k*nr)
			want := make([]float32, len(got))
			packRows24(got, src, ld, tc.k, tc.slivers)
			packRows24Go(want, src, ld, tc.k, tc.slivers)
			if !slices.Equal(got, want) {
				t.Errorf("packRows24 = %v, want %v", got, want)
			}
		})
		t.Run("cols/"+name, func(t *testing.T) {
			ld := tc.k + tc.pad
			src := matrix(r, nr, tc.k, ld)
			got := make([]float32, tc.k*nr)
			want := make([]float32, len(got))
			packCols24(got, src, ld, tc.k)
			packCols24Go(want, src, ld, tc.k)
			if !slices.Equal(got, want) {
				t.Errorf("packCols24 = %v, want %v", got, want)
			}
		})
		t.Run("a4/"+name, func(t *testing.T) {
			ld := tc.k + tc.pad
			src := matrix(r, mr, tc.k, ld)
			got := make([]float32, tc.k*mr)
			want := make([]float32, len(got))
			packA4(got, src, ld, tc.k)
			packA4Go(want, src, ld, tc.k)
			if !slices.Equal(got, want) {
				t.Errorf("packA4 = %v, want %v", got, want)
			}
		})
	}
}

// TestPackGo checks the portable primitives against their definitions.
func TestPackGo(t *testing.T) {
	const k, ld = 5, 2*nr + 3
	src := make([]float32, (nr-1)*ld+2*nr)
	for i := range src {
		src[i] = float32(i)
	}
	rows := make([]float32, 2*k*nr)
	packRows24Go(rows, src, ld, k, 2)
	cols := make([]float32, k*nr)
	packCols24Go(cols, src, ld, k)
	a4 := make([]float32, k*mr)
	packA4Go(a4, src, ld, k)
	for p := 0; p < k; p++ {
		for j := 0; j < nr; j++ {
			for s := 0; s < 2; s++ {
				if got, want := rows[(s*k+p)*nr+j], src[p*ld+s*nr+j]; got != want {
					t.Fatalf("packRows24Go: sliver %d [%d][%d] = %g, want %g", s, p, j, got, want)
				}
			}
			if got, want := cols[p*nr+j], src[j*ld+p]; got != want {
				t.Fatalf("packCols24Go: [%d][%d] = %g, want %g", p, j, got, want)
			}
		}
		for i := 0; i < mr; i++ {
			if got, want := a4[p*mr+i], src[i*ld+p]; got != want {
				t.Fatalf("packA4Go: [%d][%d] = %g, want %g", p, i, got, want)
			}
		}
	}
}
