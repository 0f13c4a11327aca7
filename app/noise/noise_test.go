package noise_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"diabolo/app/noise"
	"diabolo/app/picture"
)

// newRand returns a deterministic random source.
func newRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
}

// flat returns a w×h colour picture whose values are all v.
func flat(w, h int, v float32) *picture.Image {
	img := picture.New(w, h)
	for i := range img.Pix {
		img.Pix[i] = v
	}
	return img
}

// mustParse parses spec or fails the test.
func mustParse(t testing.TB, spec string) noise.Model {
	t.Helper()
	m, err := noise.Parse(spec)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// differenceStats returns the mean and the variance of noisy-clean.
func differenceStats(noisy, clean []float32) (mean, variance float64) {
	for i := range noisy {
		mean += float64(noisy[i] - clean[i])
	}
	mean /= float64(len(noisy))
	for i := range noisy {
		d := float64(noisy[i]-clean[i]) - mean
		variance += d * d
	}
	return mean, variance / float64(len(noisy))
}

// within reports whether got is within the relative tolerance of want.
func within(got, want, relative float64) bool {
	return math.Abs(got-want) <= relative*math.Abs(want)
}

func TestGaussianStatistics(t *testing.T) {
	for _, sigma255 := range []float64{1, 5, 25} {
		clean := flat(256, 256, 0.5)
		noisy := clean.Clone()
		level := noise.Gaussian{Sigma: noise.Fixed(sigma255)}.Apply(noisy, newRand(1))

		sigma := sigma255 / 255
		if !within(float64(level), sigma, 1e-12) {
			t.Errorf("σ=%v: level %v, want %v", sigma255, level, sigma)
		}
		mean, variance := differenceStats(noisy.Pix, clean.Pix)
		standardError := sigma / math.Sqrt(float64(len(noisy.Pix)))
		if math.Abs(mean) > 5*standardError {
			t.Errorf("σ=%v: mean of noise %.3g, want 0 ± %.3g", sigma255, mean, 5*standardError)
		}
		if std := math.Sqrt(variance); !within(std, sigma, 0.02) {
			t.Errorf("σ=%v: std of noise %.5f, want %.5f ± 2%%", sigma255, std, sigma)
		}
	}
}

func TestGaussianRangeDrawsSigmaAcrossRange(t *testing.T) {
	model := mustParse(t, "gaussian:10-50")
	rng := newRand(2)
	lowest, highest, sum := math.Inf(1), math.Inf(-1), 0.0
	const draws = 2000
	for range draws {
		level := float64(model.Apply(flat(4, 4, 0.5), rng)) * 255
		lowest, highest, sum = min(lowest, level), max(highest, level), sum+level
	}
	if lowest < 10 || highest > 50 {
		t.Errorf("σ drawn in [%.2f, %.2f], outside [10, 50]", lowest, highest)
	}
	if lowest > 11 || highest < 49 {
		t.Errorf("σ drawn in [%.2f, %.2f], does not cover [10, 50]", lowest, highest)
	}
	if mean := sum / draws; !within(mean, 30, 0.03) {
		t.Errorf("mean σ drawn %.2f, want 30 (uniform)", mean)
	}

	// The noise actually added has the σ reported.
	clean := flat(256, 256, 0.5)
	noisy := clean.Clone()
	level := float64(model.Apply(noisy, rng))
	if _, variance := differenceStats(noisy.Pix, clean.Pix); !within(math.Sqrt(variance), level, 0.02) {
		t.Errorf("std of noise %.5f, reported level %.5f", math.Sqrt(variance), level)
	}
}

func TestPoissonGaussianVariance(t *testing.T) {
	tests := []struct {
		spec    string
		a, b    float64
		signals []float64
	}{
		{"poisson-gaussian:0.01,0.0004", 0.01, 0.0004, []float64{0.2, 0.6}},
		{"poisson-gaussian:0.001,0", 0.001, 0, []float64{0.1, 0.7}},
		{"poisson-gaussian:0.05,0", 0.05, 0, []float64{0.1, 0.3}}, // small counts
		{"poisson-gaussian:0,0.001", 0, 0.001, []float64{0.3, 0.6}},
	}
	for _, tt := range tests {
		model := mustParse(t, tt.spec)
		for i, s := range tt.signals {
			clean := flat(256, 256, float32(s))
			noisy := clean.Clone()
			level := model.Apply(noisy, newRand(uint64(10+i)))
			if want := math.Sqrt(tt.a*0.5 + tt.b); !within(float64(level), want, 1e-12) {
				t.Errorf("%s: level %v, want %v", tt.spec, level, want)
			}
			mean, variance := differenceStats(noisy.Pix, clean.Pix)
			want := tt.a*s + tt.b
			if !within(variance, want, 0.03) {
				t.Errorf("%s at signal %v: variance %.6g, want a·s+b = %.6g", tt.spec, s, variance, want)
			}
			if standardError := math.Sqrt(want / float64(len(noisy.Pix))); math.Abs(mean) > 5*standardError {
				t.Errorf("%s at signal %v: mean of noise %.3g, want 0", tt.spec, s, mean)
			}
		}
	}
}

func TestSaltPepper(t *testing.T) {
	for _, p := range []float64{0.01, 0.2} {
		const w, h = 256, 256
		clean := flat(w, h, 0.5)
		noisy := clean.Clone()
		level := noise.SaltPepper{Fraction: noise.Fixed(p)}.Apply(noisy, newRand(3))
		if want := 0.5 * math.Sqrt(p); !within(float64(level), want, 1e-12) {
			t.Errorf("p=%v: level %v, want %v", p, level, want)
		}
		hit, black := 0, 0
		for i := range w * h {
			r, g, b := noisy.Pix[i], noisy.Pix[w*h+i], noisy.Pix[2*w*h+i]
			switch {
			case r == 0.5 && g == 0.5 && b == 0.5:
			case r == 0 && g == 0 && b == 0:
				hit, black = hit+1, black+1
			case r == 1 && g == 1 && b == 1:
				hit++
			default:
				t.Fatalf("p=%v: pixel %d is (%v, %v, %v), want untouched, black or white", p, i, r, g, b)
			}
		}
		fraction := float64(hit) / (w * h)
		if standardError := math.Sqrt(p * (1 - p) / (w * h)); math.Abs(fraction-p) > 5*standardError {
			t.Errorf("p=%v: fraction hit %.4f", p, fraction)
		}
		if half := float64(black) / float64(hit); math.Abs(half-0.5) > 5*0.5/math.Sqrt(float64(hit)) {
			t.Errorf("p=%v: %.3f of hit pixels are black, want half", p, half)
		}
	}
}

func TestSpeckleVarianceScalesWithSignalSquared(t *testing.T) {
	const v = 0.04
	model := noise.Speckle{Variance: noise.Fixed(v)}
	for _, s := range []float64{0.2, 0.6} {
		clean := flat(256, 256, float32(s))
		noisy := clean.Clone()
		level := model.Apply(noisy, newRand(4))
		if want := 0.5 * math.Sqrt(v); !within(float64(level), want, 1e-12) {
			t.Errorf("level %v, want %v", level, want)
		}
		if _, variance := differenceStats(noisy.Pix, clean.Pix); !within(variance, v*s*s, 0.03) {
			t.Errorf("signal %v: variance %.6g, want v·s² = %.6g", s, variance, v*s*s)
		}
	}
}

// texture returns a deterministic w×h colour picture with smooth shading,
// sharp edges and fine detail, like a photo.
func texture(w, h int) *picture.Image {
	img := picture.New(w, h)
	for y := range h {
		for x := range w {
			fx, fy := float64(x), float64(y)
			r := 0.5 + 0.3*math.Sin(fx/7)*math.Cos(fy/11)
			g := 0.3 + 0.4*float64((x/8+y/8)%2)
			b := 0.5 + 0.2*math.Sin((fx+2*fy)/3)
			img.Pix[y*w+x], img.Pix[w*h+y*w+x], img.Pix[2*w*h+y*w+x] = float32(r), float32(g), float32(b)
		}
	}
	return img
}

// rmsDifference returns the root mean square of a-b.
func rmsDifference(a, b []float32) float64 {
	var sum float64
	for i := range a {
		d := float64(a[i] - b[i])
		sum += d * d
	}
	return math.Sqrt(sum / float64(len(a)))
}

func TestJPEGArtefactsShrinkWithQuality(t *testing.T) {
	clean := texture(64, 48)
	previous := math.Inf(1)
	for _, quality := range []int{5, 30, 75, 95} {
		noisy := clean.Clone()
		level := noise.JPEG{MinQuality: quality, MaxQuality: quality}.Apply(noisy, newRand(5))
		rms := rmsDifference(noisy.Pix, clean.Pix)
		if rms == 0 {
			t.Fatalf("quality %d: the picture did not change", quality)
		}
		if !within(float64(level), rms, 1e-5) {
			t.Errorf("quality %d: level %v, want the RMS change %v", quality, level, rms)
		}
		if rms >= previous {
			t.Errorf("quality %d: RMS change %.4f, not below %.4f at the lower quality", quality, rms, previous)
		}
		previous = rms
		for i, v := range noisy.Pix {
			if v*255 != float32(math.Round(float64(v*255))) {
				t.Fatalf("quality %d: value %d = %v is not an 8-bit level", quality, i, v)
			}
		}
	}
}

func TestJPEGQualityRangeVaries(t *testing.T) {
	model := mustParse(t, "jpeg:5-95")
	clean := texture(32, 32)
	rng := newRand(6)
	levels := map[noise.Level]bool{}
	for range 20 {
		levels[model.Apply(clean.Clone(), rng)] = true
	}
	if len(levels) < 10 {
		t.Errorf("20 draws of jpeg:5-95 gave only %d distinct levels", len(levels))
	}
}

// allSpecs has one spec of every kind, and combinations.
var allSpecs = []string{
	"none",
	"quantize",
	"gaussian:25",
	"gaussian:0-50",
	"poisson-gaussian:0.01,0.0004",
	"poisson-gaussian:0.001-0.02,0-0.001",
	"salt-pepper:0.05",
	"speckle:0.04",
	"jpeg:30",
	"jpeg:75-95",
	"gaussian:25+jpeg:90",
	"gaussian:25+quantize",
}

func TestApplyKeepsGrayAlphaAndRange(t *testing.T) {
	for _, spec := range append(allSpecs, "gaussian:500", "speckle:4") {
		model := mustParse(t, spec)
		img := texture(24, 16)
		copy(img.Plane(1), img.Plane(0))
		copy(img.Plane(2), img.Plane(0))
		img.Gray = true
		img.Alpha = make([]float32, 24*16)
		for i := range img.Alpha {
			img.Alpha[i] = float32(i%7) / 6
		}
		alpha := append([]float32(nil), img.Alpha...)

		model.Apply(img, newRand(7))

		for i, v := range img.Pix {
			if !(v >= 0 && v <= 1) {
				t.Fatalf("%s: value %d = %v is outside [0, 1]", spec, i, v)
			}
		}
		for c := 1; c < picture.Channels; c++ {
			if rmsDifference(img.Plane(c), img.Plane(0)) != 0 {
				t.Errorf("%s: a gray picture lost its grayness (plane %d differs from plane 0)", spec, c)
			}
		}
		if rmsDifference(img.Alpha, alpha) != 0 {
			t.Errorf("%s: alpha changed", spec)
		}
	}
}

func TestApplyIsDeterministicPerSeed(t *testing.T) {
	clean := texture(32, 32)
	for _, spec := range allSpecs {
		model := mustParse(t, spec)
		first, again, other := clean.Clone(), clean.Clone(), clean.Clone()
		model.Apply(first, newRand(8))
		model.Apply(again, newRand(8))
		model.Apply(other, newRand(9))
		if d := rmsDifference(first.Pix, again.Pix); d != 0 {
			t.Errorf("%s: same seed, pictures differ by %v", spec, d)
		}
		random := spec != "none" && spec != "quantize" && spec != "jpeg:30"
		if d := rmsDifference(first.Pix, other.Pix); random && d == 0 {
			t.Errorf("%s: different seeds gave the same picture", spec)
		}
	}
}

func TestLevels(t *testing.T) {
	tests := []struct {
		spec string
		want float64
	}{
		{"none", 0},
		{"quantize", 0},
		{"gaussian:25", 25.0 / 255},
		{"poisson-gaussian:0.01,0.0004", math.Sqrt(0.0054)},
		{"salt-pepper:0.04", 0.1},
		{"speckle:0.04", 0.1},
		{"gaussian:3+gaussian:4", 5.0 / 255},
		{"gaussian:12+quantize", 12.0 / 255},
	}
	for _, tt := range tests {
		got := mustParse(t, tt.spec).Apply(texture(16, 16), newRand(10))
		if !within(float64(got), tt.want, 1e-12) {
			t.Errorf("%s: level %v, want %v", tt.spec, got, tt.want)
		}
	}
}

func TestChainAppliesInOrder(t *testing.T) {
	tests := []struct {
		spec      string
		quantized bool
	}{
		{"gaussian:10+quantize", true},
		{"quantize+gaussian:10", false},
	}
	for _, tt := range tests {
		img := flat(16, 16, 0.5)
		mustParse(t, tt.spec).Apply(img, newRand(11))
		quantized := true
		for _, v := range img.Pix {
			if v*255 != float32(math.Round(float64(v*255))) {
				quantized = false
			}
		}
		if quantized != tt.quantized {
			t.Errorf("%s: output quantized = %v, want %v", tt.spec, quantized, tt.quantized)
		}
	}
}

func TestApplyDoesNotAllocate(t *testing.T) {
	for _, spec := range []string{
		"none", "quantize", "gaussian:0-50", "poisson-gaussian:0.001-0.02,0-0.001",
		"salt-pepper:0.05", "speckle:0.04", "gaussian:25+speckle:0.01+quantize",
	} {
		model := mustParse(t, spec)
		img := flat(32, 32, 0.5)
		rng := newRand(12)
		if allocs := testing.AllocsPerRun(20, func() { model.Apply(img, rng) }); allocs != 0 {
			t.Errorf("%s: %v allocations per Apply, want 0", spec, allocs)
		}
	}
}

func BenchmarkApply(b *testing.B) {
	for _, spec := range []string{"gaussian:25", "poisson-gaussian:0.01,0.0004", "jpeg:75"} {
		b.Run(spec, func(b *testing.B) {
			model := mustParse(b, spec)
			img := texture(128, 128)
			rng := newRand(13)
			b.ReportAllocs()
			for b.Loop() {
				model.Apply(img, rng)
			}
		})
	}
}
