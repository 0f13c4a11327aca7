package metrics_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"diabolo/app/metrics"
	"diabolo/app/picture"
)

// formulaPair returns the deterministic 40×32 pictures a and b of the
// scikit-image reference values, and d = 0.2 + 0.6·a (same structure,
// other luminance and contrast). Values are computed in float64 and stored
// as float32, as numpy's astype(np.float32) does.
func formulaPair() (a, b, d *picture.Image) {
	const w, h = 40, 32
	a, b, d = picture.New(w, h), picture.New(w, h), picture.New(w, h)
	for c := range picture.Channels {
		fc := float64(c)
		for y := range h {
			for x := range w {
				fx, fy := float64(x), float64(y)
				i := c*w*h + y*w + x
				base := 0.5 + 0.3*math.Sin(0.21*fx+0.37*fy+1.3*fc)
				a.Pix[i] = float32(base)
				b.Pix[i] = float32(base + 0.15*math.Sin(1.7*fx*fy/11+0.9*fc))
				d.Pix[i] = float32(0.2 + 0.6*float64(a.Pix[i]))
			}
		}
	}
	return a, b, d
}

// Reference values from scikit-image 0.19.3 (numpy 1.24.2), produced by:
//
//	python3 -c '
//	import numpy as np
//	from skimage.metrics import structural_similarity as ssim, peak_signal_noise_ratio as psnr, mean_squared_error as mse
//	H, W = 32, 40
//	y, x = np.mgrid[0:H, 0:W].astype(np.float64)
//	c = np.arange(3, dtype=np.float64).reshape(3, 1, 1)
//	a = (0.5 + 0.3*np.sin(0.21*x + 0.37*y + 1.3*c)).astype(np.float32).astype(np.float64)
//	b = (0.5 + 0.3*np.sin(0.21*x + 0.37*y + 1.3*c) + 0.15*np.sin(1.7*x*y/11 + 0.9*c)).astype(np.float32).astype(np.float64)
//	d = (0.2 + 0.6*a).astype(np.float32).astype(np.float64)
//	opts = dict(gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=1, channel_axis=0)
//	print(repr(ssim(a, b, **opts)), repr(psnr(a, b, data_range=1)), repr(mse(a, b)))
//	print(repr(ssim(a, d, **opts)), repr(psnr(a, d, data_range=1)), repr(mse(a, d)))
//	'
func TestAgainstScikitImage(t *testing.T) {
	a, b, d := formulaPair()
	tests := []struct {
		name            string
		other           *picture.Image
		ssim, psnr, mse float64
	}{
		{"a vs b", b, 0.6982072734662825, 19.49001763929811, 0.011246004062823412},
		{"a vs 0.2+0.6a", d, 0.8767236093786827, 21.42081901861012, 0.007209715012269345},
	}
	for _, tt := range tests {
		if got := metrics.SSIM(a, tt.other); math.Abs(got-tt.ssim) > 1e-9 {
			t.Errorf("%s: SSIM %.16g, scikit-image %.16g", tt.name, got, tt.ssim)
		}
		if got := metrics.PSNR(a, tt.other); math.Abs(got-tt.psnr) > 1e-9 {
			t.Errorf("%s: PSNR %.16g, scikit-image %.16g", tt.name, got, tt.psnr)
		}
		if got := metrics.MSE(a, tt.other); math.Abs(got-tt.mse) > 1e-12 {
			t.Errorf("%s: MSE %.16g, scikit-image %.16g", tt.name, got, tt.mse)
		}
	}
}

// randomPicture returns a w×h picture of uniform random values.
func randomPicture(w, h int, rng *rand.Rand) *picture.Image {
	img := picture.New(w, h)
	for i := range img.Pix {
		img.Pix[i] = rng.Float32()
	}
	return img
}

// noisy returns a copy of img with Gaussian noise of standard deviation
// sigma, clamped to [0, 1].
func noisy(img *picture.Image, sigma float64, rng *rand.Rand) *picture.Image {
	out := img.Clone()
	for i := range out.Pix {
		out.Pix[i] += float32(sigma * rng.NormFloat64())
	}
	out.Clamp()
	return out
}

// bruteForceSSIM computes SSIM the direct way: for every position where the
// 11×11 window fits, weighted sums over the whole 2-D window with weights
// g(dx)·g(dy), in float64, averaged over positions and planes.
func bruteForceSSIM(a, b *picture.Image) float64 {
	const radius, sigma, c1, c2 = 5, 1.5, 0.0001, 0.0009
	var g [2*radius + 1]float64
	var norm float64
	for k := range g {
		g[k] = math.Exp(-float64((k-radius)*(k-radius)) / (2 * sigma * sigma))
		norm += g[k]
	}
	w, h := a.Width, a.Height
	var total float64
	for c := range picture.Channels {
		x, y := a.Plane(c), b.Plane(c)
		var sum float64
		for cy := radius; cy < h-radius; cy++ {
			for cx := radius; cx < w-radius; cx++ {
				var mx, my, mxx, myy, mxy float64
				for dy := -radius; dy <= radius; dy++ {
					for dx := -radius; dx <= radius; dx++ {
						wt := g[dx+radius] * g[dy+radius] / (norm * norm)
						xv, yv := float64(x[(cy+dy)*w+cx+dx]), float64(y[(cy+dy)*w+cx+dx])
						mx += wt * xv
						my += wt * yv
						mxx += wt * xv * xv
						myy += wt * yv * yv
						mxy += wt * xv * yv
					}
				}
				vx, vy, cov := mxx-mx*mx, myy-my*my, mxy-mx*my
				sum += (2*mx*my + c1) * (2*cov + c2) / ((mx*mx + my*my + c1) * (vx + vy + c2))
			}
		}
		total += sum / float64((w-2*radius)*(h-2*radius))
	}
	return total / picture.Channels
}

func TestSSIMMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		w, h  int
		sigma float64
	}{
		{11, 11, 0.1},
		{12, 30, 0.05},
		{23, 17, 0.3},
		{40, 13, 0.01},
	}
	for _, tt := range tests {
		a := randomPicture(tt.w, tt.h, rng)
		b := noisy(a, tt.sigma, rng)
		got, want := metrics.SSIM(a, b), bruteForceSSIM(a, b)
		if math.Abs(got-want) > 1e-12 {
			t.Errorf("%dx%d, σ=%v: SSIM %.15g, brute force %.15g", tt.w, tt.h, tt.sigma, got, want)
		}
	}
}

func TestSSIMProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	clean := randomPicture(48, 40, rng)
	if got := metrics.SSIM(clean, clean.Clone()); got != 1 {
		t.Errorf("SSIM of identical pictures %v, want 1", got)
	}
	previous := 1.0
	for _, sigma := range []float64{0.01, 0.05, 0.2} {
		degraded := noisy(clean, sigma, rng)
		got := metrics.SSIM(clean, degraded)
		if !(got < previous) {
			t.Errorf("σ=%v: SSIM %v, not below %v at less noise", sigma, got, previous)
		}
		if swapped := metrics.SSIM(degraded, clean); math.Abs(swapped-got) > 1e-12 {
			t.Errorf("σ=%v: SSIM not symmetric: %v vs %v", sigma, got, swapped)
		}
		previous = got
	}
}

func TestSSIMOfTinyPictureIsNaN(t *testing.T) {
	a := picture.New(10, 50)
	if got := metrics.SSIM(a, a.Clone()); !math.IsNaN(got) {
		t.Errorf("SSIM of 10×50 pictures %v, want NaN", got)
	}
}

func TestPSNR(t *testing.T) {
	tests := []struct {
		name       string
		a, b       float32 // flat values
		wantMSE    float64
		wantPSNRdB float64
	}{
		{"identical", 0.5, 0.5, 0, math.Inf(1)},
		{"off by 0.1", 0.5, 0.6, 0.01, 20},
		{"black vs white", 0, 1, 1, 0},
	}
	for _, tt := range tests {
		a, b := picture.New(7, 5), picture.New(7, 5)
		for i := range a.Pix {
			a.Pix[i], b.Pix[i] = tt.a, tt.b
		}
		if got := metrics.MSE(a, b); math.Abs(got-tt.wantMSE) > 1e-7 {
			t.Errorf("%s: MSE %v, want %v", tt.name, got, tt.wantMSE)
		}
		if got := metrics.PSNR(a, b); math.Abs(got-tt.wantPSNRdB) > 1e-5 && got != tt.wantPSNRdB {
			t.Errorf("%s: PSNR %v, want %v", tt.name, got, tt.wantPSNRdB)
		}
	}
}

func TestPSNRIgnoresAlphaAndCountsAllPlanes(t *testing.T) {
	a, b := picture.New(4, 4), picture.New(4, 4)
	b.Alpha = make([]float32, 16) // transparent: must not matter
	b.Plane(2)[0] = 1             // one blue value off by 1 among 48
	if got, want := metrics.MSE(a, b), 1.0/48; math.Abs(got-want) > 1e-15 {
		t.Errorf("MSE %v, want %v", got, want)
	}
}

func TestSizeMismatchPanics(t *testing.T) {
	tests := []struct {
		name   string
		metric func(a, b *picture.Image) float64
	}{
		{"MSE", metrics.MSE},
		{"PSNR", metrics.PSNR},
		{"SSIM", metrics.SSIM},
	}
	for _, tt := range tests {
		func() {
			defer func() {
				message, _ := recover().(string)
				if !strings.HasPrefix(message, "metrics: size mismatch") {
					t.Errorf("%s of 16x16 and 16x15 pictures: panic %q, want \"metrics: size mismatch...\"", tt.name, message)
				}
			}()
			tt.metric(picture.New(16, 16), picture.New(16, 15))
		}()
	}
}

func benchmarkPair() (a, b *picture.Image) {
	rng := rand.New(rand.NewPCG(5, 6))
	a = randomPicture(1024, 1024, rng)
	return a, noisy(a, 0.1, rng)
}

func BenchmarkPSNR(b *testing.B) {
	x, y := benchmarkPair()
	b.ReportAllocs()
	for b.Loop() {
		metrics.PSNR(x, y)
	}
}

func BenchmarkSSIM(b *testing.B) {
	x, y := benchmarkPair()
	b.ReportAllocs()
	for b.Loop() {
		metrics.SSIM(x, y)
	}
}

func TestPSNRWhere(t *testing.T) {
	a, b := picture.New(4, 2), picture.New(4, 2)
	b.Plane(0)[1] = 0.5 // pixel 1 off by 0.5 in one plane of three
	b.Plane(2)[6] = 1   // pixel 6 off by 1
	tests := []struct {
		name string
		keep func(int) bool
		want float64
	}{
		{"pixel 1 only", func(i int) bool { return i == 1 }, -10 * math.Log10(0.25/3)},
		{"all but 1 and 6", func(i int) bool { return i != 1 && i != 6 }, math.Inf(1)},
		{"everything", func(int) bool { return true }, metrics.PSNR(a, b)},
		{"nothing", func(int) bool { return false }, math.NaN()},
	}
	for _, tt := range tests {
		got := metrics.PSNRWhere(a, b, tt.keep)
		if !(math.Abs(got-tt.want) < 1e-9 || got == tt.want || math.IsNaN(got) && math.IsNaN(tt.want)) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
