package convae

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func randomImage(rng *rand.Rand, c, h, w int) []float32 {
	v := make([]float32, c*h*w)
	for i := range v {
		v[i] = rng.Float32()
	}
	return v
}

// TestTiledEqualsWhole checks that tiled inference gives what one pass
// over the whole image gives, for sides that are and are not multiples of
// the network's Multiple, with and without enough context.
func TestTiledEqualsWhole(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cases := []struct {
		name string
		spec Spec
		h, w int
		opts TileOptions
		tol  float64
	}{
		{"ref, exact context", RefSpec(8), 70, 53, TileOptions{Tile: 16, Context: 64, Blend: 4}, 1e-4},
		{"ref, batch 3", RefSpec(8), 64, 64, TileOptions{Tile: 24, Context: 64, Blend: 8, Batch: 3}, 1e-4},
		{"unet-m, full context", UNetSpec("u", UNetConfig{Width: 8, Levels: 2, Blocks: 1, Unshuffle: true, NoiseLevel: true}), 90, 77, TileOptions{Tile: 32, Context: 72}, 1e-4},
		{"unet-m, default context", UNetSpec("u", UNetConfig{Width: 8, Levels: 2, Blocks: 1, Unshuffle: true, NoiseLevel: true}), 90, 77, TileOptions{Tile: 32}, 1e-2},
		{"diabolo", DiaboloSpec(8), 50, 41, TileOptions{Tile: 16, Context: 96}, 1e-4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			net, err := NewNet(c.spec, 5)
			if err != nil {
				t.Fatal(err)
			}
			src := randomImage(rng, c.spec.In, c.h, c.w)
			whole, err := net.Infer(context.Background(), src, c.h, c.w, TileOptions{Tile: 4096}, nil)
			if err != nil {
				t.Fatal(err)
			}
			calls := 0
			tiled, err := net.Infer(context.Background(), src, c.h, c.w, c.opts, func(done, total int) {
				calls++
				if done > total {
					t.Errorf("progress %d of %d", done, total)
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			if calls < 2 {
				t.Errorf("progress called %d times; the image should take several passes", calls)
			}
			worst := 0.0
			for i := range whole {
				worst = math.Max(worst, math.Abs(float64(whole[i]-tiled[i])))
			}
			t.Logf("largest difference %.2g", worst)
			if worst > c.tol {
				t.Errorf("tiled result differs from whole by %g, tolerance %g", worst, c.tol)
			}
		})
	}
}

func TestInferCancel(t *testing.T) {
	net, err := NewNet(RefSpec(4), 1)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	src := randomImage(rand.New(rand.NewPCG(3, 4)), 3, 64, 64)
	passes := 0
	_, err = net.Infer(ctx, src, 64, 64, TileOptions{Tile: 8, Batch: 1}, func(done, total int) {
		passes++
		if done == 2 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if passes != 2 {
		t.Errorf("%d passes ran, want 2 before the cancellation was seen", passes)
	}
}

func TestInferRejectsBadInput(t *testing.T) {
	net, err := NewNet(RefSpec(4), 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := net.Infer(context.Background(), make([]float32, 10), 4, 4, TileOptions{}, nil); err == nil {
		t.Error("Infer accepted 10 values for a 3×4×4 image")
	}
}
