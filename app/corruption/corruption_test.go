package corruption

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"diabolo/app/noise"
	"diabolo/app/picture"
)

func TestParse(t *testing.T) {
	cases := []struct {
		spec, want, err string
	}{
		{"gaussian:25", "gaussian:25", ""},
		{"gaussian:0-50+quantize", "gaussian:0-50+quantize", ""},
		{"watermark", "watermark", ""},
		{"Watermark:text,tiled+jpeg:85", "", ""},
		{"jpeg:90+watermark:logo", "", ""},
		{"gaussian:abc", "", `"gaussian:abc"`},
		{"watermark:sparkly", "", "sparkly"},
		{"gaussian:25+watermark:sparkly", "", `corruption "gaussian:25+watermark:sparkly"`},
		{"gaussian:25|watermark:text+jpeg:90", "gaussian:25 | watermark:text+jpeg:90", ""},
		{"gaussian:25 | watermark:sparkly", "", `alternatives "gaussian:25 | watermark:sparkly"`},
	}
	for _, c := range cases {
		m, err := Parse(c.spec)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || !errors.Is(err, noise.ErrBadSpec) {
				t.Errorf("Parse(%q) error %v, want one mentioning %s and wrapping ErrBadSpec", c.spec, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q): %v", c.spec, err)
			continue
		}
		if c.want != "" && m.String() != c.want {
			t.Errorf("Parse(%q).String() = %q, want %q", c.spec, m.String(), c.want)
		}
		// Whatever parses changes a picture and round-trips through String.
		img := picture.New(64, 48)
		for i := range img.Pix {
			img.Pix[i] = 0.5
		}
		m.Apply(img, rand.New(rand.NewPCG(1, 2)))
		changed := false
		for _, v := range img.Pix {
			changed = changed || v != 0.5
		}
		if !changed {
			t.Errorf("%q left the picture unchanged", c.spec)
		}
		again, err := Parse(m.String())
		if err != nil || again.String() != m.String() {
			t.Errorf("%q does not round-trip: %q, %v", c.spec, m.String(), err)
		}
	}
}

// ApplyMarked must corrupt exactly as Apply does and report the mark's
// opacity, whether the watermark stands alone or inside a chain.
func TestApplyMarkedRecordsTheMark(t *testing.T) {
	cases := []struct {
		spec   string
		marked bool
	}{
		{"watermark:text", true},
		{"gaussian:10+watermark:logo,single+quantize", true},
		{"gaussian:10", false},
	}
	for _, c := range cases {
		m, err := Parse(c.spec)
		if err != nil {
			t.Fatal(err)
		}
		base := picture.New(96, 64)
		for i := range base.Pix {
			base.Pix[i] = 0.25 + 0.5*float32(i%7)/7
		}
		plain, marked := base.Clone(), base.Clone()
		m.Apply(plain, rand.New(rand.NewPCG(3, 4)))
		mask := make([]float32, base.Width*base.Height)
		noise.ApplyMarked(m, marked, rand.New(rand.NewPCG(3, 4)), mask, nil)
		for i := range plain.Pix {
			if plain.Pix[i] != marked.Pix[i] {
				t.Fatalf("%s: ApplyMarked differs from Apply at %d", c.spec, i)
			}
		}
		covered := 0
		for _, a := range mask {
			if a < 0 || a > 1 {
				t.Fatalf("%s: opacity %g outside 0-1", c.spec, a)
			}
			if a > 0 {
				covered++
			}
		}
		if (covered > 0) != c.marked {
			t.Errorf("%s: %d marked pixels, want marked=%v", c.spec, covered, c.marked)
		}
	}
}

// FuzzParse checks that Parse never panics on any spec, noise, watermark or
// both, that its errors wrap ErrBadSpec, and that every accepted spec has a
// canonical form that parses back to itself.
func FuzzParse(f *testing.F) {
	for _, spec := range []string{
		"gaussian:25", "gaussian:0-50+quantize", "watermark", "watermark:text,tiled,heldout",
		"watermark:logo,corner,0.3-0.6", "watermark:zoom=1-4+quantize", "Watermark:text,tiled+jpeg:85",
		"jpeg:90+watermark:logo", "gaussian:25 | watermark:text+jpeg:90", "watermark:zoom=", "watermark:,",
		"watermark:0.9-0.1", "watermark:text,text", "poisson-gaussian:0.01,0.0004|none",
	} {
		f.Add(spec)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		m, err := Parse(spec)
		if err != nil {
			if !errors.Is(err, noise.ErrBadSpec) {
				t.Fatalf("Parse(%q) error %v does not wrap ErrBadSpec", spec, err)
			}
			return
		}
		canonical := m.String()
		again, err := Parse(canonical)
		if err != nil {
			t.Fatalf("Parse(%q) accepted, but its canonical form %q is rejected: %v", spec, canonical, err)
		}
		if s := again.String(); s != canonical {
			t.Fatalf("canonical form %q re-formats as %q", canonical, s)
		}
	})
}
