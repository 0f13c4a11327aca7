package session

import (
	"math/rand/v2"

	"diabolo/app/noise"
	"diabolo/app/picture"
	"diabolo/app/watermark"
	"diabolo/convae"
)

// HintProbability is the share of training patches of a watermark model
// whose mask channel shows where the marks are, as a user's brush strokes
// would; the other patches leave it empty, as when the user paints nothing.
const HintProbability = 0.5

// corrupt makes the network inputs x from the clean patches: each is
// corrupted by model. A fourth input channel, when the network reads one,
// holds the noise level drawn (task "denoise") or, for task "watermark",
// the brush mask: empty, or — when hints is set, for a random half of the
// patches — the marks' footprint widened by a few pixels.
func corrupt(x, clean *convae.Tensor, model noise.Model, rng *rand.Rand, task string, hints bool) {
	plane := clean.H * clean.W
	var opacity []float32
	for i := 0; i < x.N; i++ {
		item := x.Item(i)
		copy(item, clean.Item(i))
		img := &picture.Image{Width: clean.W, Height: clean.H, Pix: item[:picture.Channels*plane]}
		if x.C == picture.Channels {
			model.Apply(img, rng)
			continue
		}
		extra := item[picture.Channels*plane:]
		if task != "watermark" {
			level := model.Apply(img, rng)
			for j := range extra {
				extra[j] = float32(level)
			}
			continue
		}
		if opacity == nil {
			opacity = make([]float32, plane)
		}
		clear(opacity)
		noise.ApplyMarked(model, img, rng, opacity)
		clear(extra)
		if hints && rng.Float64() < HintProbability {
			watermark.Footprint(extra, opacity, clean.W, clean.H, 1+rng.IntN(6), markThreshold)
		}
	}
}

// markThreshold is the opacity above which a pixel counts as marked when
// a mark's footprint is turned into a brush mask.
const markThreshold = 0.02
