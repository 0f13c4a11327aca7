// Package restore applies a trained model to photos: one image in memory,
// or a batch of files written to a folder, with progress and cancellation.
package restore

import (
	"context"
	"errors"
	"fmt"
	"image"
	"slices"
	"sync"

	"diabolo/app/inpaint"
	"diabolo/app/noise"
	"diabolo/app/picture"
	"diabolo/app/watermark"
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
	// Mask, for watermark removal, marks what the user painted over: Width
	// × Height values, 1 (or more than 0.5) where a mark is to be removed
	// whether or not the network sees it. Nil paints nothing. A model with a
	// mask input reads it; with any watermark model the painted pixels take
	// the network's output, never the input. A model that unblends marks
	// keeps its opacity there but takes the colour of each painted region
	// from a fit to the picture (see unblendPainted). Without a network
	// the painted pixels are filled from their surroundings (see
	// WithoutNetwork).
	Mask []float32
	// Shared, when not nil, is a watermark estimated from a collection of
	// photos of the picture's size (collection mode): it is taken off the
	// picture first, then the model polishes what is left, its footprint
	// painted into the mask.
	Shared *watermark.SharedMark
	// Untouched, for watermark models, is the change (on the 0–255 scale)
	// below which a pixel, and its surroundings, count as unmarked and are
	// returned exactly as they were: the network fixes the marks and leaves
	// the rest of the photo alone. 0 selects DefaultUntouched; a negative
	// value keeps the network's output everywhere.
	Untouched float64
	// Passes, for denoising models, is how many flips and transposes of
	// the picture the network runs on, its outputs turned back and
	// averaged (a self-ensemble; see convae.Net.InferSelfEnsemble): 1 (the
	// default when 0), 2, 4 or 8, for that many times the work and a finer
	// result. Watermark models run once: a mirrored mark is not what they
	// learned to find.
	Passes int
	// Tile configures tiled inference; zero values select defaults.
	Tile convae.TileOptions
}

// Painted reports whether o.Mask paints any pixel.
func (o Options) Painted() bool {
	return slices.ContainsFunc(o.Mask, func(m float32) bool { return m > 0.5 })
}

// DefaultUntouched is the Untouched threshold used when Options leaves it 0.
const DefaultUntouched = 2.0

// keepRadius is how far, in pixels, a changed pixel keeps its neighbours
// changed too, so that the faint rim of a mark goes with it.
const keepRadius = 2

// taskWatermark is the task that a watermark model's metadata names.
const taskWatermark = "watermark"

// Restorer applies one model. It is safe for concurrent use; calls are
// serialised, each using every CPU.
type Restorer struct {
	mu    sync.Mutex
	model *convae.Model
	// marks, for a watermark model that unblends marks, computes their
	// opacity and colour (see unblendPainted); nil otherwise.
	marks *convae.Net
}

// New returns a Restorer for model m, which must map 3 colour channels
// (plus, optionally, a noise-level map for denoising or a brush mask for
// watermark removal) to 3 colour channels.
func New(m *convae.Model) (*Restorer, error) {
	s := m.Net.Spec()
	if s.Out != picture.Channels || (s.In != picture.Channels && s.In != picture.Channels+1) {
		return nil, fmt.Errorf("model %q maps %d channels to %d; a photo model maps 3 (or 3 and a noise level or mask) to 3", s.Name, s.In, s.Out)
	}
	r := &Restorer{model: m}
	if r.removesMarks() {
		r.marks, _ = m.Net.MarkNet()
	}
	return r, nil
}

// ErrNeedsMask is returned by a Restorer whose model removes painted marks
// only (convae.Metadata.Brush) when nothing is painted and no shared
// watermark is given.
var ErrNeedsMask = errors.New("this watermark model removes the marks painted over: paint over them with the brush (a mask), or use collection mode")

// ErrNoNetwork is returned by a Restorer made by WithoutNetwork when it is
// given neither a shared watermark nor a painted mask.
var ErrNoNetwork = errors.New("no network: without one, only a shared watermark (collection mode) is taken off and painted marks filled in")

// WithoutNetwork returns a Restorer without a network, for watermark
// removal when no model is at hand: Restore takes Options.Shared off the
// picture (collection mode), fills the pixels painted in Options.Mask from
// their surroundings (see inpaint.Fill) and returns the rest as it is;
// given neither, it returns ErrNoNetwork.
func WithoutNetwork() *Restorer { return &Restorer{} }

// Model returns the model the Restorer applies, nil for WithoutNetwork.
func (r *Restorer) Model() *convae.Model { return r.model }

// TakesNoiseLevel reports whether the model reads a noise-level map, so
// that Options.Sigma matters.
func (r *Restorer) TakesNoiseLevel() bool {
	return r.model != nil && r.model.Net.Spec().In == picture.Channels+1 && !r.removesMarks()
}

