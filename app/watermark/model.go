package watermark

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	"diabolo/app/noise"
	"diabolo/app/picture"
)

// Kind is the name of watermark specs, the part before the ':'.
const Kind = "watermark"

// The words of a watermark spec's flags.
const (
	flagMixed   = "mixed"
	flagText    = "text"
	flagLogo    = "logo"
	flagSingle  = "single"
	flagCorner  = "corner"
	flagTiled   = "tiled"
	flagHeldOut = "heldout"
	flagZoom    = "zoom="
)

// Model is a Generator seen as a noise.Model, so that watermarks can be
// chained with other corruptions and named by a spec (see ParseSpec). Like
// the Generator it wraps, one Model may be used by many goroutines at once.
type Model struct {
	gen *Generator
}

// NewModel returns the Model drawing the marks opts asks for.
func NewModel(opts Options) (*Model, error) {
	g, err := NewGenerator(opts)
	if err != nil {
		return nil, err
	}
	return &Model{gen: g}, nil
}

// Generator returns the Generator m draws with.
func (m *Model) Generator() *Generator {
	return m.gen
}

// Apply implements noise.Model: it draws a random mark over img in place
// (img.Alpha is left untouched, a gray picture stays gray) and reports the
// mark's mean opacity over the picture as its Level, 0 for an invisible mark.
// Unlike the Levels of noise models, this is not a standard deviation.
func (m *Model) Apply(img *picture.Image, rng *rand.Rand) noise.Level {
	mark := m.gen.Render(img.Width, img.Height, rng)
	// mark has img's size, so Apply cannot fail.
	_ = mark.Apply(img)
	return noise.Level(mark.MeanAlpha())
}

// ApplyMarked implements noise.Marker: Apply that also raises mask[i] to
// the mark's opacity at pixel i and, where it does and colour is not nil,
// writes the mark's colour there.
func (m *Model) ApplyMarked(img *picture.Image, rng *rand.Rand, mask, colour []float32) noise.Level {
	mark := m.gen.Render(img.Width, img.Height, rng)
	_ = mark.Apply(img)
	n := len(mark.Alpha)
	for i, a := range mark.Alpha {
		if a <= mask[i] {
			continue
		}
		mask[i] = a
		if colour != nil {
			for c := 0; c < picture.Channels; c++ {
				colour[c*n+i] = mark.Colour[c*n+i]
			}
		}
	}
	return noise.Level(mark.MeanAlpha())
}

// ApplyWithMask draws a random mark over img in place and returns its opacity
// at every pixel, as Generator.ApplyWithMask does.
func (m *Model) ApplyWithMask(img *picture.Image, rng *rand.Rand) []float32 {
	return m.gen.ApplyWithMask(img, rng)
}

// String implements noise.Model: the canonical spec, which ParseSpec turns
// back into an equivalent Model.
func (m *Model) String() string {
	return m.gen.opts.String()
}

// String returns the spec of the options, as ParseSpec reads it: "watermark"
// for the default mix, otherwise "watermark:" followed by the content, the
// layout, "heldout" and the opacity range that differ from the defaults, in
// that order, separated by commas.
func (o Options) String() string {
	var flags []string
	if o.Content != AnyContent {
		flags = append(flags, o.Content.String())
	}
	if o.Layout != AnyLayout {
		flags = append(flags, o.Layout.String())
	}
	if o.HoldOut {
		flags = append(flags, flagHeldOut)
	}
	if op := o.opacity(); op != (noise.Range{Min: DefaultMinOpacity, Max: DefaultMaxOpacity}) {
		flags = append(flags, op.String())
	}
	if o.Zoom != (noise.Range{}) {
		flags = append(flags, flagZoom+o.Zoom.String())
	}
	if len(flags) == 0 {
		return Kind
	}
	return Kind + ":" + strings.Join(flags, ",")
}

