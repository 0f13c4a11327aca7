package noise_test

import (
	"errors"
	"reflect"
	"testing"

	"diabolo/app/noise"
)

func TestParse(t *testing.T) {
	tests := []struct {
		spec      string
		want      noise.Model
		canonical string
	}{
		{"none", noise.None{}, "none"},
		{"quantize", noise.Quantize{}, "quantize"},
		{"gaussian:25", noise.Gaussian{Sigma: noise.Fixed(25)}, "gaussian:25"},
		{" Gaussian : 25.0 ", noise.Gaussian{Sigma: noise.Fixed(25)}, "gaussian:25"},
		{"gaussian:0-50", noise.Gaussian{Sigma: noise.Range{Min: 0, Max: 50}}, "gaussian:0-50"},
		{"gaussian:7-7", noise.Gaussian{Sigma: noise.Fixed(7)}, "gaussian:7"},
		{"gaussian:-0", noise.Gaussian{Sigma: noise.Fixed(0)}, "gaussian:0"},
		{"poisson-gaussian:0.01,0.0004",
			noise.PoissonGaussian{A: noise.Fixed(0.01), B: noise.Fixed(0.0004)},
			"poisson-gaussian:0.01,0.0004"},
		{"poisson-gaussian:0.001-0.02, 0-1e-3",
			noise.PoissonGaussian{A: noise.Range{Min: 0.001, Max: 0.02}, B: noise.Range{Min: 0, Max: 0.001}},
			"poisson-gaussian:0.001-0.02,0-0.001"},
		{"poisson-gaussian:1e-5,2.5E-7", noise.PoissonGaussian{A: noise.Fixed(1e-5), B: noise.Fixed(2.5e-7)},
			"poisson-gaussian:0.00001,0.00000025"},
		{"salt-pepper:0.05", noise.SaltPepper{Fraction: noise.Fixed(0.05)}, "salt-pepper:0.05"},
		{"salt-pepper:0-1", noise.SaltPepper{Fraction: noise.Range{Min: 0, Max: 1}}, "salt-pepper:0-1"},
		{"speckle:0.04", noise.Speckle{Variance: noise.Fixed(0.04)}, "speckle:0.04"},
		{"jpeg:30", noise.JPEG{MinQuality: 30, MaxQuality: 30}, "jpeg:30"},
		{"jpeg:75-95", noise.JPEG{MinQuality: 75, MaxQuality: 95}, "jpeg:75-95"},
		{"JPEG:075 - 095", noise.JPEG{MinQuality: 75, MaxQuality: 95}, "jpeg:75-95"},
		{"gaussian:25+jpeg:90",
			noise.Chain{noise.Gaussian{Sigma: noise.Fixed(25)}, noise.JPEG{MinQuality: 90, MaxQuality: 90}},
			"gaussian:25+jpeg:90"},
		{"gaussian:25 + quantize",
			noise.Chain{noise.Gaussian{Sigma: noise.Fixed(25)}, noise.Quantize{}},
			"gaussian:25+quantize"},
		{"gaussian:25+quantize|gaussian:25 + jpeg:90",
			noise.Choice{
				noise.Chain{noise.Gaussian{Sigma: noise.Fixed(25)}, noise.Quantize{}},
				noise.Chain{noise.Gaussian{Sigma: noise.Fixed(25)}, noise.JPEG{MinQuality: 90, MaxQuality: 90}}},
			"gaussian:25+quantize | gaussian:25+jpeg:90"},
	}
	for _, tt := range tests {
		got, err := noise.Parse(tt.spec)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.spec, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%q) = %#v, want %#v", tt.spec, got, tt.want)
		}
		if s := got.String(); s != tt.canonical {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.spec, s, tt.canonical)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ spec, message string }{
		{"", `noise "": empty step`},
		{"gaussian:25+", `noise "gaussian:25+": empty step`},
		{"gaussian:abc", `noise "gaussian:abc": sigma "abc" is not a number`},
		{"gaussian:-5", `noise "gaussian:-5": sigma -5 is negative`},
		{"gaussian:NaN", `noise "gaussian:NaN": sigma "NaN" is not a finite number`},
		{"gaussian:inf", `noise "gaussian:inf": sigma "inf" is not a finite number`},
		{"gaussian:50-10", `noise "gaussian:50-10": sigma range 50-10 is reversed`},
		{"gaussian:5--3", `noise "gaussian:5--3": sigma -3 is negative`},
		{"gaussian:1-2-3", `noise "gaussian:1-2-3": sigma "2-3" is not a number`},
		{"gaussian", `noise "gaussian": gaussian needs a parameter, as in "gaussian:25"`},
		{"gaussian:", `noise "gaussian:": gaussian needs a parameter, as in "gaussian:25"`},
		{"none:3", `noise "none:3": none takes no parameter`},
		{"poisson-gaussian:0.01", `noise "poisson-gaussian:0.01": poisson-gaussian takes two parameters a,b, as in "poisson-gaussian:0.01,0.0004"`},
		{"poisson-gaussian:0.01,-1", `noise "poisson-gaussian:0.01,-1": b -1 is negative`},
		{"salt-pepper:1.5", `noise "salt-pepper:1.5": fraction 1.5 is outside 0-1`},
		{"speckle:x", `noise "speckle:x": variance "x" is not a number`},
		{"jpeg:0", `noise "jpeg:0": quality 0 is outside 1-100`},
		{"jpeg:101", `noise "jpeg:101": quality 101 is outside 1-100`},
		{"jpeg:80.5", `noise "jpeg:80.5": quality "80.5" is not a whole number`},
		{"jpeg:95-75", `noise "jpeg:95-75": quality range 95-75 is reversed`},
		{"gaussian:25 | gaussian:x", `alternatives "gaussian:25 | gaussian:x": noise "gaussian:x": sigma "x" is not a number`},
		{"gaussian:25|", `alternatives "gaussian:25|": noise "": empty step`},
		{"gaussian:25+blur:3", `noise "gaussian:25+blur:3": unknown kind "blur" (known kinds: none, quantize, gaussian, poisson-gaussian, salt-pepper, speckle, jpeg)`},
	}
	for _, tt := range tests {
		m, err := noise.Parse(tt.spec)
		if err == nil {
			t.Errorf("Parse(%q) = %v, want an error", tt.spec, m)
			continue
		}
		if err.Error() != tt.message {
			t.Errorf("Parse(%q) error:\n got %s\nwant %s", tt.spec, err, tt.message)
		}
		if !errors.Is(err, noise.ErrBadSpec) {
			t.Errorf("Parse(%q) error %v does not wrap ErrBadSpec", tt.spec, err)
		}
	}
}

