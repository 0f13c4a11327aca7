package watermark_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"diabolo/app/noise"
	"diabolo/app/picture"
	"diabolo/app/watermark"
	"diabolo/internal/synthetic"
)

func TestParseSpec(t *testing.T) {
	tests := []struct {
		spec      string
		want      watermark.Options
		canonical string
	}{
		{"watermark", watermark.Options{}, "watermark"},
		{" Watermark ", watermark.Options{}, "watermark"},
		{"watermark:mixed", watermark.Options{}, "watermark"},
		{"watermark:text", watermark.Options{Content: watermark.Text}, "watermark:text"},
		{"watermark:logo", watermark.Options{Content: watermark.Logo}, "watermark:logo"},
		{"watermark:tiled", watermark.Options{Layout: watermark.Tiled}, "watermark:tiled"},
		{"watermark:corner", watermark.Options{Layout: watermark.Corner}, "watermark:corner"},
		{"watermark:single", watermark.Options{Layout: watermark.Single}, "watermark:single"},
		{"watermark:heldout", watermark.Options{HoldOut: true}, "watermark:heldout"},
		{"watermark: HeldOut , TILED, text", watermark.Options{Content: watermark.Text, Layout: watermark.Tiled, HoldOut: true},
			"watermark:text,tiled,heldout"},
		{"watermark:mixed,corner", watermark.Options{Layout: watermark.Corner}, "watermark:corner"},
		{"watermark:0.5", watermark.Options{Opacity: noise.Fixed(0.5)}, "watermark:0.5"},
		{"watermark:logo,0.3-0.6", watermark.Options{Content: watermark.Logo, Opacity: noise.Range{Min: 0.3, Max: 0.6}},
			"watermark:logo,0.3-0.6"},
		{"watermark:0.2-0.8", watermark.Options{}, "watermark"},
		{"watermark:zoom=2", watermark.Options{Zoom: noise.Fixed(2)}, "watermark:zoom=2"},
		{"watermark:zoom=1-4,heldout", watermark.Options{HoldOut: true, Zoom: noise.Range{Min: 1, Max: 4}},
			"watermark:heldout,zoom=1-4"},
	}
	for _, tt := range tests {
		m, err := watermark.ParseSpec(tt.spec)
		if err != nil {
			t.Errorf("ParseSpec(%q): %v", tt.spec, err)
			continue
		}
		wm, ok := m.(*watermark.Model)
		if !ok {
			t.Fatalf("ParseSpec(%q) returned %T, want *watermark.Model", tt.spec, m)
		}
		if got := wm.Generator().Options(); got != tt.want {
			t.Errorf("ParseSpec(%q) options = %+v, want %+v", tt.spec, got, tt.want)
		}
		if got := m.String(); got != tt.canonical {
			t.Errorf("ParseSpec(%q).String() = %q, want %q", tt.spec, got, tt.canonical)
		}
		again, err := watermark.ParseSpec(m.String())
		if err != nil || again.String() != m.String() {
			t.Errorf("ParseSpec(%q) = %v, %v: canonical spec does not round-trip", m.String(), again, err)
		}
	}
}

func TestParseSpecErrors(t *testing.T) {
	tests := []struct {
		spec, mention string
	}{
		{"gaussian:25", "not a watermark spec"},
		{"watermarks", "not a watermark spec"},
		{"watermark:", "empty flag"},
		{"watermark:text,", "empty flag"},
		{"watermark:text,logo", `"logo" repeats or contradicts`},
		{"watermark:tiled,corner", `"corner" repeats or contradicts`},
		{"watermark:heldout,heldout", `"heldout" repeats`},
		{"watermark:mixed,text", `"text" repeats or contradicts`},
		{"watermark:bold", `unknown flag "bold"`},
		{"watermark:0.5,0.6", `"0.6" repeats`},
		{"watermark:1.5", "opacity 1.5"},
		{"watermark:0.6-0.2", "opacity 0.6-0.2"},
		{"watermark:0", "opacity 0"},
		{"watermark:0.2-x", `opacity "0.2-x"`},
		{"watermark:zoom=0.5", `zoom "0.5"`},
		{"watermark:zoom=2-20", `zoom "2-20"`},
		{"watermark:zoom=3-2", `zoom "3-2"`},
		{"watermark:zoom=", `zoom ""`},
		{"watermark:zoom=2,zoom=3", `"zoom=3" repeats`},
	}
	for _, tt := range tests {
		m, err := watermark.ParseSpec(tt.spec)
		if err == nil {
			t.Errorf("ParseSpec(%q) = %v, want an error", tt.spec, m)
			continue
		}
		if !errors.Is(err, noise.ErrBadSpec) {
			t.Errorf("ParseSpec(%q) error %q does not wrap noise.ErrBadSpec", tt.spec, err)
		}
		if msg := err.Error(); !strings.Contains(msg, tt.spec) || !strings.Contains(msg, tt.mention) {
			t.Errorf("ParseSpec(%q) error %q should name the spec and mention %q", tt.spec, msg, tt.mention)
		}
	}
}