// ParseSpec returns the Model a watermark spec describes: "watermark" alone
// for the default mix of contents and layouts from the training set, or
// followed by ':' and comma-separated flags, at most one of each group:
//
//	text | logo | mixed            content (mixed: both, the default)
//	single | corner | tiled        layout (default: all three)
//	heldout                        the held-out fonts, shapes and words
//	0.5 | 0.2-0.6                  opacity of the main layer (default 0.2-0.8)
//	zoom=2 | zoom=1-4              marks sized for a frame 2 (or 1 to 4) times
//	                               the picture, which shows a part with a mark
//
// for example "watermark:text", "watermark:tiled,heldout" or
// "watermark:logo,corner,0.3-0.5". Spaces around flags are ignored and case
// does not matter. The error for a bad spec names it and wraps
// noise.ErrBadSpec.
func ParseSpec(spec string) (noise.Model, error) {
	opts, err := parseOptions(spec)
	if err != nil {
		return nil, fmt.Errorf("watermark %q: %w: %s", spec, noise.ErrBadSpec, err.Error())
	}
	m, err := NewModel(opts)
	if err != nil {
		return nil, fmt.Errorf("watermark %q: %w", spec, err)
	}
	return m, nil
}

// parseOptions reads the options of a spec.
func parseOptions(spec string) (Options, error) {
	name, params, hasParams := strings.Cut(spec, ":")
	if !strings.EqualFold(strings.TrimSpace(name), Kind) {
		return Options{}, fmt.Errorf("not a %s spec", Kind)
	}
	var opts Options
	if !hasParams {
		return opts, nil
	}
	var content, layout, heldOut, opacity, zoom bool
	for _, flag := range strings.Split(params, ",") {
		flag = strings.ToLower(strings.TrimSpace(flag))
		var seen *bool
		switch flag {
		case flagMixed:
			seen = &content
		case flagText:
			seen, opts.Content = &content, Text
		case flagLogo:
			seen, opts.Content = &content, Logo
		case flagSingle:
			seen, opts.Layout = &layout, Single
		case flagCorner:
			seen, opts.Layout = &layout, Corner
		case flagTiled:
			seen, opts.Layout = &layout, Tiled
		case flagHeldOut:
			seen, opts.HoldOut = &heldOut, true
		case "":
			return Options{}, fmt.Errorf("empty flag")
		case flagZoom + flag[min(len(flag), len(flagZoom)):]:
			r, err := parseZoom(flag[len(flagZoom):])
			if err != nil {
				return Options{}, err
			}
			seen, opts.Zoom = &zoom, r
		default:
			r, err := parseOpacity(flag)
			if err != nil {
				return Options{}, err
			}
			if r == (noise.Range{Min: DefaultMinOpacity, Max: DefaultMaxOpacity}) {
				r = noise.Range{} // the default, as Options spell it
			}
			seen, opts.Opacity = &opacity, r
		}
		if *seen {
			return Options{}, fmt.Errorf("flag %q repeats or contradicts an earlier one", flag)
		}
		*seen = true
	}
	return opts, nil
}

// parseOpacity reads an opacity "0.5" or range "0.2-0.6" within [0, 1].
func parseOpacity(flag string) (noise.Range, error) {
	lo, hi, isRange := strings.Cut(flag, "-")
	minimum, err := strconv.ParseFloat(strings.TrimSpace(lo), 64)
	if err != nil {
		return noise.Range{}, fmt.Errorf("unknown flag %q (want %s, %s, %s, %s, %s, %s, %s or an opacity such as 0.2-0.6)",
			flag, flagText, flagLogo, flagMixed, flagSingle, flagCorner, flagTiled, flagHeldOut)
	}
	maximum := minimum
	if isRange {
		if maximum, err = strconv.ParseFloat(strings.TrimSpace(hi), 64); err != nil {
			return noise.Range{}, fmt.Errorf("opacity %q is not a number or a range", flag)
		}
	}
	if !(minimum >= 0 && maximum <= 1 && minimum <= maximum) || maximum == 0 {
		return noise.Range{}, fmt.Errorf("opacity %s is not an increasing range within 0-1 above 0", flag)
	}
	return noise.Range{Min: minimum, Max: maximum}, nil
}

// parseZoom reads the value of a zoom flag: a factor or a range of factors
// from 1 to MaxZoom.
func parseZoom(v string) (noise.Range, error) {
	lo, hi, isRange := strings.Cut(v, "-")
	minimum, err := strconv.ParseFloat(strings.TrimSpace(lo), 64)
	maximum := minimum
	if err == nil && isRange {
		maximum, err = strconv.ParseFloat(strings.TrimSpace(hi), 64)
	}
	if err != nil || !(minimum >= 1 && maximum <= MaxZoom && minimum <= maximum) {
		return noise.Range{}, fmt.Errorf("zoom %q is not a factor or an increasing range within 1-%d", v, MaxZoom)
	}
	return noise.Range{Min: minimum, Max: maximum}, nil
}
