// Package watermark draws synthetic visible watermarks over clean photos, to
// train and evaluate watermark removal, and removes a watermark shared by a
// collection of photos without any training (collection mode).
//
// # Generator
//
// A Generator draws one random visible mark per call, blended over the
// picture as out = (1 − α)·img + α·colour, and returns the opacity α it
// applied at every pixel (the mask), for use as an auxiliary target or as a
// mask input. A mark is either text (a stamp word, a copyright line, a web
// address, a date, a frame number, in one of the Go fonts, 3–25% of the
// picture height, rotated by up to ±45°, optionally outlined or shadowed) or
// a procedural logo (a shape with or without initials, anti-aliased and
// optionally blurred), laid out once, as a small date-stamp-like mark near a
// corner, or tiled diagonally over the whole picture. All randomness comes
// from the caller's random source, so a seed gives back the same mark.
// Generator.Render returns the mark itself (a Mark: opacity and colour at
// every pixel), which Mark.Apply lays over a picture and Mark.Remove takes
// off again.
//
// Model wraps a Generator as a noise.Model, so that marks are named by specs
// such as "watermark:tiled,heldout" (see ParseSpec) and chain with the
// noise models.
//
// # Training and held-out marks
//
// Marks come in two disjoint sets, so that evaluation can use fonts, shapes
// and words the network never saw:
//
//	                training (default)                 held out (Options.HoldOut)
//	fonts           Go Regular, Medium, Bold,          Go Italic, Medium Italic, Bold Italic,
//	                Mono, Mono Bold                    Mono Italic, Mono Bold Italic,
//	                                                   Smallcaps, Smallcaps Italic
//	logo shapes     circle, star, rounded rectangle    ring, regular polygon
//	stamp words     SAMPLE, PROOF, PREVIEW, DRAFT, …   SPECIMEN, COPY, DEMO, …
//	studio names    Studio Lumen, Northlight, …        Kestrel, Bluefern, …
//	formats         © 2024 Name, www.namephoto.com,    (c) 2011 Name Images,
//	                2019-07-14 18:32, #01234, IMG_0042 name-images.net, 14.07.2019,
//	                                                   '19 7 14, No. 42, DSC01234
//
// Layouts, colours, opacities, sizes and effects are drawn the same way in
// both sets.
//
// # Collection mode
//
// EstimateShared estimates the colour and opacity of a mark found at the
// same place on several pictures, after Dekel et al., "On the Effectiveness
// of Visible Watermarks" (CVPR 2017), and SharedMark.Remove takes it off.
package watermark

import (
	"fmt"
	"math"
	"math/rand/v2"

	"diabolo/app/noise"
	"diabolo/app/picture"
)

// Content is what a mark shows.
type Content int

// The contents of a mark.
const (
	// AnyContent draws text (60%) or a logo (40%).
	AnyContent Content = iota
	// Text draws words, dates, addresses or numbers.
	Text
	// Logo draws a procedural shape, often with initials.
	Logo
)

// String returns the content's name in specs: "text", "logo" or "mixed".
func (c Content) String() string {
	switch c {
	case Text:
		return flagText
	case Logo:
		return flagLogo
	case AnyContent:
		return flagMixed
	}
	return fmt.Sprintf("Content(%d)", int(c))
}

// Layout is where a mark goes on the picture.
type Layout int

// The layouts of a mark.
const (
	// AnyLayout draws Single (45%), Corner (25%) or Tiled (30%).
	AnyLayout Layout = iota
	// Single draws one mark, 3–25% of the picture height for text, anywhere,
	// rotated by up to ±45°.
	Single
	// Corner draws one small upright mark near a corner, like a camera's
	// date stamp, within the corner's quarter of the picture when it fits.
	Corner
	// Tiled repeats one mark on a rotated lattice over the whole picture.
	Tiled
)

