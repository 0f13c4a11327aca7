package ui

import "slices"

// The brush masks of the workbench's photos: which mask the brush paints
// on, which masks a restoration uses, and when a result is out of date
// because its mask changed since.

// attachMask gives the compare view's brush the mask of photo p, whose
// frame for corruption c, an image of w×h pixels, was just shown: p's own
// mask when it was painted on that image, a new empty one otherwise. For
// denoising the brush gets none.
func (b *workbench) attachMask(p *photo, c corruption, w, h int) {
	if c.task != TaskWatermark {
		b.compare.brush.setMask(nil)
		return
	}
	key := maskKeyOf(c)
	if !p.mask.fits(w, h, key) {
		b.maskSerial++
		p.mask = newBrushMask(w, h, key, b.maskSerial)
	}
	b.compare.brush.setMask(p.mask)
	b.updateStale()
}

// dropStaleMasks forgets the masks painted on images that the corruption c
// does not make: after a re-roll, or another kind or strength of synthetic
// watermark, the image under each mask is gone.
func (b *workbench) dropStaleMasks(c corruption) {
	key := maskKeyOf(c)
	for _, p := range b.library.photos {
		if p.mask != nil && p.mask.of != key {
			p.mask = nil
		}
	}
}

// usableMask returns the mask of p that a restoration with corruption c
// uses, or nil: only watermark removal uses masks, and only those painted
// on the image that c makes.
func usableMask(p *photo, c corruption) *brushMask {
	if c.task != TaskWatermark || p.mask == nil || p.mask.of != maskKeyOf(c) {
		return nil
	}
	return p.mask
}

// masksOf returns, for each photo, a copy of the mask a restoration with
// corruption c uses (nil when nothing is painted) and its state. It must
// be called on the UI goroutine.
func masksOf(photos []*photo, c corruption) (masks [][]uint8, states []maskState) {
	masks = make([][]uint8, len(photos))
	states = make([]maskState, len(photos))
	for i, p := range photos {
		if m := usableMask(p, c); m != nil {
			masks[i], states[i] = m.snapshot(), m.state()
		}
	}
	return masks, states
}

// paintFirst asks for brush strokes when the watermark model removes
// painted marks only and nothing is painted.
const paintFirst = "The watermark model removes the marks you paint: turn the brush on, paint over the watermark, then restore (or, for photos that share one watermark, use collection mode)."

// anyPainted reports whether any of masks paints a pixel.
func anyPainted(masks [][]uint8) bool {
	return slices.ContainsFunc(masks, func(m []uint8) bool {
		return slices.ContainsFunc(m, func(v uint8) bool { return v != 0 })
	})
}

// maskChanged follows a stroke, a clear or an undo of the brush: a result
// shown that was made with the mask as it was is now out of date.
func (b *workbench) maskChanged() {
	if b.updateStale() && b.compare.stale == staleScore {
		b.status.SetText("The mask changed: restore the photo again to apply it.")
	}
}

// updateStale tells the compare view whether the result it shows was made
// with another mask than the one painted now, with another strength (when
// denoising with a model that reads a noise level) or number of passes, or
// another Take off
// setting (when removing watermarks), and reports whether it was.
func (b *workbench) updateStale() bool {
	p, c := b.shown, b.corruption.settings()
	reason := ""
	switch {
	case p == nil || p.result == nil || p.resultOf != c:
	case p.resultMask != usableMask(p, c).state():
		reason = staleScore
	case c.task == TaskDenoise && p.resultSigma != b.sigmaSetting() && b.sigmaMatters():
		reason = staleSigmaScore
	case c.task == TaskDenoise && p.resultPasses != b.passesSetting():
		reason = stalePassesScore
	case c.task == TaskWatermark && p.resultTakeOff != b.takeOffSetting():
		reason = staleTakeOffScore
	}
	b.compare.setStale(reason)
	return reason != ""
}
