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
// Brush training (Config.Brush) paints every patch.
const HintProbability = 0.5

// DefaultPaintMargin is the widest margin, in pixels, of the paint that
// the mask channel shows around the marks in training (Config.PaintMargin):
// as loose as strokes of the window's default brush (12 pixels in radius)
// over thin marks. A brush model trained with paint up to 6 pixels past
// the marks did no better than the marked input when painted 16 pixels
// past them (README, "Loose paint").
const DefaultPaintMargin = 16

// painting says which patches of a watermark model show their marks in
// the mask channel, as a user's brush strokes would: a share of them (0 to
// 1), each painted past its marks by 1 to margin pixels, drawn per patch.
type painting struct {
	share  float64
	margin int
}

// paintingFor returns the painting of a watermark model's patches: for
// training or for validation. Only a brush model is validated on painted
// marks.
func paintingFor(cfg Config, training bool) painting {
	p := painting{margin: cfg.PaintMargin}
	switch {
	case cfg.Brush:
		p.share = 1
	case training:
		p.share = HintProbability
	}
	return p
}

// MarkWeight weighs the auxiliary losses on the marks' opacity and colour
// against the main loss when a watermark network unblends marks (see
// convae.Net.SetMarkTarget).
const MarkWeight = 1

// FillWeight weighs the loss of a mark network's fill, its estimate of the
// picture under the marks (see convae.MarkTarget), for networks that have
// one, such as unet-wmf.
const FillWeight = 1

// markTargets holds the true marks of a batch of N patches: opacity (N
// planes) and colour (N×3 planes).
type markTargets struct {
	alpha, colour []float32
}

func newMarkTargets(n, plane int) *markTargets {
	return &markTargets{alpha: make([]float32, n*plane), colour: make([]float32, n*picture.Channels*plane)}
}

// corrupt makes the network inputs x from the clean patches: each is
// corrupted by model. A fourth input channel, when the network reads one,
// holds the noise level drawn (task "denoise") or, for task "watermark",
// the brush mask: on the share of the patches that paint says, the marks'
// footprint widened by 1 to paint.margin pixels; empty on the others.
// marks, when not nil, receives the marks of every patch.
func corrupt(x, clean *convae.Tensor, marks *markTargets, model noise.Model, rng *rand.Rand, task string, paint painting) {
	plane := clean.H * clean.W
	var scratch []float32
	for i := 0; i < x.N; i++ {
		item := x.Item(i)
		copy(item, clean.Item(i))
		img := &picture.Image{Width: clean.W, Height: clean.H, Pix: item[:picture.Channels*plane]}
		var opacity, colour []float32
		switch {
		case marks != nil:
			opacity = marks.alpha[i*plane : (i+1)*plane]
			colour = marks.colour[i*picture.Channels*plane : (i+1)*picture.Channels*plane]
			clear(colour)
		case task == "watermark" && x.C > picture.Channels:
			if scratch == nil {
				scratch = make([]float32, plane)
			}
			opacity = scratch
		}
		var level noise.Level
		if opacity != nil {
			clear(opacity)
			level = noise.ApplyMarked(model, img, rng, opacity, colour)
		} else {
			level = model.Apply(img, rng)
		}
		if x.C == picture.Channels {
			continue
		}
		extra := item[picture.Channels*plane:]
		if task != "watermark" {
			for j := range extra {
				extra[j] = float32(level)
			}
			continue
		}
		clear(extra)
		if paint.share >= 1 || (paint.share > 0 && rng.Float64() < paint.share) {
			watermark.Footprint(extra, opacity, clean.W, clean.H, 1+rng.IntN(max(1, paint.margin)), markThreshold)
		}
	}
}

// markThreshold is the opacity above which a pixel counts as marked when
// a mark's footprint is turned into a brush mask.
const markThreshold = 0.02