// String returns the layout's name in specs: "single", "corner" or "tiled",
// or "any".
func (l Layout) String() string {
	switch l {
	case Single:
		return flagSingle
	case Corner:
		return flagCorner
	case Tiled:
		return flagTiled
	case AnyLayout:
		return "any"
	}
	return fmt.Sprintf("Layout(%d)", int(l))
}

// Options choose the kinds of marks a Generator draws.
type Options struct {
	Content Content
	Layout  Layout
	// HoldOut draws from the held-out fonts, shapes and words (see the
	// package documentation) instead of the training ones.
	HoldOut bool
	// Opacity is the range of the opacity of a mark's main layer, drawn
	// uniformly per mark; an outline or shadow under it has at most the
	// same opacity, so where both overlap the mask reaches up to
	// 1 − (1 − Max)². The zero Range stands for DefaultMinOpacity to
	// DefaultMaxOpacity.
	Opacity noise.Range
	// Zoom, when above 1, sizes and places each mark for a frame Zoom times
	// the picture's size (drawn log-uniformly from the range per mark), of
	// which the picture is a window showing part of the mark: training
	// patches then meet marks at the scale they have on whole photos. The
	// zero Range means 1.
	Zoom noise.Range
}

// MaxZoom bounds Options.Zoom.
const MaxZoom = 16

// The opacity range of Options with a zero Opacity.
const (
	DefaultMinOpacity = 0.2
	DefaultMaxOpacity = 0.8
)

// opacity returns the opacity range in effect.
func (o Options) opacity() noise.Range {
	if o.Opacity == (noise.Range{}) {
		return noise.Range{Min: DefaultMinOpacity, Max: DefaultMaxOpacity}
	}
	return o.Opacity
}

// validate reports the first invalid option.
func (o Options) validate() error {
	if o.Content < AnyContent || o.Content > Logo {
		return fmt.Errorf("watermark: unknown content %d", o.Content)
	}
	if o.Layout < AnyLayout || o.Layout > Tiled {
		return fmt.Errorf("watermark: unknown layout %d", o.Layout)
	}
	op := o.opacity()
	if !(op.Min >= 0 && op.Max <= 1 && op.Min <= op.Max) {
		return fmt.Errorf("watermark: opacity range %v-%v is not within 0-1", op.Min, op.Max)
	}
	if z := o.Zoom; z != (noise.Range{}) && !(z.Min >= 1 && z.Max <= MaxZoom && z.Min <= z.Max) {
		return fmt.Errorf("watermark: zoom range %v-%v is not within 1-%d", z.Min, z.Max, MaxZoom)
	}
	return nil
}

// Generator draws random visible watermarks. It parses its fonts once, in
// NewGenerator, and is immutable afterwards: one Generator may be used by
// many goroutines at once, each with its own random source.
type Generator struct {
	opts   Options
	fonts  []parsedFont
	shapes []shape
	words  wordSet
}

// NewGenerator returns a Generator drawing the marks opts asks for.
func NewGenerator(opts Options) (*Generator, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	srcs, shapes, words := trainingFonts(), trainingShapes(), trainingWords()
	if opts.HoldOut {
		srcs, shapes, words = heldOutFonts(), heldOutShapes(), heldOutWords()
	}
	fonts, err := parseFonts(srcs)
	if err != nil {
		return nil, err
	}
	return &Generator{opts: opts, fonts: fonts, shapes: shapes, words: words}, nil
}

// Options returns the options g was made with.
func (g *Generator) Options() Options {
	return g.opts
}

// Render draws a random mark for a picture of width×height pixels. It
// panics if a side is not positive, as picture.New does.
func (g *Generator) Render(width, height int, rng *rand.Rand) *Mark {
	if width <= 0 || height <= 0 {
		panic(fmt.Sprintf("watermark: bad size %dx%d", width, height))
	}
	z := g.opts.Zoom
	if z == (noise.Range{}) || z.Max <= 1 {
		return g.render(width, height, rng)
	}
	zoom := z.Min
	if z.Max > z.Min {
		zoom = logUniform(rng, z.Min, z.Max)
	}
	fw, fh := int(math.Ceil(float64(width)*zoom)), int(math.Ceil(float64(height)*zoom))
	return g.render(fw, fh, rng).window(width, height, rng)
}

