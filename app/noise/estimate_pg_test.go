package noise_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"diabolo/app/noise"
	"diabolo/app/picture"
)

// rampScene returns smooth shading from dark to bright, so that
// signal-dependent noise shows at every level, with flat patches on top.
func rampScene(w, h int) *picture.Image {
	img := picture.New(w, h)
	for y := range h {
		for x := range w {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			v := 0.08 + 0.84*fx
			for c := range picture.Channels {
				u := v + 0.05*float64(c)*math.Sin(3*fy+float64(c))
				if int(fy*6)%2 == 1 && int(fx*8)%2 == 0 {
					u = math.Round(u*10) / 10 // flat steps
				}
				img.Pix[c*w*h+y*w+x] = float32(u)
			}
		}
	}
	return img
}

// TestEstimatePoissonGaussian estimates known signal-dependent noise on a
// smooth synthetic scene that spans dark to bright.
func TestEstimatePoissonGaussian(t *testing.T) {
	cases := []noise.PoissonGaussianParams{
		{A: 0.01, B: 0.0004},
		{A: 0.004, B: 0.0001},
		{A: 0.02, B: 0.001},
		{A: 0, B: 0.0025}, // Gaussian noise of σ = 12.75/255
	}
	for i, want := range cases {
		img := rampScene(512, 384)
		// Apply exactly variance A·s + B with Gaussian draws, the model
		// that the estimator fits.
		rng := rand.New(rand.NewPCG(uint64(i), 5))
		for k, s := range img.Pix {
			img.Pix[k] = s + float32(rng.NormFloat64()*want.Sigma(float64(s)))
		}
		img.Clamp()
		got, ok := noise.EstimatePoissonGaussian(img)
		if !ok {
			t.Fatalf("case %d: no estimate", i)
		}
		t.Logf("want a=%.5f b=%.6f, got a=%.5f b=%.6f", want.A, want.B, got.A, got.B)
		// Judge the fit where it matters: the noise level at several signals.
		for _, s := range []float64{0.2, 0.5, 0.8} {
			if r := got.Sigma(s) / want.Sigma(s); math.Abs(r-1) > 0.1 {
				t.Errorf("case %d: σ(%.1f) = %.4f, want %.4f (±10%%)", i, s, got.Sigma(s), want.Sigma(s))
			}
		}
		if want.A > 0 && math.Abs(got.A/want.A-1) > 0.1 {
			t.Errorf("case %d: a = %.5f, want %.5f (±10%%)", i, got.A, want.A)
		}
	}
}

func TestEstimatePoissonGaussianTooSmall(t *testing.T) {
	if _, ok := noise.EstimatePoissonGaussian(rampScene(9, 9)); ok {
		t.Error("an estimate from a 9×9 image")
	}
}

// TestEstimatePoissonGaussianTrueModel estimates the parameters of this
// package's own Poisson-Gaussian model (true Poisson counts), as a camera
// would make them.
func TestEstimatePoissonGaussianTrueModel(t *testing.T) {
	for _, c := range []struct {
		spec string
		want noise.PoissonGaussianParams
	}{
		{"poisson-gaussian:0.01,0.0004", noise.PoissonGaussianParams{A: 0.01, B: 0.0004}},
		{"poisson-gaussian:0.003,0.0002", noise.PoissonGaussianParams{A: 0.003, B: 0.0002}},
	} {
		m, err := noise.Parse(c.spec)
		if err != nil {
			t.Fatal(err)
		}
		img := rampScene(512, 384)
		m.Apply(img, rand.New(rand.NewPCG(3, 3)))
		got, ok := noise.EstimatePoissonGaussian(img)
		if !ok {
			t.Fatalf("%s: no estimate", c.spec)
		}
		if math.Abs(got.A/c.want.A-1) > 0.1 || math.Abs(got.B/c.want.B-1) > 0.1 {
			t.Errorf("%s: estimated a=%.5f b=%.6f, want within 10%%", c.spec, got.A, got.B)
		}
	}
}
