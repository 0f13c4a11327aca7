package cli

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"diabolo/app/corruption"
	"diabolo/app/dataset"
	"diabolo/app/metrics"
	"diabolo/app/picture"
	"diabolo/app/restore"
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
	seed := fs.Uint64("seed", 1, "random seed of the corruption")
	exact := fs.Bool("no-quantize", false, "keep the corrupted image in floating point instead of rounding it to 8 bits")
	if rest, code, ok := parse(e, fs, args); !ok {
		return code
	} else if len(rest) > 0 {
		return e.usageError("eval", "unexpected argument %q", rest[0])
	}
	if *data == "" {
		return e.usageError("eval", "--data DIR is required")
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
	model, err := loadModel(*modelPath, *task)
	if err != nil {
		return e.fail("%v", err)
	}
	r, err := restore.New(model)
	if err != nil {
		return e.fail("%v", err)
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
	fmt.Fprintf(e.stdout, "%-28s %10s %10s %8s %8s\n", "image", "noisy dB", "output dB", "SSIM", "seconds")
	var sumNoisy, sumOut, sumSSIM float64
	n, status := 0, exitOK
	start := time.Now()
	for i, p := range paths {
		clean, err := picture.Load(p, picture.DecodeOptions{})
		if err != nil {
			status = e.fail("%v", err)
			continue
		}
		noisy := clean.Clone()
		nm.Apply(noisy, rand.New(rand.NewPCG(*seed, uint64(i))))
		if !*exact {
			noisy.Quantize()
		}
		t0 := time.Now()
		out, err := r.Restore(ctx, noisy, restore.Options{Sigma: *strength}, nil)
		if err != nil {
			return e.fail("%s: %v", p, err)
		}
		secs := time.Since(t0).Seconds()
		pn, po, ss := metrics.PSNR(noisy, clean), metrics.PSNR(out, clean), metrics.SSIM(out, clean)
		fmt.Fprintf(e.stdout, "%-28s %10.2f %10.2f %8.4f %8.2f\n", filepath.Base(p), pn, po, ss, secs)
		sumNoisy, sumOut, sumSSIM = sumNoisy+pn, sumOut+po, sumSSIM+ss
		n++
	}
	if n > 0 {
		fn := float64(n)
		fmt.Fprintf(e.stdout, "%-28s %10.2f %10.2f %8.4f %8.2f\n", fmt.Sprintf("mean of %d (%s)", n, nm), sumNoisy/fn, sumOut/fn, sumSSIM/fn, time.Since(start).Seconds()/fn)
	}
	return status
}
