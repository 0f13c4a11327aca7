package convae

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// The row-by-row path of a 2× (un)shuffle moves every value where the
// general index mapping says, on planes wide enough for the vector loops.
func TestShuffle2MatchesMapping(t *testing.T) {
	for _, inverse := range []bool{false, true} {
		t.Run(fmt.Sprintf("inverse=%v", inverse), func(t *testing.T) {
			l := &shuffleLayer{r: 2, inverse: inverse}
			big := Shape{N: 2, C: 3, H: 6, W: 42}
			in := big
			if !inverse {
				in = Shape{N: 2, C: 12, H: 3, W: 21}
			}
			x := &Tensor{Shape: in, Data: randVec(rand.New(rand.NewPCG(1, 2)), in.Len())}
			y := NewTensor(l.outShape([]Shape{in}))
			l.forward([]*worker{{}, {}}, []*Tensor{x}, y)
			for n := 0; n < big.N; n++ {
				for ch := 0; ch < big.C; ch++ {
					l.mapping(big, ch, func(small, b int) {
						want, got := x.Item(n)[small], y.Item(n)[b]
						if inverse {
							want, got = x.Item(n)[b], y.Item(n)[small]
						}
						if got != want {
							t.Fatalf("item %d channel %d: value %g, want %g", n, ch, got, want)
						}
					})
				}
			}
		})
	}
}