// render draws a random mark sized and placed for a width×height picture.
func (g *Generator) render(width, height int, rng *rand.Rand) *Mark {
	m := newMark(width, height)
	layout := g.opts.Layout
	if layout == AnyLayout {
		layout = drawLayout(rng)
	}
	content := g.opts.Content
	if content == AnyContent {
		content = Logo
		if rng.Float64() < 0.6 {
			content = Text
		}
	}
	var d design
	if content == Text {
		d = g.textDesign(width, height, layout, rng)
	}
	if len(d.layers) == 0 {
		d = g.logoDesign(width, height, layout, rng)
	}
	d.place = place(d.layers[len(d.layers)-1].sprite, width, height, layout, rng)
	m.composite(d.layers, d.place)
	m.finish()
	return m
}

// ApplyWithMask draws a random mark over img in place, as Mark.Apply does,
// and returns its opacity at every pixel: Width*Height values in [0, 1], 0
// exactly where img was left unchanged.
func (g *Generator) ApplyWithMask(img *picture.Image, rng *rand.Rand) []float32 {
	m := g.Render(img.Width, img.Height, rng)
	// m has img's size, so Apply cannot fail.
	_ = m.Apply(img)
	return m.Alpha
}

// drawLayout draws a layout with the weights AnyLayout documents.
func drawLayout(rng *rand.Rand) Layout {
	switch u := rng.Float64(); {
	case u < 0.45:
		return Single
	case u < 0.70:
		return Corner
	default:
		return Tiled
	}
}

// design is a mark before it is drawn: its layers, bottom first (the main
// layer is the last), and where they go.
type design struct {
	layers []layer
	place  placement
}

// sizeRange returns the range of sizes of marks in a layout, as fractions of
// the picture height for text (the em size) or of its shorter side for logos
// (the diameter).
func sizeRange(layout Layout, content Content) (lo, hi float64) {
	switch {
	case content == Text && layout == Corner:
		return 0.03, 0.07
	case content == Text && layout == Tiled:
		return 0.03, 0.10
	case content == Text:
		return 0.03, 0.25
	case layout == Corner:
		return 0.08, 0.15
	case layout == Tiled:
		return 0.06, 0.15
	}
	return 0.10, 0.40
}

// minLogoPixels is the smallest logo drawn, in pixels across.
const minLogoPixels = 6

// textAttempts is how many texts a corner stamp tries before falling back
// to a logo when none fits its quarter of the picture.
const textAttempts = 4

// textDesign designs a text mark, or returns an empty design if no text fits
// (the caller then draws a logo).
func (g *Generator) textDesign(w, h int, layout Layout, rng *rand.Rand) design {
	f := pick(rng, g.fonts)
	fxKind := drawEffectKind(rng)
	lo, hi := sizeRange(layout, Text)
	size := max(minFontPixels, float64(h)*logUniform(rng, lo, hi))
	for range textAttempts {
		text := g.words.text(rng, layout == Corner)
		width, err := f.textWidth(text, size)
		if err != nil || width <= 0 {
			return design{}
		}
		// The sprite adds twice its padding, which grows with the size
		// (see newEffect), to the text's width.
		limit := float64(max(w, h))
		switch layout {
		case Corner:
			limit = 0.45*float64(w) - 2*(float64(effectPad)+1+0.06*size) - 1
		case Tiled:
			limit *= 0.8
		}
		fitted := size
		if width > limit {
			fitted = max(minFontPixels, size*limit/width)
		}
		if layout == Corner && width*fitted/size > limit {
			continue // too long for the corner even at the smallest size
		}
		fx := newEffect(fxKind, fitted)
		spr, err := f.render(text, fitted, fx.pad)
		if err != nil || spr.empty() {
			return design{}
		}
		return g.finishDesign(spr, fx, layout, rng)
	}
	return design{}
}

