package convae

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// turn returns the c planes of an h×w picture under the i-th symmetry,
// written out case by case, independently of symmetry.index: with the
// sides of the result.
func turn(src []float32, c, h, w, i int) (dst []float32, th, tw int) {
	th, tw = h, w
	if i >= 4 {
		th, tw = w, h
	}
	dst = make([]float32, len(src))
	for ch := 0; ch < c; ch++ {
		for y := 0; y < th; y++ {
			for x := 0; x < tw; x++ {
				var sx, sy int
				switch i {
				case 0:
					sx, sy = x, y
				case 1: // mirrored left to right
					sx, sy = w-1-x, y
				case 2: // upside down
					sx, sy = x, h-1-y
				case 3: // turned half round
					sx, sy = w-1-x, h-1-y
				case 4: // transposed
					sx, sy = y, x
				case 5:
					sx, sy = y, tw-1-x
				case 6:
					sx, sy = th-1-y, x
				case 7:
					sx, sy = th-1-y, tw-1-x
				}
				dst[ch*th*tw+y*tw+x] = src[ch*h*w+sy*w+sx]
			}
		}
	}
	return dst, th, tw
}

// turnBack undoes turn for the c planes of a result of sides th×tw.
func turnBack(src []float32, c, th, tw, i int) []float32 {
	h, w := th, tw
	if i >= 4 {
		h, w = tw, th
	}
	// Each symmetry is its own inverse but for the two quarter turns.
	inverse := i
	switch i {
	case 5:
		inverse = 6
	case 6:
		inverse = 5
	}
	out, oh, ow := turn(src, c, th, tw, inverse)
	if oh != h || ow != w {
		panic("turnBack: sides do not come back")
	}
	return out
}

// A self-ensemble of k is the mean of the network's outputs on the first k
// symmetries of the picture, each turned back: checked against the
// symmetries written out one by one, on a picture that is not square and
// whose sides are not multiples of the network's. A self-ensemble of 1 is
// the plain pass; sizes other than 1, 2, 4 and 8 are refused.
func TestInferSelfEnsemble(t *testing.T) {
	spec := UNetSpec("u", UNetConfig{Width: 8, Levels: 2, Blocks: 1, Unshuffle: true, NoiseLevel: true})
	net, err := NewNet(spec, 3)
	if err != nil {
		t.Fatal(err)
	}
	const h, w, level = 21, 34, 0.1
	colour := randomImage(rand.New(rand.NewPCG(5, 6)), 3, h, w)
	planes := []Plane{{Values: colour[:h*w]}, {Values: colour[h*w : 2*h*w]}, {Values: colour[2*h*w:]}, {Fill: level}}
	opts := TileOptions{Tile: 16}
	ctx := context.Background()
	var outputs [][]float32
	for i := range 8 {
		turned, th, tw := turn(colour, 3, h, w, i)
		in := []Plane{{Values: turned[:h*w]}, {Values: turned[h*w : 2*h*w]}, {Values: turned[2*h*w:]}, {Fill: level}}
		out, err := net.InferPlanes(ctx, in, th, tw, opts, nil)
		if err != nil {
			t.Fatal(err)
		}
		outputs = append(outputs, turnBack(out, 3, th, tw, i))
	}
	var spread float64
	for i, v := range outputs[7] {
		spread = max(spread, math.Abs(float64(v-outputs[0][i])))
	}
	if spread < 1e-3 {
		t.Fatalf("the network gives the same output, within %g, on a turned picture: the test could not tell the symmetries apart", spread)
	}
	for _, k := range []int{1, 2, 4, 8} {
		var last, total int
		got, err := net.InferSelfEnsemble(ctx, planes, h, w, opts, k, func(done, all int) { last, total = done, all })
		if err != nil {
			t.Fatal(err)
		}
		if last != total || total == 0 {
			t.Errorf("k=%d: progress ended at %d of %d", k, last, total)
		}
		for i := range got {
			var want float64
			for _, out := range outputs[:k] {
				want += float64(out[i])
			}
			want /= float64(k)
			if math.Abs(float64(got[i])-want) > 1e-5 {
				t.Fatalf("k=%d, value %d: %g, want the mean %g", k, i, got[i], want)
			}
		}
	}
	for _, k := range []int{0, 3, 16} {
		if _, err := net.InferSelfEnsemble(ctx, planes, h, w, opts, k, nil); err == nil || !strings.Contains(err.Error(), "want 1, 2, 4 or 8") {
			t.Errorf("k=%d: %v", k, err)
		}
	}
	if _, err := net.InferSelfEnsemble(ctx, planes[:2], h, w, opts, 4, nil); err == nil || !strings.Contains(err.Error(), "got 2 planes") {
		t.Errorf("two planes: %v", err)
	}
}
