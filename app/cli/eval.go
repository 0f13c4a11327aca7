package cli

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"diabolo/app/corruption"
	"diabolo/app/dataset"
	"diabolo/app/metrics"
	"diabolo/app/noise"
	"diabolo/app/picture"
	"diabolo/app/restore"
	"diabolo/app/watermark"
	"diabolo/convae"
)

func runEval(e *env, args []string) int {
	fs := newFlags(e, "eval", "--data DIR --noise SPEC [--model FILE]\n\n"+
		"Corrupts each clean photo of DIR with SPEC, rounds it to 8 bits as a saved file would be,\n"+
		"restores it and prints PSNR and SSIM against the clean photo, then the means.")
	modelPath := fs.String("model", "", "model file (default: the bundled model of --task)")
	task := fs.String("task", "denoise", "denoise or watermark")
	data := fs.String("data", "", "folder of clean photos (required)")
	noiseSpec := fs.String("noise", "", "corruption to apply (default gaussian:25 for denoise, watermark:heldout for watermark)")
	strength := fs.Float64("strength", 0, "noise level σ given to the model, 0–255 (default: estimated from each image)")
	passes := fs.Int("passes", 1, passesUsage+" (denoising models)")
	seed := fs.Uint64("seed", 1, "random seed of the corruption")
	exact := fs.Bool("no-quantize", false, "keep the corrupted image in floating point instead of rounding it to 8 bits")
	brush := fs.Bool("brush", false, "watermark: give the model the marks' footprint as its brush mask, as a user painting over every mark would")
	margin := fs.Int("brush-margin", brushMargin, "watermark, with --brush: pixels of room the brush leaves around each mark")
	collection := fs.Bool("collection", false, "watermark: lay one mark at the same place on every photo (which must share one size), estimate it from them all and remove it (collection mode) before the model polishes")
	if rest, code, ok := parse(e, fs, args); !ok {
		return code
	} else if len(rest) > 0 {
		return e.usageError("eval", "unexpected argument %q", rest[0])
	}
	if *data == "" {
		return e.usageError("eval", "--data DIR is required")
	}
	if msg := checkTask(*task); msg != "" {
		return e.usageError("eval", "%s", msg)
	}
	if given(fs, "brush-margin") && !*brush {
		return e.usageError("eval", "--brush-margin is for --brush")
	}
	if *margin < 0 {
		return e.usageError("eval", "--brush-margin %d is negative", *margin)
	}
	if err := convae.CheckSelfEnsemble(*passes); err != nil {
		return e.usageError("eval", "--passes %v", err)
	}
	if *passes != 1 && *task == "watermark" {
		return e.usageError("eval", "--passes is for denoising: a watermark model runs once")
	}
	if *noiseSpec == "" {
		*noiseSpec = "gaussian:25"
		if *task == "watermark" {
			*noiseSpec = "watermark:heldout"
		}
	}
	nm, err := corruption.Parse(*noiseSpec)
	if err != nil {
		return e.usageError("eval", "%v", err)
	}
	var sharedMark *watermark.Model
	if *collection {
		var ok bool
		if sharedMark, ok = nm.(*watermark.Model); !ok {
			return e.usageError("eval", "--collection needs a watermark corruption alone, such as watermark:heldout, not %q", nm)
		}
	}
	r, err := restorerFor(e, *modelPath, *task, *collection || *brush)
	if err != nil {
		return e.fail("%v", err)
	}
	if r.NeedsMask() && !*collection && !*brush {
		return e.fail("the %s removes the marks painted over, and only those: evaluate it with --brush (every mark painted) or --collection", modelName(*modelPath, *task))
	}
	paths, err := dataset.Scan(*data)
	if err != nil {
		return e.fail("%v", err)
	}
	if len(paths) == 0 {
		return e.fail("%s: no images", *data)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ev := evaluation{marks: *task == "watermark" || sharedMark != nil || *brush}
	ev.header(e.stdout)
	status := exitOK
	var cases []evalCase
	for i, p := range paths {
		clean, err := picture.Load(p, picture.DecodeOptions{})
		if err != nil {
			status = e.fail("%v", err)
			continue
		}
		c := evalCase{path: p, clean: clean, noisy: clean.Clone(), opacity: make([]float32, clean.Width*clean.Height)}
		rng := rand.New(rand.NewPCG(*seed, uint64(i)))
		if sharedMark != nil {
			// One mark, drawn once, at the same place on every photo.
			rng = rand.New(rand.NewPCG(*seed, 0))
		}
		noise.ApplyMarked(nm, c.noisy, rng, c.opacity, nil)
		if !*exact {
			c.noisy.Quantize()
		}
		cases = append(cases, c)
	}
	opts := restore.Options{Sigma: *strength, Passes: *passes}
	if sharedMark != nil && len(cases) > 0 {
		images := make([]*picture.Image, len(cases))
		for i, c := range cases {
			images[i] = c.noisy
		}
		shared, err := watermark.EstimateShared(images, watermark.CollectionOptions{})
		if err != nil {
			return e.fail("collection of %d photos: %v", len(images), err)
		}
		opts.Shared = shared
	}
	start := time.Now()
	for _, c := range cases {
		t0 := time.Now()
		opts.Mask = nil
		if *brush {
			opts.Mask = make([]float32, len(c.opacity))
			watermark.Footprint(opts.Mask, c.opacity, c.clean.Width, c.clean.Height, *margin, 0)
		}
		out, err := r.Restore(ctx, c.noisy, opts, nil)
		if err != nil {
			return e.fail("%s: %v", c.path, err)
		}
		ev.add(e.stdout, c, out, time.Since(t0).Seconds())
	}
	if len(cases) > 0 {
		ev.mean(e.stdout, fmt.Sprintf("mean of %d (%s)", len(cases), nm), time.Since(start).Seconds()/float64(len(cases)))
	}
	return status
}

// brushMargin is how far past a mark eval --brush paints by default, in
// pixels: a user's brush covers a mark with some room to spare.
const brushMargin = 3

// evalCase is one photo of an evaluation: clean, corrupted, and the
// opacity of the marks laid over it (all 0 for noise).
type evalCase struct {
	path         string
	clean, noisy *picture.Image
	opacity      []float32
}

// evaluation prints the table of eval and sums its columns. With marks, it
// also measures inside the marks (where their opacity is above 0) and
// outside them. Outside the marks a good model changes nothing, so a
// photo's PSNR there may be infinite: the mean row gives the PSNR of the
// mean squared error over all photos' unmarked pixels instead.
type evaluation struct {
	marks bool
	n     int
	sums  [5]float64 // noisy, output, SSIM, noisy inside, output inside
	inN   int        // photos with a mark, over which the inside columns average
	// outMSE and outN accumulate the squared error outside the marks.
	outMSE float64
	outN   int
}

func (ev *evaluation) header(w io.Writer) {
	fmt.Fprintf(w, "%-28s %10s %10s %8s", "image", "noisy dB", "output dB", "SSIM")
	if ev.marks {
		fmt.Fprintf(w, " %10s %10s %11s", "mark in dB", "mark out", "outside dB")
	}
	fmt.Fprintf(w, " %8s\n", "seconds")
}

func (ev *evaluation) add(w io.Writer, c evalCase, out *picture.Image, secs float64) {
	row := [5]float64{metrics.PSNR(c.noisy, c.clean), metrics.PSNR(out, c.clean), metrics.SSIM(out, c.clean)}
	fmt.Fprintf(w, "%-28s %10.2f %10.2f %8.4f", filepath.Base(c.path), row[0], row[1], row[2])
	if ev.marks {
		inside := func(i int) bool { return c.opacity[i] > 0 }
		outside := func(i int) bool { return c.opacity[i] == 0 }
		row[3], row[4] = metrics.PSNRWhere(c.noisy, c.clean, inside), metrics.PSNRWhere(out, c.clean, inside)
		psnrOut := metrics.PSNRWhere(out, c.clean, outside)
		fmt.Fprintf(w, " %10.2f %10.2f %11.2f", row[3], row[4], psnrOut)
		if k := countWhere(len(c.opacity), outside); k > 0 {
			ev.outMSE += math.Pow(10, -psnrOut/10) * float64(k)
			ev.outN += k
		}
		if !math.IsNaN(row[3]) {
			ev.inN++
		}
	}
	fmt.Fprintf(w, " %8.2f\n", secs)
	for k, v := range row {
		if !math.IsNaN(v) {
			ev.sums[k] += v
		}
	}
	ev.n++
}

func (ev *evaluation) mean(w io.Writer, label string, secs float64) {
	n, in := float64(ev.n), float64(max(ev.inN, 1))
	fmt.Fprintf(w, "%-28s %10.2f %10.2f %8.4f", label, ev.sums[0]/n, ev.sums[1]/n, ev.sums[2]/n)
	if ev.marks {
		fmt.Fprintf(w, " %10.2f %10.2f %11.2f", ev.sums[3]/in, ev.sums[4]/in, -10*math.Log10(ev.outMSE/float64(max(ev.outN, 1))))
	}
	fmt.Fprintf(w, " %8.2f\n", secs)
}

// countWhere returns how many of 0..n-1 keep holds for.
func countWhere(n int, keep func(int) bool) int {
	k := 0
	for i := range n {
		if keep(i) {
			k++
		}
	}
	return k
}
