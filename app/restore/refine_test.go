package restore

import (
	"context"
	"errors"
	"image"
	"math"
	"testing"

	"diabolo/app/picture"
	"diabolo/convae"
	"diabolo/internal/synthetic"
)

// markedSquare returns a side×side picture, a smooth ramp with a mark of
// colour (0.9, 0.9, 0.2) and opacity 0.5 drawn as a 4-pixel-wide square
// outline, the mark's true opacity, and labels painting the outline with
// 4 pixels to spare.
func markedSquare(side int) (img *picture.Image, truth []float32, labels []int32) {
	img = picture.New(side, side)
	n := side * side
	truth = make([]float32, n)
	labels = make([]int32, n)
	mark := [3]float32{0.9, 0.9, 0.2}
	for i := range n {
		x, y := i%side, i/side
		inOuter := x >= 12 && x < side-12 && y >= 12 && y < side-12
		inInner := x >= 16 && x < side-16 && y >= 16 && y < side-16
		if inOuter && !inInner {
			truth[i] = 0.5
		}
		labels[i] = -1
		if x >= 8 && x < side-8 && y >= 8 && y < side-8 && !(x >= 20 && x < side-20 && y >= 20 && y < side-20) {
			labels[i] = 0
		}
		for c := range 3 {
			background := 0.2 + 0.5*float32(x+c*y)/float32(3*side)
			img.Pix[c*n+i] = (1-truth[i])*background + truth[i]*mark[c]
		}
	}
	return img, truth, labels
}

func TestRefineOpacity(t *testing.T) {
	const side = 48
	img, truth, labels := markedSquare(side)
	colour := func(_, c int) float32 { return [3]float32{0.9, 0.9, 0.2}[c] }
	rms := func(alpha []float32) float64 {
		var sum, k float64
		for i, l := range labels {
			if l >= 0 {
				d := float64(alpha[i] - truth[i])
				sum += d * d
				k++
			}
		}
		return math.Sqrt(sum / k)
	}
	for _, tc := range []struct {
		name    string
		network func(i int) float32 // a blurred opacity, as a network gives
	}{
		{"flat over the paint", func(int) float32 { return 0.3 }},
		{"too faint", func(i int) float32 { return 0.5 * truth[i] }},
		{"spilling over", func(i int) float32 { return 0.15 + 0.6*truth[i] }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			alpha := make([]float32, side*side)
			for i, l := range labels {
				if l >= 0 {
					alpha[i] = tc.network(i)
				}
			}
			before := rms(alpha)
			if err := refineOpacity(context.Background(), img, alpha, labels, colour, nil); err != nil {
				t.Fatal(err)
			}
			if after := rms(alpha); after > before/3 {
				t.Errorf("opacity RMS error %.3f → %.3f, want at most a third", before, after)
			}
			for i, l := range labels {
				if l < 0 && alpha[i] != 0 {
					t.Fatalf("unpainted pixel %d got opacity %v", i, alpha[i])
				}
			}
		})
	}
}

func TestRefineOpacityNothingPaintedOrCancelled(t *testing.T) {
	img, _, labels := markedSquare(32)
	colour := func(int, int) float32 { return 1 }
	alpha := make([]float32, len(labels))
	for i := range alpha {
		alpha[i] = 0.25
	}
	unpainted := make([]int32, len(labels))
	for i := range unpainted {
		unpainted[i] = -1
	}
	if err := refineOpacity(context.Background(), img, alpha, unpainted, colour, nil); err != nil || alpha[100] != 0.25 {
		t.Errorf("nothing painted: err %v, opacity %v, want nil and 0.25 unchanged", err, alpha[100])
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := refineOpacity(ctx, img, alpha, labels, colour, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err %v, want context.Canceled", err)
	}
}

func BenchmarkRefineOpacity(b *testing.B) {
	const side = 256
	img, _, labels := markedSquare(side)
	alpha := make([]float32, side*side)
	painted := 0
	for i, l := range labels {
		if l >= 0 {
			alpha[i] = 0.3
			painted++
		}
	}
	colour := func(int, int) float32 { return 1 }
	for b.Loop() {
		if err := refineOpacity(context.Background(), img, alpha, labels, colour, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(painted)/refineSteps, "ns/px/step")
}

// Restoring painted marks reports progress through the network and the
// refinement of the opacity alike: it never goes back and ends at 1.
func TestPaintedProgress(t *testing.T) {
	m, err := synthetic.MaskUnblender(0.5, [3]float32{0.5, 0.5, 0.5})
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(m)
	if err != nil {
		t.Fatal(err)
	}
	img, _, labels := markedSquare(48)
	mask := make([]float32, len(labels))
	for i, l := range labels {
		if l >= 0 {
			mask[i] = 1
		}
	}
	var seen []float64
	opts := Options{Mask: mask, Tile: convae.TileOptions{Tile: 16}}
	if _, err := r.Restore(context.Background(), img, opts, func(done float64) { seen = append(seen, done) }); err != nil {
		t.Fatal(err)
	}
	if len(seen) < refineSteps || seen[len(seen)-1] != 1 {
		t.Fatalf("%d progress calls ending at %v, want at least %d ending at 1", len(seen), seen[len(seen)-1], refineSteps)
	}
	for k := 1; k < len(seen); k++ {
		if seen[k] < seen[k-1] {
			t.Fatalf("progress went back from %v to %v", seen[k-1], seen[k])
		}
	}
	if seen[0] >= 0.5 {
		t.Errorf("the network's first tile already reported %v done", seen[0])
	}
}

// A model for painted marks restores only the paint's surroundings: the
// result is the one the whole picture gives, and every other pixel is
// returned exactly as it was.
func TestPaintedRestoresAroundThePaint(t *testing.T) {
	m, err := synthetic.MaskUnblender(0.5, [3]float32{0.5, 0.5, 0.5})
	if err != nil {
		t.Fatal(err)
	}
	m.Meta.Brush = true
	r, err := New(m)
	if err != nil {
		t.Fatal(err)
	}
	const w, h = 300, 220
	mark, _, labels := markedSquare(48)
	img := picture.New(w, h)
	for i := range w * h {
		for c := range 3 {
			img.Pix[c*w*h+i] = 0.3 + 0.2*float32(math.Sin(0.05*float64(i%w+c*(i/w))))
		}
	}
	at := image.Pt(170, 90) // the marked square's corner, away from the edges
	img.Paste(mark, at)
	mask := make([]float32, w*h)
	for i, l := range labels {
		if l >= 0 {
			mask[(at.Y+i/48)*w+at.X+i%48] = 1
		}
	}
	opts := Options{Mask: mask}
	// The paint spans (178,98)–(210,130); 64 pixels around it, on
	// multiples of 64, within the picture:
	if got, want := paintSurroundings(mask, w, h), image.Rect(64, 0, 300, 220); got != want {
		t.Fatalf("paint surroundings %v, want %v", got, want)
	}
	around, err := r.Restore(context.Background(), img, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := r.restore(context.Background(), img, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := w * h
	for i := range n {
		for c := range 3 {
			got := around.Pix[c*n+i]
			if mask[i] == 0 && got != img.Pix[c*n+i] {
				t.Fatalf("unpainted pixel (%d,%d) channel %d changed: %v → %v", i%w, i/w, c, img.Pix[c*n+i], got)
			}
			if d := math.Abs(float64(got - whole.Pix[c*n+i])); d > 1e-4 {
				t.Fatalf("pixel (%d,%d) channel %d: %v around the paint, %v from the whole picture", i%w, i/w, c, got, whole.Pix[c*n+i])
			}
		}
	}
}