func TestContentAndLayoutNames(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{watermark.AnyContent.String(), "mixed"},
		{watermark.Text.String(), "text"},
		{watermark.Logo.String(), "logo"},
		{watermark.Content(9).String(), "Content(9)"},
		{watermark.AnyLayout.String(), "any"},
		{watermark.Single.String(), "single"},
		{watermark.Corner.String(), "corner"},
		{watermark.Tiled.String(), "tiled"},
		{watermark.Layout(-1).String(), "Layout(-1)"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestModelApplyReportsMeanOpacity(t *testing.T) {
	for _, spec := range []string{"watermark", "watermark:tiled", "watermark:corner,heldout", "watermark:logo,0.5"} {
		m, err := watermark.ParseSpec(spec)
		if err != nil {
			t.Fatal(err)
		}
		wm := m.(*watermark.Model)
		for seed := range uint64(5) {
			img := synthetic.Photo(96, 72, seed)
			twin := img.Clone()
			level := float64(m.Apply(img, newRand(seed)))
			mask := wm.ApplyWithMask(twin, newRand(seed))
			var sum float64
			for _, a := range mask {
				sum += float64(a)
			}
			if mean := sum / float64(len(mask)); math.Abs(level-mean) > 1e-9 || level <= 0 {
				t.Errorf("%s seed %d: Level %v, mean mask opacity %v", spec, seed, level, mean)
			}
			for i := range img.Pix {
				if img.Pix[i] != twin.Pix[i] {
					t.Fatalf("%s seed %d: Apply and ApplyWithMask differ at %d", spec, seed, i)
				}
			}
		}
	}
}

func TestModelChainsWithNoise(t *testing.T) {
	m, err := watermark.ParseSpec("watermark:text")
	if err != nil {
		t.Fatal(err)
	}
	chain := noise.Chain{m, noise.Gaussian{Sigma: noise.Fixed(10)}, noise.Quantize{}}
	if got, want := chain.String(), "watermark:text+gaussian:10+quantize"; got != want {
		t.Errorf("chain spec %q, want %q", got, want)
	}
	img := synthetic.Photo(64, 64, 1)
	if level := chain.Apply(img, newRand(1)); level <= 10.0/255 {
		t.Errorf("chain level %v, want above the Gaussian's %v", level, 10.0/255)
	}
	for _, v := range img.Pix {
		if v < 0 || v > 1 || v*255 != float32(int(v*255+0.5)) {
			t.Fatalf("value %v is not an 8-bit level in [0, 1]", v)
		}
	}
}

func TestMarkSizeMismatch(t *testing.T) {
	g := mustGenerator(t, watermark.Options{})
	m := g.Render(40, 30, newRand(1))
	for _, img := range []*picture.Image{picture.New(30, 40), picture.New(40, 31)} {
		before := img.Clone()
		for name, op := range map[string]func(*picture.Image) error{"Apply": m.Apply, "Remove": m.Remove} {
			err := op(img)
			if !errors.Is(err, watermark.ErrSizeMismatch) {
				t.Errorf("%s on %dx%d: error %v, want ErrSizeMismatch", name, img.Width, img.Height, err)
			}
			if !strings.Contains(err.Error(), "40x30") {
				t.Errorf("%s error %q does not give the mark's size", name, err)
			}
		}
		for i := range img.Pix {
			if img.Pix[i] != before.Pix[i] {
				t.Fatal("a failed Apply or Remove changed the picture")
			}
		}
	}
}

func TestRemoveInvertsApply(t *testing.T) {
	for _, opts := range allOptions() {
		g := mustGenerator(t, opts)
		for seed := range uint64(3) {
			orig := synthetic.Photo(100, 80, seed)
			m := g.Render(100, 80, newRand(seed))
			img := orig.Clone()
			if err := m.Apply(img); err != nil {
				t.Fatal(err)
			}
			if err := m.Remove(img); err != nil {
				t.Fatal(err)
			}
			n := 100 * 80
			for i, a := range m.Alpha {
				for c := range picture.Channels {
					d := math.Abs(float64(img.Pix[c*n+i] - orig.Pix[c*n+i]))
					// Float rounding grows by 1/(1 − α).
					if tol := 1e-5 / (1 - math.Min(float64(a), 0.98)); d > tol {
						t.Fatalf("%s seed %d: pixel %d off by %v after Apply then Remove (α = %v)", opts, seed, i, d, a)
					}
				}
			}
		}
	}
}