func TestEmptyChainIsNone(t *testing.T) {
	if s := (noise.Chain{}).String(); s != "none" {
		t.Errorf("empty Chain String() = %q, want none", s)
	}
	img := flat(4, 4, 2)
	if level := (noise.Chain{}).Apply(img, newRand(1)); level != 0 || img.Pix[0] != 1 {
		t.Errorf("empty Chain Apply: level %v, value %v; want 0 and the value clamped to 1", level, img.Pix[0])
	}
}

// FuzzParse checks that Parse never panics, that its errors wrap
// ErrBadSpec, and that every accepted spec has a canonical form that parses
// back to the same model.
func FuzzParse(f *testing.F) {
	for _, spec := range allSpecs {
		f.Add(spec)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		m, err := noise.Parse(spec)
		if err != nil {
			if !errors.Is(err, noise.ErrBadSpec) {
				t.Fatalf("Parse(%q) error %v does not wrap ErrBadSpec", spec, err)
			}
			return
		}
		canonical := m.String()
		again, err := noise.Parse(canonical)
		if err != nil {
			t.Fatalf("Parse(%q) accepted, but its canonical form %q is rejected: %v", spec, canonical, err)
		}
		if !reflect.DeepEqual(again, m) {
			t.Fatalf("Parse(%q) = %#v, but Parse(%q) = %#v", spec, m, canonical, again)
		}
		if s := again.String(); s != canonical {
			t.Fatalf("canonical form %q re-formats as %q", canonical, s)
		}
	})
}

// A Choice applies one alternative per call, each about as often.
func TestChoiceDrawsEachAlternative(t *testing.T) {
	ch := noise.Choice{noise.Gaussian{Sigma: noise.Fixed(10)}, noise.Gaussian{Sigma: noise.Fixed(40)}}
	rng := newRand(3)
	counts := map[noise.Level]int{}
	for range 400 {
		counts[ch.Apply(flat(4, 4, 0.5), rng)]++
	}
	low, high := counts[noise.Level(10.0/255)], counts[noise.Level(40.0/255)]
	if low+high != 400 || low < 150 || high < 150 {
		t.Errorf("levels drawn %v, want about 200 each of σ 10 and 40", counts)
	}
}
