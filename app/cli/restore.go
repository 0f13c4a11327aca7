package cli

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/signal"

	"diabolo/app/picture"
	"diabolo/app/restore"
	"diabolo/app/watermark"
	"diabolo/assets"
	"diabolo/convae"
)

// passesUsage describes the --passes flag of denoise and eval.
const passesUsage = "run the network on 1, 2, 4 or 8 flips and turns of each photo and average: a finer result for that many times the work"

// maxCollectionPixels bounds the pixels collection mode holds in memory at
// once (every photo, three float32 planes): 100 megapixels, 1.2 GB.
const maxCollectionPixels = 100_000_000

// estimateShared reads every input and estimates the watermark they share.
// The error names the file that cannot be read, is of another size, or
// makes the collection too large to hold.
func estimateShared(ctx context.Context, inputs []string, maxPixels int) (*watermark.SharedMark, error) {
	if len(inputs) < 2 {
		return nil, fmt.Errorf("--collection needs two or more photos (twenty or so varied ones work well)")
	}
	images := make([]*picture.Image, 0, len(inputs))
	total := 0
	for _, in := range inputs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		img, err := picture.Load(in, picture.DecodeOptions{MaxPixels: maxPixels})
		if err != nil {
			return nil, err
		}
		if first := images; len(first) > 0 && (img.Width != first[0].Width || img.Height != first[0].Height) {
			return nil, fmt.Errorf("%s: %d×%d, but %s is %d×%d: collection mode needs photos of one size", in, img.Width, img.Height, inputs[0], first[0].Width, first[0].Height)
		}
		if total += img.Width * img.Height; total > maxCollectionPixels {
			return nil, fmt.Errorf("%s: the collection passes %d megapixels, more than collection mode holds at once; give fewer photos", in, maxCollectionPixels/1_000_000)
		}
		images = append(images, img)
	}
	shared, err := watermark.EstimateShared(images, watermark.CollectionOptions{})
	if err != nil {
		return nil, fmt.Errorf("collection of %d photos: %w", len(inputs), err)
	}
	return shared, nil
}

func runDenoise(e *env, args []string) int {
	return runRestore(e, "denoise", "denoise", "_denoised", args)
}

func runRemoveWatermark(e *env, args []string) int {
	return runRestore(e, "remove-watermark", "watermark", "_clean", args)
}