// logoDesign designs a logo mark.
func (g *Generator) logoDesign(w, h int, layout Layout, rng *rand.Rand) design {
	lo, hi := sizeRange(layout, Logo)
	size := max(minLogoPixels, float64(min(w, h))*logUniform(rng, lo, hi))
	k := pick(rng, g.shapes)
	blur := 0
	if rng.Float64() < 0.4 {
		blur = 1 + int(size/48)
	}
	fx := newEffect(drawEffectKind(rng), size/3)
	spr, inner := drawShape(k, size, fx.pad+blur, rng)
	if rng.Float64() < 0.65 {
		g.addInitials(spr, k, inner, rng)
	}
	return g.finishDesign(spr.blurred(blur), fx, layout, rng)
}

// addInitials draws initials inside a logo whose inner disc has the given
// radius, if they can be big enough to read.
func (g *Generator) addInitials(logo sprite, k shape, inner float64, rng *rand.Rand) {
	text := initials(rng)
	f := pick(rng, g.fonts)
	size := 1.3 * inner
	width, err := f.textWidth(text, size)
	if err != nil || width <= 0 {
		return
	}
	size = min(size, size*1.7*inner/width)
	if size < minFontPixels {
		return
	}
	spr, err := f.render(text, size, 0)
	if err != nil {
		return
	}
	stamp(logo, spr, k != shapeRing)
}

// effect is an outline or a shadow drawn under a mark's main layer.
type effect struct {
	kind   int
	radius int     // dilation of an outline, in pixels
	offset float64 // shift of a shadow, in pixels
	pad    int     // transparent margin the sprite needs for it
}

// The kinds of effect.
const (
	effectNone = iota
	effectOutline
	effectShadow
)

// effectPad is the transparent margin every sprite gets, beyond what its
// effect needs.
const effectPad = 2

// drawEffectKind draws the effect of a mark: none (55%), an outline (25%) or
// a shadow (20%).
func drawEffectKind(rng *rand.Rand) int {
	switch u := rng.Float64(); {
	case u < 0.55:
		return effectNone
	case u < 0.80:
		return effectOutline
	}
	return effectShadow
}

// newEffect sizes an effect of the given kind for a mark whose glyphs or
// strokes are about size pixels tall.
func newEffect(kind int, size float64) effect {
	fx := effect{kind: kind, pad: effectPad}
	switch kind {
	case effectOutline:
		fx.radius = max(1, int(math.Round(size*0.05)))
		fx.pad += fx.radius
	case effectShadow:
		fx.offset = max(1, size*0.06)
		fx.pad += int(math.Ceil(fx.offset)) + 1
	}
	return fx
}

// finishDesign gives the sprite of a mark its colour, opacity and effect.
func (g *Generator) finishDesign(spr sprite, fx effect, layout Layout, rng *rand.Rand) design {
	op := g.opts.opacity()
	opacity := float32(op.Min + (op.Max-op.Min)*rng.Float64())
	colour := drawColour(rng, layout == Corner)
	main := layer{sprite: spr, colour: colour, opacity: opacity}
	switch fx.kind {
	case effectOutline:
		under := layer{sprite: spr.dilated(fx.radius), colour: contrasting(colour), opacity: opacity}
		return design{layers: []layer{under, main}}
	case effectShadow:
		grey := float32(0.15 * rng.Float64())
		shadowOpacity := opacity * float32(0.6+0.4*rng.Float64())
		under := layer{sprite: spr.blurred(1), colour: [3]float32{grey, grey, grey},
			opacity: shadowOpacity, dx: fx.offset, dy: fx.offset}
		return design{layers: []layer{under, main}}
	}
	return design{layers: []layer{main}}
}

