package watermark_test

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"diabolo/app/noise"
	"diabolo/app/picture"
	"diabolo/app/watermark"
	"diabolo/internal/synthetic"
)

// newRand returns the random source of a seed.
func newRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x5eed))
}

// mustGenerator returns a Generator for opts or stops the test.
func mustGenerator(t testing.TB, opts watermark.Options) *watermark.Generator {
	t.Helper()
	g, err := watermark.NewGenerator(opts)
	if err != nil {
		t.Fatalf("NewGenerator(%+v): %v", opts, err)
	}
	return g
}

// allOptions lists every combination of content, layout and split.
func allOptions() []watermark.Options {
	var all []watermark.Options
	for _, held := range []bool{false, true} {
		for _, c := range []watermark.Content{watermark.AnyContent, watermark.Text, watermark.Logo} {
			for _, l := range []watermark.Layout{watermark.AnyLayout, watermark.Single, watermark.Corner, watermark.Tiled} {
				all = append(all, watermark.Options{Content: c, Layout: l, HoldOut: held})
			}
		}
	}
	return all
}

func TestApplyWithMaskChangesOnlyTheMark(t *testing.T) {
	sizes := []image.Point{{64, 64}, {160, 96}, {96, 200}}
	for _, opts := range allOptions() {
		g := mustGenerator(t, opts)
		for _, size := range sizes {
			for seed := range uint64(4) {
				name := fmt.Sprintf("%s %dx%d seed %d", opts, size.X, size.Y, seed)
				orig := synthetic.Photo(size.X, size.Y, seed)
				img := orig.Clone()
				mask := g.ApplyWithMask(img, newRand(seed))
				if len(mask) != size.X*size.Y {
					t.Fatalf("%s: mask has %d values, want %d", name, len(mask), size.X*size.Y)
				}
				var marked int
				n := size.X * size.Y
				for i, a := range mask {
					if !(a >= 0 && a <= 1) {
						t.Fatalf("%s: mask[%d] = %v outside [0, 1]", name, i, a)
					}
					if a > 0 {
						marked++
						continue
					}
					for c := range picture.Channels {
						if img.Pix[c*n+i] != orig.Pix[c*n+i] {
							t.Fatalf("%s: pixel %d changed where the mask is 0", name, i)
						}
					}
				}
				if marked == 0 {
					t.Errorf("%s: empty mask", name)
				}
			}
		}
	}
}

func TestApplyFollowsTheBlendingFormula(t *testing.T) {
	for _, opts := range allOptions() {
		g := mustGenerator(t, opts)
		for seed := range uint64(3) {
			const w, h = 120, 90
			orig := synthetic.Photo(w, h, 100+seed)
			img := orig.Clone()
			mask := g.ApplyWithMask(img, newRand(seed))
			// The same seed draws the same mark.
			m := g.Render(w, h, newRand(seed))
			if !slices.Equal(mask, m.Alpha) {
				t.Fatalf("%s seed %d: ApplyWithMask and Render disagree on the mask", opts, seed)
			}
			n := w * h
			for i, a := range m.Alpha {
				for c := range picture.Channels {
					col := m.Colour[c*n+i]
					if col < 0 || col > 1 {
						t.Fatalf("%s seed %d: colour %v outside [0, 1]", opts, seed, col)
					}
					want := (1-a)*orig.Pix[c*n+i] + a*col
					if got := img.Pix[c*n+i]; math.Abs(float64(got-want)) > 1e-6 {
						t.Fatalf("%s seed %d: pixel %d channel %d = %v, (1−α)·img + α·W = %v", opts, seed, i, c, got, want)
					}
				}
			}
		}
	}
}

func TestApplyKeepsGrayPicturesGray(t *testing.T) {
	g := mustGenerator(t, watermark.Options{})
	for seed := range uint64(20) {
		img := synthetic.Photo(80, 60, seed)
		copy(img.Plane(1), img.Plane(0))
		copy(img.Plane(2), img.Plane(0))
		img.Gray = true
		img.Alpha = make([]float32, 80*60)
		for i := range img.Alpha {
			img.Alpha[i] = 0.5
		}
		mask := g.ApplyWithMask(img, newRand(seed))
		if !slices.Equal(img.Plane(0), img.Plane(1)) || !slices.Equal(img.Plane(0), img.Plane(2)) {
			t.Fatalf("seed %d: gray picture got colour", seed)
		}
		for i, a := range img.Alpha {
			if a != 0.5 {
				t.Fatalf("seed %d: Alpha[%d] changed to %v (mask %v)", seed, i, a, mask[i])
			}
		}
	}
}

func TestRenderIsDeterministicPerSeed(t *testing.T) {
	g := mustGenerator(t, watermark.Options{})
	var masks [][]float32
	for seed := range uint64(12) {
		a := g.Render(100, 80, newRand(seed))
		b := g.Render(100, 80, newRand(seed))
		if !slices.Equal(a.Alpha, b.Alpha) || !slices.Equal(a.Colour, b.Colour) {
			t.Fatalf("seed %d: two renders differ", seed)
		}
		for k, prev := range masks {
			if slices.Equal(prev, a.Alpha) {
				t.Errorf("seeds %d and %d draw the same mask", k, seed)
			}
		}
		masks = append(masks, a.Alpha)
	}
}