// runRestore applies a model to files: the body of denoise and
// remove-watermark.
func runRestore(e *env, cmd, task, suffix string, args []string) int {
	fs := newFlags(e, cmd, "[FLAGS] -o OUT IN...\n\nOUT is a file for one input, a folder for several (created if missing).")
	modelPath := fs.String("model", "", "model file (default: the bundled "+task+" model)")
	out := fs.String("o", "", "output file or folder (required)")
	var strength float64
	passes := 1
	if task == "denoise" {
		fs.Float64Var(&strength, "strength", 0, "noise level σ to remove, on the 0–255 scale (default: estimated from each image)")
		fs.IntVar(&passes, "passes", 1, passesUsage)
	}
	mix := fs.Float64("mix", 1, "how much of the change to apply: 1 the model's output, 0.5 half-way")
	quality := fs.Int("quality", 92, "JPEG quality, 1–100")
	suffixFlag := fs.String("suffix", suffix, "added to each input's name inside an output folder")
	overwrite := fs.Bool("overwrite", false, "replace existing output files (and inputs, if OUT names them)")
	tile := fs.Int("tile", 0, "tile side in pixels (default 512)")
	maxMP := fs.Float64("max-megapixels", 100, "refuse images larger than this")
	var maskPath *string
	var collection *bool
	if task == "watermark" {
		maskPath = fs.String("mask", "", "image of the photos' size painted white (or opaque) over marks to remove for sure")
		collection = fs.Bool("collection", false, "the inputs carry one watermark at the same place: estimate it from all of them, take it off, then let the model polish")
	}
	inputs, code, ok := parse(e, fs, args)
	if !ok {
		return code
	}
	if *out == "" {
		return e.usageError(cmd, "-o OUT is required")
	}
	if len(inputs) == 0 {
		return e.usageError(cmd, "no input files")
	}
	if *quality < 1 || *quality > 100 {
		return e.usageError(cmd, "--quality %d is outside 1–100", *quality)
	}
	if !(strength >= 0 && strength <= 255) {
		return e.usageError(cmd, "--strength %g is outside 0–255 (0: estimate it)", strength)
	}
	if !(*mix >= 0) || math.IsInf(*mix, 0) {
		return e.usageError(cmd, "--mix %g is not a finite number of at least 0", *mix)
	}
	if *tile < 0 {
		return e.usageError(cmd, "--tile %d is negative (0: the default)", *tile)
	}
	if err := convae.CheckSelfEnsemble(passes); err != nil {
		return e.usageError(cmd, "--passes %v", err)
	}
	if !(*maxMP > 0) {
		return e.usageError(cmd, "--max-megapixels %g is not above 0", *maxMP)
	}
	painted := (collection != nil && *collection) || (maskPath != nil && *maskPath != "")
	r, err := restorerFor(e, *modelPath, task, painted)
	if err != nil {
		return e.fail("%v", err)
	}
	if r.NeedsMask() && !painted {
		return e.fail("the %s removes the marks painted over, and only those: give --mask FILE (an image of the photo's size painted white over the marks) or --collection", modelName(*modelPath, task))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	opts := restore.BatchOptions{
		Output: *out, Suffix: *suffixFlag, Quality: *quality, Overwrite: *overwrite,
		MaxPixels: int(*maxMP * 1e6),
		Restore:   restore.Options{Sigma: strength, Strength: *mix, Passes: passes},
	}
	opts.Restore.Tile.Tile = *tile
	if maskPath != nil && *maskPath != "" {
		m, err := picture.Load(*maskPath, picture.DecodeOptions{MaxPixels: opts.MaxPixels})
		if err != nil {
			return e.fail("mask: %v", err)
		}
		opts.Restore.Mask = restore.MaskFromImage(m)
	}
	if collection != nil && *collection {
		shared, err := estimateShared(ctx, inputs, opts.MaxPixels)
		if err != nil {
			return e.fail("%v", err)
		}
		b := shared.Bounds
		fmt.Fprintf(e.stderr, "shared watermark found in %d photos: %d×%d pixels at (%d, %d)\n", len(inputs), b.Dx(), b.Dy(), b.Min.X, b.Min.Y)
		opts.Restore.Shared = shared
	}
	bar := newProgressBar(e.stderr)
	results := restore.Batch(ctx, r, inputs, opts, func(i int, done float64) {
		bar.set(fmt.Sprintf("%d/%d", i+1, len(inputs)), (float64(i)+done)/float64(len(inputs)))
	})
	bar.clear()
	failed := 0
	for _, res := range results {
		if res.Err != nil {
			failed++
			fmt.Fprintf(e.stderr, "diabolo: %v\n", res.Err)
			continue
		}
		fmt.Fprintf(e.stdout, "%s -> %s\n", res.Input, res.Output)
	}
	if failed > 0 {
		if len(inputs) > 1 {
			fmt.Fprintf(e.stderr, "diabolo: %d of %d inputs failed\n", failed, len(inputs))
		}
		return exitFailure
	}
	return exitOK
}

// restorerFor returns the Restorer of the model at path (or the bundled
// model of task). When no model is bundled and the watermark is located
// without one (collection mode, or a painted mask: withoutNetwork), it
// falls back, with a note on stderr, to taking the shared mark off and
// filling the painted pixels from their surroundings.
func restorerFor(e *env, path, task string, withoutNetwork bool) (*restore.Restorer, error) {
	model, err := loadModel(path, task)
	if withoutNetwork && path == "" && errors.Is(err, assets.ErrNoBundledModel) {
		fmt.Fprintf(e.stderr, "diabolo: no %s model bundled: the shared mark is taken off and painted marks filled in, without a network to polish\n", task)
		return restore.WithoutNetwork(), nil
	}
	if err != nil {
		return nil, err
	}
	return restore.New(model)
}

// modelName names the model of a command for messages: its file, or the
// bundled model of task.
func modelName(path, task string) string {
	if path == "" {
		return "bundled " + task + " model"
	}
	return "model " + path
}
