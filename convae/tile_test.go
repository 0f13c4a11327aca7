package convae

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
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

// TestInferPlanes checks that a constant plane gives exactly what the same
// plane filled in gives, and that planes of the wrong number or size are
// refused with the reason.
func TestInferPlanes(t *testing.T) {
	spec := UNetSpec("u", UNetConfig{Width: 8, Levels: 2, Blocks: 1, Unshuffle: true, NoiseLevel: true})
	net, err := NewNet(spec, 3)
	if err != nil {
		t.Fatal(err)
	}
	const h, w, level = 45, 70, 0.1
	src := randomImage(rand.New(rand.NewPCG(5, 6)), spec.In, h, w)
	extra := src[(spec.In-1)*h*w:]
	for i := range extra {
		extra[i] = level
	}
	opts := TileOptions{Tile: 16}
	want, err := net.Infer(context.Background(), src, h, w, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	planes := make([]Plane, spec.In)
	for c := range planes[:spec.In-1] {
		planes[c].Values = src[c*h*w : (c+1)*h*w]
	}
	planes[spec.In-1].Fill = level
	got, err := net.InferPlanes(context.Background(), planes, h, w, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("value %d: %g with a constant plane, %g with it filled in", i, got[i], want[i])
		}
	}

	bad := []struct {
		name   string
		planes []Plane
		want   string
	}{
		{"too few planes", planes[:1], "got 1 planes"},
		{"short plane", append([]Plane{{Values: make([]float32, 10)}}, planes[1:]...), "10 values in plane 0"},
	}
	for _, b := range bad {
		_, err := net.InferPlanes(context.Background(), b.planes, h, w, opts, nil)
		if err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("%s: error %v, want one containing %q", b.name, err, b.want)
		}
	}
}