func TestGeneratorIsSafeForConcurrentUse(t *testing.T) {
	g := mustGenerator(t, watermark.Options{})
	const seeds = 16
	want := make([][]float32, seeds)
	for seed := range want {
		want[seed] = g.Render(90, 70, newRand(uint64(seed))).Alpha
	}
	var wg sync.WaitGroup
	got := make([][]float32, seeds)
	for seed := range got {
		wg.Go(func() { got[seed] = g.Render(90, 70, newRand(uint64(seed))).Alpha })
	}
	wg.Wait()
	for seed := range got {
		if !slices.Equal(got[seed], want[seed]) {
			t.Errorf("seed %d: concurrent render differs from the sequential one", seed)
		}
	}
}

func TestLayouts(t *testing.T) {
	sizes := []image.Point{{128, 96}, {256, 256}, {300, 120}, {90, 240}}
	const seeds = 12
	for _, content := range []watermark.Content{watermark.Text, watermark.Logo} {
		for _, held := range []bool{false, true} {
			t.Run(fmt.Sprintf("%v heldout %v", content, held), func(t *testing.T) {
				tiled := mustGenerator(t, watermark.Options{Content: content, Layout: watermark.Tiled, HoldOut: held})
				corner := mustGenerator(t, watermark.Options{Content: content, Layout: watermark.Corner, HoldOut: held})
				single := mustGenerator(t, watermark.Options{Content: content, Layout: watermark.Single, HoldOut: held})
				for _, size := range sizes {
					w, h := size.X, size.Y
					for seed := range uint64(seeds) {
						if cov := blockCoverage(tiled.Render(w, h, newRand(seed)), 32); cov < 0.7 {
							t.Errorf("tiled %dx%d seed %d: marks in %.0f%% of 32×32 blocks, want ≥ 70%%", w, h, seed, 100*cov)
						}
						m := corner.Render(w, h, newRand(seed))
						b := m.Bounds(0)
						if b.Empty() {
							t.Errorf("corner %dx%d seed %d: empty", w, h, seed)
						} else if !inOneQuadrant(b, w, h) {
							t.Errorf("corner %dx%d seed %d: mark spans %v, not within a quarter of the picture", w, h, seed, b)
						}
						if cov := single.Render(w, h, newRand(seed)).Coverage(0); cov <= 0 || cov > 0.9 {
							t.Errorf("single %dx%d seed %d: coverage %.3f", w, h, seed, cov)
						}
					}
				}
			})
		}
	}
}

// blockCoverage returns the fraction of the s×s blocks of m holding a pixel
// of opacity above 0.05.
func blockCoverage(m *watermark.Mark, s int) float64 {
	var blocks, hit int
	for by := 0; by+s <= m.Height; by += s {
		for bx := 0; bx+s <= m.Width; bx += s {
			blocks++
		found:
			for y := by; y < by+s; y++ {
				for x := bx; x < bx+s; x++ {
					if m.Alpha[y*m.Width+x] > 0.05 {
						hit++
						break found
					}
				}
			}
		}
	}
	return float64(hit) / float64(blocks)
}

// inOneQuadrant reports whether r lies within one quarter of a w×h picture.
func inOneQuadrant(r image.Rectangle, w, h int) bool {
	left, right := r.Max.X <= (w+1)/2, r.Min.X >= w/2
	top, bottom := r.Max.Y <= (h+1)/2, r.Min.Y >= h/2
	return (left || right) && (top || bottom)
}

func TestTinyAndElongatedPictures(t *testing.T) {
	sizes := []image.Point{{1, 1}, {2, 3}, {8, 8}, {8, 2000}, {2000, 8}, {3, 300}, {640, 4}}
	for _, opts := range allOptions() {
		g := mustGenerator(t, opts)
		for _, size := range sizes {
			var empty int
			const seeds = 6
			for seed := range uint64(seeds) {
				img := picture.New(size.X, size.Y)
				mask := g.ApplyWithMask(img, newRand(seed))
				if len(mask) != size.X*size.Y {
					t.Fatalf("%s %v: mask of %d values", opts, size, len(mask))
				}
				nonZero := false
				for _, a := range mask {
					if !(a >= 0 && a <= 1) {
						t.Fatalf("%s %v seed %d: mask value %v", opts, size, seed, a)
					}
					nonZero = nonZero || a > 0
				}
				if !nonZero {
					empty++
				}
			}
			if size.X >= 8 && size.Y >= 8 && empty > seeds/2 {
				t.Errorf("%s %v: %d of %d masks empty", opts, size, empty, seeds)
			}
		}
	}
}