// NeedsMask reports whether the model removes painted marks only, so that
// Restore needs Options.Mask (or Options.Shared).
func (r *Restorer) NeedsMask() bool { return r.model != nil && r.model.Meta.Brush }

// TakesMask reports whether the model reads a brush mask (Options.Mask).
func (r *Restorer) TakesMask() bool {
	return r.model != nil && r.model.Net.Spec().In == picture.Channels+1 && r.removesMarks()
}

// removesMarks reports whether the model was trained to remove watermarks.
func (r *Restorer) removesMarks() bool { return r.model.Meta.Task == taskWatermark }

// Restore returns the restored version of img (which is not changed),
// calling progress, when not nil, with the fraction done. Alpha is copied
// through unchanged. A model for painted marks (NeedsMask) given neither a
// painted mask nor a shared watermark returns ErrNeedsMask.
func (r *Restorer) Restore(ctx context.Context, img *picture.Image, opts Options, progress func(done float64)) (*picture.Image, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	w, h := img.Width, img.Height
	if opts.Mask != nil && len(opts.Mask) != w*h {
		return nil, fmt.Errorf("the mask has %d pixels, the %d×%d picture %d", len(opts.Mask), w, h, w*h)
	}
	if opts.Passes != 0 {
		if err := convae.CheckSelfEnsemble(opts.Passes); err != nil {
			return nil, fmt.Errorf("passes: %w", err)
		}
	}
	if r.model != nil && r.NeedsMask() && opts.Shared == nil {
		// A model for painted marks changes nothing beyond the paint: it
		// needs only the paint's surroundings.
		if around := paintSurroundings(opts.Mask, w, h); !around.Empty() && around != img.Bounds() {
			part := opts
			part.Mask = cropPlane(opts.Mask, w, around)
			out, err := r.restore(ctx, img.Crop(around), part, progress)
			if err != nil {
				return nil, err
			}
			res := img.Clone()
			res.Paste(out, around.Min)
			return res, nil
		}
	}
	return r.restore(ctx, img, opts, progress)
}

// paintContext is how far around the paint, in pixels, a model for
// painted marks sees the picture when restoring only the paint's
// surroundings: more than the context of each tile of tiled inference
// (convae.TileOptions). With the corners of the surroundings on its
// multiples, the painted pixels come out as they would from the whole
// picture (on the validation photos, the same PSNR to 0.04 dB; a box not
// so aligned changed the smooth fill's pyramid, and one photo by 1.3 dB).
const paintContext = 64

// paintSurroundings returns the rectangle around the pixels that mask
// paints (values above 0.5) on a w×h grid, paintContext pixels wider on
// every side within the grid; empty when nothing is painted.
func paintSurroundings(mask []float32, w, h int) image.Rectangle {
	var r image.Rectangle
	for i, m := range mask {
		if m > 0.5 {
			r = r.Union(image.Rect(i%w, i/w, i%w+1, i/w+1))
		}
	}
	if r.Empty() {
		return r
	}
	r = r.Inset(-paintContext)
	// Corners on multiples of paintContext keep the fill's pyramid (see
	// inpaint.Fill) aligned with the whole picture's.
	down := func(v int) int { return v - ((v%paintContext)+paintContext)%paintContext }
	r.Min = image.Pt(down(r.Min.X), down(r.Min.Y))
	r.Max = image.Pt(down(r.Max.X+paintContext-1), down(r.Max.Y+paintContext-1))
	return r.Intersect(image.Rect(0, 0, w, h))
}

// cropPlane returns the values of plane (a grid w wide) inside r.
func cropPlane(plane []float32, w int, r image.Rectangle) []float32 {
	out := make([]float32, 0, r.Dx()*r.Dy())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		out = append(out, plane[y*w+r.Min.X:y*w+r.Max.X]...)
	}
	return out
}

