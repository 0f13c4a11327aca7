package watermark

import (
	"fmt"
	"image"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gobolditalic"
	"golang.org/x/image/font/gofont/goitalic"
	"golang.org/x/image/font/gofont/gomedium"
	"golang.org/x/image/font/gofont/gomediumitalic"
	"golang.org/x/image/font/gofont/gomono"
	"golang.org/x/image/font/gofont/gomonobold"
	"golang.org/x/image/font/gofont/gomonobolditalic"
	"golang.org/x/image/font/gofont/gomonoitalic"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/gofont/gosmallcaps"
	"golang.org/x/image/font/gofont/gosmallcapsitalic"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// fontSource is one TrueType font of the Go family, before parsing.
type fontSource struct {
	name string
	ttf  []byte
}

// trainingFonts are the upright Go fonts, small caps excepted.
func trainingFonts() []fontSource {
	return []fontSource{
		{"Go Regular", goregular.TTF},
		{"Go Medium", gomedium.TTF},
		{"Go Bold", gobold.TTF},
		{"Go Mono", gomono.TTF},
		{"Go Mono Bold", gomonobold.TTF},
	}
}

// heldOutFonts are the italic and small-caps Go fonts, never used for
// training marks.
func heldOutFonts() []fontSource {
	return []fontSource{
		{"Go Italic", goitalic.TTF},
		{"Go Medium Italic", gomediumitalic.TTF},
		{"Go Bold Italic", gobolditalic.TTF},
		{"Go Mono Italic", gomonoitalic.TTF},
		{"Go Mono Bold Italic", gomonobolditalic.TTF},
		{"Go Smallcaps", gosmallcaps.TTF},
		{"Go Smallcaps Italic", gosmallcapsitalic.TTF},
	}
}

// parsedFont is a font ready to make faces from. An *opentype.Font is safe
// for concurrent use; the faces made from it are not, so each drawing makes
// its own.
type parsedFont struct {
	name string
	font *opentype.Font
}

// parseFonts parses every font of srcs.
func parseFonts(srcs []fontSource) ([]parsedFont, error) {
	fonts := make([]parsedFont, len(srcs))
	for i, src := range srcs {
		f, err := opentype.Parse(src.ttf)
		if err != nil {
			return nil, fmt.Errorf("watermark: parse font %s: %w", src.name, err)
		}
		fonts[i] = parsedFont{name: src.name, font: f}
	}
	return fonts, nil
}

// minFontPixels is the smallest text size drawn, in pixels: below it glyphs
// are shapeless blobs.
const minFontPixels = 6

// face returns a face of f at size pixels per em.
func (f parsedFont) face(size float64) (font.Face, error) {
	face, err := opentype.NewFace(f.font, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return nil, fmt.Errorf("watermark: %s at %.1f px: %w", f.name, size, err)
	}
	return face, nil
}

// textWidth returns the advance width of text at size pixels per em, in
// pixels.
func (f parsedFont) textWidth(text string, size float64) (float64, error) {
	face, err := f.face(size)
	if err != nil {
		return 0, err
	}
	return fixedToFloat(font.MeasureString(face, text)), nil
}

// render rasterises text on one line at size pixels per em into a sprite
// with pad transparent pixels on every side, glyph by glyph as font.Drawer
// does, but combining the glyph masks directly into the float coverage.
func (f parsedFont) render(text string, size float64, pad int) (sprite, error) {
	face, err := f.face(size)
	if err != nil {
		return sprite{}, err
	}
	metrics := face.Metrics()
	width := int(math.Ceil(fixedToFloat(font.MeasureString(face, text))))
	height := (metrics.Ascent + metrics.Descent).Ceil()
	s := newSprite(width+2*pad+1, height+2*pad)
	dot := fixed.Point26_6{X: fixed.I(pad), Y: fixed.I(pad) + metrics.Ascent}
	prev := rune(-1)
	for _, r := range text {
		if prev >= 0 {
			dot.X += face.Kern(prev, r)
		}
		dr, mask, _, advance, ok := face.Glyph(dot, r)
		if alpha, isAlpha := mask.(*image.Alpha); ok && isAlpha {
			s.maxAlpha(alpha, dr.Min)
		}
		dot.X += advance
		prev = r
	}
	return s, nil
}

// fixedToFloat converts a 26.6 fixed-point length to pixels.
func fixedToFloat(v fixed.Int26_6) float64 {
	return float64(v) / 64
}