func TestOpacityBoundsTheMask(t *testing.T) {
	tests := []struct {
		opacity noise.Range
		// maxAlpha bounds the mask: a layer over its outline or shadow,
		// both at most Opacity.Max, blends to at most 1 − (1 − Max)².
		maxAlpha float32
	}{
		{noise.Fixed(0.3), 1 - 0.7*0.7},
		{noise.Range{Min: 0.2, Max: 0.8}, 1 - 0.2*0.2},
		{noise.Fixed(1), 1},
	}
	for _, tt := range tests {
		g := mustGenerator(t, watermark.Options{Opacity: tt.opacity, Content: watermark.Logo})
		var peak float32
		for seed := range uint64(30) {
			m := g.Render(128, 128, newRand(seed))
			top := slices.Max(m.Alpha)
			if top > tt.maxAlpha+1e-6 {
				t.Errorf("opacity %v seed %d: mask reaches %v > %v", tt.opacity, seed, top, tt.maxAlpha)
			}
			peak = max(peak, top)
		}
		if peak < float32(tt.opacity.Max)*0.9 {
			t.Errorf("opacity %v: mask never exceeds %v", tt.opacity, peak)
		}
	}
}

func TestNewGeneratorRejectsBadOptions(t *testing.T) {
	bad := []watermark.Options{
		{Content: -1},
		{Content: 7},
		{Layout: 9},
		{Opacity: noise.Range{Min: 0.5, Max: 0.2}},
		{Opacity: noise.Range{Min: -0.1, Max: 0.2}},
		{Opacity: noise.Range{Min: 0.5, Max: 1.5}},
		{Opacity: noise.Range{Min: math.NaN(), Max: 0.5}},
	}
	for _, opts := range bad {
		if _, err := watermark.NewGenerator(opts); err == nil {
			t.Errorf("NewGenerator(%+v) accepted bad options", opts)
		}
	}
}

func TestVariety(t *testing.T) {
	g := mustGenerator(t, watermark.Options{})
	const seeds = 120
	var small, large, white, black, colourful int
	for seed := range uint64(seeds) {
		m := g.Render(128, 128, newRand(seed))
		switch cov := m.Coverage(0.01); {
		case cov < 0.03:
			small++
		case cov > 0.10:
			large++
		}
		n := m.Width * m.Height
		i := slices.Index(m.Alpha, slices.Max(m.Alpha))
		r, gr, b := m.Colour[i], m.Colour[n+i], m.Colour[2*n+i]
		switch {
		case min(r, gr, b) > 0.9:
			white++
		case max(r, gr, b) < 0.1:
			black++
		case max(r, gr, b)-min(r, gr, b) > 0.4:
			colourful++
		}
	}
	t.Logf("%d seeds: %d small marks, %d large, %d white, %d black, %d colourful", seeds, small, large, white, black, colourful)
	for name, count := range map[string]int{"small": small, "large": large, "white": white, "black": black, "colourful": colourful} {
		if count < seeds/12 {
			t.Errorf("only %d of %d marks are %s", count, seeds, name)
		}
	}
}

func BenchmarkRender(b *testing.B) {
	for _, layout := range []watermark.Layout{watermark.Single, watermark.Corner, watermark.Tiled} {
		for _, content := range []watermark.Content{watermark.Text, watermark.Logo} {
			g := mustGenerator(b, watermark.Options{Layout: layout, Content: content})
			for _, size := range []int{64, 256} {
				b.Run(fmt.Sprintf("%v/%v/%dx%d", layout, content, size, size), func(b *testing.B) {
					b.ReportAllocs()
					rng := newRand(1)
					for b.Loop() {
						g.Render(size, size, rng)
					}
				})
			}
		}
	}
}

// With a zoom, a mark is sized for a larger frame and the picture shows a
// part of it: it still shows a mark, and single text marks get bigger.
func TestZoomShowsPartOfALargerMark(t *testing.T) {
	const side, seeds = 64, 24
	coverage := func(opts watermark.Options) (least, mean float64) {
		g, err := watermark.NewGenerator(opts)
		if err != nil {
			t.Fatal(err)
		}
		least = 1
		for s := range uint64(seeds) {
			m := g.Render(side, side, rand.New(rand.NewPCG(s, 9)))
			if m.Width != side || m.Height != side {
				t.Fatalf("zoomed mark is %dx%d, want %dx%d", m.Width, m.Height, side, side)
			}
			c := m.Coverage(0)
			least, mean = min(least, c), mean+c/seeds
		}
		return least, mean
	}
	single := watermark.Options{Content: watermark.Text, Layout: watermark.Single}
	_, plain := coverage(single)
	single.Zoom = noise.Fixed(4)
	least, zoomed := coverage(single)
	if least == 0 {
		t.Error("a zoomed window shows no mark")
	}
	if zoomed < 1.5*plain {
		t.Errorf("zoomed single marks cover %.3f of the picture, unzoomed %.3f: want larger marks", zoomed, plain)
	}
	if _, err := watermark.NewGenerator(watermark.Options{Zoom: noise.Range{Min: 0.5, Max: 2}}); err == nil {
		t.Error("zoom below 1 accepted")
	}
}