// restore is Restore without the lock, on the whole of img.
func (r *Restorer) restore(ctx context.Context, img *picture.Image, opts Options, progress func(done float64)) (*picture.Image, error) {
	w, h := img.Width, img.Height
	if r.model == nil {
		return restoreWithoutNetwork(ctx, img, opts)
	}
	if r.NeedsMask() && opts.Shared == nil && !opts.Painted() {
		return nil, ErrNeedsMask
	}
	if r.NeedsMask() && opts.Shared != nil {
		// A model for painted marks would take the shared mark's
		// footprint for paint over a mark that is no longer there: after
		// the shared mark, it takes off only what the user painted.
		var err error
		if img, _, err = removeShared(img, opts.Shared, nil); err != nil {
			return nil, err
		}
		if !opts.Painted() {
			return img, nil
		}
		opts.Shared = nil
	}
	if opts.Shared != nil {
		var err error
		if img, opts.Mask, err = removeShared(img, opts.Shared, opts.Mask); err != nil {
			return nil, err
		}
	}
	planes := make([]convae.Plane, r.model.Net.Spec().In)
	for c := range picture.Channels {
		planes[c].Values = img.Pix[c*w*h : (c+1)*w*h]
	}
	if len(planes) == picture.Channels+1 {
		extra := &planes[picture.Channels]
		switch {
		case r.TakesMask():
			if opts.Mask != nil {
				extra.Values = make([]float32, w*h)
				for i, m := range opts.Mask {
					if m > 0.5 {
						extra.Values[i] = 1
					}
				}
			}
		default:
			sigma := opts.Sigma / 255
			if sigma <= 0 {
				sigma = noise.EstimateStrength(img)
			}
			extra.Fill = float32(sigma)
		}
	}
	var report func(done, total int)
	if progress != nil {
		report = func(done, total int) { progress(float64(done) / float64(total)) }
	}
	var out []float32
	var err error
	// In collection mode the shared mark is already off: the network only
	// polishes what is left, and no fill is mixed into its footprint.
	if r.marks != nil && opts.Shared == nil && opts.Painted() {
		out, err = r.unblendPainted(ctx, img, planes, opts, report)
	} else if r.removesMarks() {
		out, err = r.model.Net.InferPlanes(ctx, planes, h, w, opts.Tile, report)
	} else {
		out, err = r.model.Net.InferSelfEnsemble(ctx, planes, h, w, opts.Tile, max(1, opts.Passes), report)
	}
	if err != nil {
		return nil, err
	}
	if r.removesMarks() {
		keepUntouched(out, img.Pix, w, h, opts)
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

// restoreWithoutNetwork takes opts.Shared off img and fills the pixels
// that opts.Mask paints (see WithoutNetwork).
func restoreWithoutNetwork(ctx context.Context, img *picture.Image, opts Options) (*picture.Image, error) {
	painted := opts.Painted()
	if opts.Shared == nil && !painted {
		return nil, ErrNoNetwork
	}
	if opts.Shared != nil {
		var err error
		// The mark's footprint is not filled: taking the mark off has
		// already restored what lay under it.
		if img, _, err = removeShared(img, opts.Shared, nil); err != nil {
			return nil, err
		}
	}
	if painted {
		return inpaint.Fill(ctx, img, opts.Mask)
	}
	return img, nil
}

// keepUntouched puts back the input pixels of in (w×h colour planes) into
// out wherever the network changed neither them nor any pixel within
// keepRadius by more than opts.Untouched, unless opts.Mask paints them.
func keepUntouched(out, in []float32, w, h int, opts Options) {
	t := opts.Untouched
	if t == 0 {
		t = DefaultUntouched
	}
	if t < 0 {
		return
	}
	n := w * h
	change := make([]float32, n)
	for c := 0; c < picture.Channels; c++ {
		for i := 0; i < n; i++ {
			change[i] = max(change[i], abs(out[c*n+i]-in[c*n+i]))
		}
	}
	keep := make([]float32, n)
	watermark.Footprint(keep, change, w, h, keepRadius, float32(t/255))
	for i := 0; i < n; i++ {
		if keep[i] != 0 || (opts.Mask != nil && opts.Mask[i] > 0.5) {
			continue
		}
		for c := 0; c < picture.Channels; c++ {
			out[c*n+i] = in[c*n+i]
		}
	}
}

func abs(v float32) float32 {
	if v < 0 {
		return -v
	}
	return v
}

// sharedMargin widens the footprint of a shared mark into the brush mask
// handed to the model, to take in the soft rim of the mark.
const sharedMargin = 2

// removeShared returns a copy of img with mark taken off, and mask with the
// mark's footprint painted in (a new slice; mask may be nil).
func removeShared(img *picture.Image, mark *watermark.SharedMark, mask []float32) (*picture.Image, []float32, error) {
	if mark.Width != img.Width || mark.Height != img.Height {
		return nil, nil, fmt.Errorf("the shared watermark was estimated on %d×%d photos, this one is %d×%d", mark.Width, mark.Height, img.Width, img.Height)
	}
	clean := img.Clone()
	if err := mark.Remove(clean); err != nil {
		return nil, nil, err
	}
	painted := make([]float32, img.Width*img.Height)
	watermark.Footprint(painted, mark.Alpha, img.Width, img.Height, sharedMargin, 0)
	for i := range mask {
		painted[i] = max(painted[i], mask[i])
	}
	return clean, painted, nil
}

// MaskFromImage turns a painted mask image into a mask for Options.Mask.
// An image with transparency is painted where it is more opaque than not
// (strokes on a transparent layer); an opaque one where it is light (white
// on black).
func MaskFromImage(m *picture.Image) []float32 {
	mask := make([]float32, m.Width*m.Height)
	transparent := false
	for _, a := range m.Alpha {
		transparent = transparent || a < 1
	}
	r, g, b := m.Plane(0), m.Plane(1), m.Plane(2)
	for i := range mask {
		v := 0.299*r[i] + 0.587*g[i] + 0.114*b[i]
		if transparent {
			v = m.Alpha[i]
		}
		if v > 0.5 {
			mask[i] = 1
		}
	}
	return mask
}