// drawColour draws the colour of a mark: white, black, grey or a saturated
// colour, or for corner stamps sometimes the orange of film date stamps.
func drawColour(rng *rand.Rand, corner bool) [3]float32 {
	u := rng.Float64()
	switch {
	case corner && u < 0.3:
		return [3]float32{1, float32(0.45 + 0.25*rng.Float64()), 0.1}
	case u < 0.35:
		return [3]float32{1, 1, 1}
	case u < 0.55:
		return [3]float32{0, 0, 0}
	case u < 0.70:
		v := float32(0.25 + 0.5*rng.Float64())
		return [3]float32{v, v, v}
	}
	return hsv(rng.Float64(), 0.7+0.3*rng.Float64(), 0.7+0.3*rng.Float64())
}

// contrasting returns near-black for a light colour, near-white for a dark
// one: the colour of an outline.
func contrasting(c [3]float32) [3]float32 {
	if luma(c[0], c[1], c[2]) > 0.5 {
		return [3]float32{0.05, 0.05, 0.05}
	}
	return [3]float32{0.95, 0.95, 0.95}
}

// hsv converts a hue in [0, 1), saturation and value to RGB.
func hsv(hue, sat, val float64) [3]float32 {
	h := hue * 6
	i := math.Floor(h)
	f := h - i
	p, q, t := val*(1-sat), val*(1-sat*f), val*(1-sat*(1-f))
	var r, g, b float64
	switch int(i) % 6 {
	case 0:
		r, g, b = val, t, p
	case 1:
		r, g, b = q, val, p
	case 2:
		r, g, b = p, val, t
	case 3:
		r, g, b = p, q, val
	case 4:
		r, g, b = t, p, val
	default:
		r, g, b = val, p, q
	}
	return [3]float32{float32(r), float32(g), float32(b)}
}

// place draws where the main sprite spr goes on a w×h picture.
func place(spr sprite, w, h int, layout Layout, rng *rand.Rand) placement {
	sw, sh := float64(spr.w), float64(spr.h)
	switch layout {
	case Corner:
		margin := max(1, float64(min(w, h))*(0.01+0.04*rng.Float64()))
		cx, cy := margin+sw/2, margin+sh/2
		corner := rng.IntN(4)
		if corner&1 != 0 {
			cx = float64(w) - cx
		}
		if corner&2 != 0 {
			cy = float64(h) - cy
		}
		return placement{cx: cx, cy: cy}
	case Tiled:
		angle := (rng.Float64()*2 - 1) * math.Pi / 4
		return placement{
			angle: angle,
			cx:    rng.Float64() * float64(w), cy: rng.Float64() * float64(h),
			tiled: true,
			cellW: sw * (1.05 + 0.35*rng.Float64()), cellH: sh * (1.2 + 0.8*rng.Float64()),
			stagger: 0.5 * float64(rng.IntN(2)),
		}
	}
	angle := 0.0
	if rng.Float64() >= 0.3 {
		angle = (rng.Float64()*2 - 1) * math.Pi / 4
	}
	sin, cos := math.Abs(math.Sin(angle)), math.Abs(math.Cos(angle))
	ex, ey := (cos*sw+sin*sh)/2, (sin*sw+cos*sh)/2
	return placement{angle: angle, cx: centre(rng, ex, float64(w)), cy: centre(rng, ey, float64(h))}
}

// centre draws the coordinate of the centre of a mark extending e either
// side of it along a side of length n: the mark fits inside when it can,
// otherwise it overhangs both ends, its centre always on the picture.
func centre(rng *rand.Rand, e, n float64) float64 {
	lo, hi := e, n-e
	if lo > hi {
		lo, hi = max(n-e, 0), min(e, n)
	}
	return lo + (hi-lo)*rng.Float64()
}

// logUniform draws a value whose logarithm is uniform in [log lo, log hi].
func logUniform(rng *rand.Rand, lo, hi float64) float64 {
	return lo * math.Exp(rng.Float64()*math.Log(hi/lo))
}
