package convae

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestIm2colSameMatchesGather checks the block-copy im2col of stride-1
// convolutions against the value-by-value one, over kernels, paddings,
// sizes and bands.
func TestIm2colSameMatchesGather(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, k := range []int{1, 3, 5, 7} {
		for _, size := range [][2]int{{1, 1}, {2, 5}, {7, 6}, {9, 13}} {
			h, w := size[0], size[1]
			p := (k - 1) / 2
			g := grid{cb: 2, hb: h, wb: w, cs: 3, hs: h, ws: w, k: k, s: 1, p: p}
			big := randomImage(rng, 2, h, w)
			for y0 := 0; y0 < h; y0++ {
				for y1 := y0 + 1; y1 <= h; y1++ {
					n := g.kdim() * (y1 - y0) * w
					fast, slow := make([]float32, n), make([]float32, n)
					for i := range fast {
						fast[i] = -1 // garbage the fast path must overwrite
					}
					g.im2colSame(big, y0, y1, fast)
					g.im2colGather(big, y0, y1, slow)
					if !slices.Equal(fast, slow) {
						t.Fatalf("k=%d %d×%d rows [%d,%d): block copy differs from gather", k, h, w, y0, y1)
					}
				}
			}
		}
	}
}
