// Package restore applies a trained model to photos: one image in memory,
// or a batch of files written to a folder, with progress and cancellation.
package restore

import (
	"context"
	"fmt"
	"sync"

	"diabolo/app/noise"
	"diabolo/app/picture"
	"diabolo/convae"
)

// Options tune a restoration.
type Options struct {
	// Sigma is the noise level to remove, as a standard deviation on the
	// 0–255 scale, for models that take a noise-level map. 0 means: estimate
	// it from the image.
	Sigma float64
	// Strength mixes the result with the input: 1 (the default when 0) is
	// the network's output, 0.5 half-way, values above 1 go further.
	Strength float64
	// Tile configures tiled inference; zero values select defaults.
	Tile convae.TileOptions
}

// Restorer applies one model. It is safe for concurrent use; calls are
// serialised, each using every CPU.
type Restorer struct {
	mu    sync.Mutex
	model *convae.Model
}

// New returns a Restorer for model m, which must map 3 colour channels
// (plus, optionally, a noise-level map) to 3 colour channels.
func New(m *convae.Model) (*Restorer, error) {
	s := m.Net.Spec()
	if s.Out != picture.Channels || (s.In != picture.Channels && s.In != picture.Channels+1) {
		return nil, fmt.Errorf("model %q maps %d channels to %d; a photo model maps 3 (or 3 and a noise level) to 3", s.Name, s.In, s.Out)
	}
	return &Restorer{model: m}, nil
}

// Model returns the model the Restorer applies.
func (r *Restorer) Model() *convae.Model { return r.model }

// TakesNoiseLevel reports whether the model reads a noise-level map, so
// that Options.Sigma matters.
func (r *Restorer) TakesNoiseLevel() bool { return r.model.Net.Spec().In == picture.Channels+1 }

// Restore returns the restored version of img (which is not changed),
// calling progress, when not nil, with the fraction done. Alpha is copied
// through unchanged.
func (r *Restorer) Restore(ctx context.Context, img *picture.Image, opts Options, progress func(done float64)) (*picture.Image, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	w, h := img.Width, img.Height
	src := img.Pix
	if r.TakesNoiseLevel() {
		sigma := opts.Sigma / 255
		if sigma <= 0 {
			sigma = noise.EstimateGaussianSigma(img)
		}
		src = make([]float32, (picture.Channels+1)*w*h)
		copy(src, img.Pix)
		level := src[picture.Channels*w*h:]
		for i := range level {
			level[i] = float32(sigma)
		}
	}
	var report func(done, total int)
	if progress != nil {
		report = func(done, total int) { progress(float64(done) / float64(total)) }
	}
	out, err := r.model.Net.Infer(ctx, src, h, w, opts.Tile, report)
	if err != nil {
		return nil, err
	}
	if s := opts.Strength; s != 0 && s != 1 {
		for i, v := range out {
			out[i] = img.Pix[i] + float32(s)*(v-img.Pix[i])
		}
	}
	res := &picture.Image{Width: w, Height: h, Pix: out, Gray: img.Gray}
	if img.Alpha != nil {
		res.Alpha = append([]float32(nil), img.Alpha...)
	}
	res.Clamp()
	return res, nil
}
