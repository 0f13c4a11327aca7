package noise_test

import (
	"image"
	"math"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/image/tiff"

	"diabolo/app/noise"
	"diabolo/app/picture"
)

// smoothScene returns a deterministic w×h colour picture made of gradients
// and smooth shading with a few flat shapes on top, all within [0.3, 0.7].
func smoothScene(w, h int) *picture.Image {
	img := picture.New(w, h)
	for y := range h {
		for x := range w {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			r := 0.3 + 0.4*fx
			g := 0.5 + 0.15*math.Sin(2*math.Pi*fx)*math.Cos(math.Pi*fy)
			b := 0.7 - 0.4*math.Hypot(fx-0.5, fy-0.5)
			switch {
			case math.Hypot(fx-0.3, fy-0.3) < 0.15: // disc
				r, g, b = 0.65, 0.35, 0.4
			case fx > 0.6 && fx < 0.9 && fy > 0.55 && fy < 0.8: // rectangle
				r, g, b = 0.45, 0.6, 0.55
			case fy > 0.85 && fx < 0.5: // band
				r, g, b = 0.5, 0.5, 0.5
			}
			img.Pix[y*w+x], img.Pix[w*h+y*w+x], img.Pix[2*w*h+y*w+x] = float32(r), float32(g), float32(b)
		}
	}
	return img
}

func TestEstimateGaussianSigma(t *testing.T) {
	for _, gray := range []bool{false, true} {
		for _, spec := range []string{"gaussian:5", "gaussian:15", "gaussian:25", "gaussian:50", "gaussian:5+quantize", "gaussian:25+quantize"} {
			model := mustParse(t, spec)
			img := smoothScene(256, 256)
			if gray {
				copy(img.Plane(1), img.Plane(0))
				copy(img.Plane(2), img.Plane(0))
				img.Gray = true
			}
			sigma := float64(model.Apply(img, newRand(20)))
			got := noise.EstimateGaussianSigma(img)
			if !within(got, sigma, 0.10) {
				t.Errorf("%s (gray %v): estimated σ %.2f/255, want %.2f/255 ± 10%%", spec, gray, got*255, sigma*255)
			}
		}
	}
}

func TestEstimateGaussianSigmaOfCleanPictureIsSmall(t *testing.T) {
	if got := noise.EstimateGaussianSigma(smoothScene(256, 256)); got > 0.5/255 {
		t.Errorf("estimated σ of a noiseless picture %.3f/255, want < 0.5/255", got*255)
	}
}

func TestEstimateGaussianSigmaOfTinyPictureIsNaN(t *testing.T) {
	if got := noise.EstimateGaussianSigma(flat(9, 40, 0.5)); !math.IsNaN(got) {
		t.Errorf("estimated σ of a 9×40 picture %v, want NaN", got)
	}
}

// TestEstimateGaussianSigmaOnPhotos reports the estimate on validation
// photos before and after adding Gaussian noise of σ = 25, which it must
// find within 10%.
func TestEstimateGaussianSigmaOnPhotos(t *testing.T) {
	const dir = "../../../shared/data/val" // beside the repository
	paths, _ := filepath.Glob(filepath.Join(dir, "*.tif"))
	if len(paths) == 0 {
		t.Skipf("no validation photos in %s", dir)
	}
	if len(paths) > 3 {
		paths = paths[:3]
	}
	model := mustParse(t, "gaussian:25+quantize")
	for _, path := range paths {
		img := loadTIFF(t, path)
		before := noise.EstimateGaussianSigma(img)
		sigma := float64(model.Apply(img, newRand(21)))
		after := noise.EstimateGaussianSigma(img)
		t.Logf("%s: estimated σ %.2f/255 as is, %.2f/255 with σ=25 added", filepath.Base(path), before*255, after*255)
		if !within(after, sigma, 0.10) {
			t.Errorf("%s: estimated σ %.2f/255 with σ=25 added, want 25 ± 10%%", filepath.Base(path), after*255)
		}
	}
}

// loadTIFF reads a TIFF file into a picture, without app/picture's loader.
func loadTIFF(t *testing.T, path string) *picture.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	decoded, err := tiff.Decode(f)
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return fromImage(decoded)
}

// fromImage converts m to a picture, 16 bits per channel at most.
func fromImage(m image.Image) *picture.Image {
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	img := picture.New(w, h)
	for y := range h {
		for x := range w {
			r, g, bl, _ := m.At(b.Min.X+x, b.Min.Y+y).RGBA()
			i := y*w + x
			img.Pix[i], img.Pix[w*h+i], img.Pix[2*w*h+i] = float32(r)/0xffff, float32(g)/0xffff, float32(bl)/0xffff
		}
	}
	return img
}

// EstimateStrength agrees with EstimateGaussianSigma on uncompressed noise
// and finds most of the level of noise that JPEG compression smoothed,
// where EstimateGaussianSigma finds much less.
func TestEstimateStrength(t *testing.T) {
	cases := []struct {
		spec     string
		sigma    float64 // of the Gaussian noise, on the 0–255 scale
		min, max float64 // bounds of the estimate over sigma
	}{
		{"gaussian:15", 15, 0.9, 1.1},
		{"gaussian:25+quantize", 25, 0.9, 1.1},
		{"gaussian:50", 50, 0.9, 1.1},
		{"gaussian:25+jpeg:85", 25, 0.85, 1.1},
		{"gaussian:40+jpeg:75", 40, 0.85, 1.1},
	}
	for _, c := range cases {
		img := smoothScene(256, 256)
		mustParse(t, c.spec).Apply(img, newRand(22))
		sigma := c.sigma / 255
		got, plain := noise.EstimateStrength(img), noise.EstimateGaussianSigma(img)
		t.Logf("%s: strength %.2f/255, σ estimate %.2f/255, true σ %.2f/255", c.spec, got*255, plain*255, sigma*255)
		if got < c.min*sigma || got > c.max*sigma {
			t.Errorf("%s: strength %.2f/255, want %.2f–%.2f times σ = %.2f/255", c.spec, got*255, c.min, c.max, sigma*255)
		}
	}
	if got := noise.EstimateStrength(smoothScene(256, 256)); got > 1.0/255 {
		t.Errorf("strength of a noiseless picture %.3f/255, want < 1/255", got*255)
	}
	if got := noise.EstimateStrength(flat(9, 40, 0.5)); !math.IsNaN(got) {
		t.Errorf("strength of a 9×40 picture %v, want NaN", got)
	}
}
