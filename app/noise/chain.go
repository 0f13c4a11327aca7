package noise

import (
	"math"
	"math/rand/v2"
	"strings"

	"diabolo/app/picture"
)

// None leaves the colour values as they are, clamped to [0, 1]. Its Level is
// 0.
type None struct{}

// Apply implements Model.
func (None) Apply(img *picture.Image, _ *rand.Rand) Level {
	img.Clamp()
	return 0
}

// String implements Model.
func (None) String() string { return kindNone }

// Quantize rounds the colour values to the 256 levels of an 8-bit file, after
// clamping to [0, 1]. Put last in a Chain ("gaussian:25+quantize") it gives
// the usual evaluation protocol: add noise, clip, round to 8 bits. Its Level
// is 0: the rounding error (at most 0.5/255) is not counted.
type Quantize struct{}

// Apply implements Model.
func (Quantize) Apply(img *picture.Image, _ *rand.Rand) Level {
	img.Quantize()
	return 0
}

// String implements Model.
func (Quantize) String() string { return kindQuantize }

// Chain applies its models one after the other, each clamping its output,
// as noise picked up along a real pipeline (sensor, then JPEG file). Its
// Level is the root sum of squares of the levels of its parts, as for
// independent noises whose variances add. An empty Chain acts as None.
type Chain []Model

// Apply implements Model.
func (ch Chain) Apply(img *picture.Image, rng *rand.Rand) Level {
	if len(ch) == 0 {
		return None{}.Apply(img, rng)
	}
	var variance float64
	for _, m := range ch {
		l := float64(m.Apply(img, rng))
		variance += l * l
	}
	return Level(math.Sqrt(variance))
}

// String implements Model: the specs of the parts joined by '+', or "none"
// for an empty Chain.
func (ch Chain) String() string {
	if len(ch) == 0 {
		return kindNone
	}
	parts := make([]string, len(ch))
	for i, m := range ch {
		parts[i] = m.String()
	}
	return strings.Join(parts, stepSeparator)
}

// A Marker is a Model that lays visible marks over the picture (a
// watermark) and can say where.
type Marker interface {
	Model
	// ApplyMarked is Apply that also raises mask[i] to the opacity of the
	// mark at pixel i where that is higher, and then writes the mark's
	// colour into colour (three planes, like img.Pix) unless colour is nil.
	// mask holds img.Width*img.Height values.
	ApplyMarked(img *picture.Image, rng *rand.Rand, mask, colour []float32) Level
}

// ApplyMarked applies m to img as m.Apply does, drawing the same random
// numbers, and records in mask (img.Width*img.Height values, which it does
// not clear) the opacity of any visible mark that m, or a step of a Chain,
// lays over the picture, and in colour (three planes; nil to skip) its
// colour where it is the most opaque mark so far.
func ApplyMarked(m Model, img *picture.Image, rng *rand.Rand, mask, colour []float32) Level {
	switch m := m.(type) {
	case Marker:
		return m.ApplyMarked(img, rng, mask, colour)
	case Choice:
		return ApplyMarked(m.pick(rng), img, rng, mask, colour)
	case Chain:
		if len(m) == 0 {
			return m.Apply(img, rng)
		}
		var variance float64
		for _, step := range m {
			l := float64(ApplyMarked(step, img, rng, mask, colour))
			variance += l * l
		}
		return Level(math.Sqrt(variance))
	default:
		return m.Apply(img, rng)
	}
}

// Choice applies one of its models, drawn uniformly at each Apply: a
// training mix such as clean-sensor noise half the time and compressed noise
// the other half. Its Level is the level of the model drawn. An empty Choice
// acts as None.
type Choice []Model

// pick draws the model to apply.
func (ch Choice) pick(rng *rand.Rand) Model {
	switch len(ch) {
	case 0:
		return None{}
	case 1:
		return ch[0]
	}
	return ch[rng.IntN(len(ch))]
}

// Apply implements Model.
func (ch Choice) Apply(img *picture.Image, rng *rand.Rand) Level {
	return ch.pick(rng).Apply(img, rng)
}

// String implements Model: the specs of the alternatives joined by " | ".
func (ch Choice) String() string {
	if len(ch) == 0 {
		return kindNone
	}
	parts := make([]string, len(ch))
	for i, m := range ch {
		parts[i] = m.String()
	}
	return strings.Join(parts, " "+choiceSeparator+" ")
}
