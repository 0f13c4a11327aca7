package cli

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"diabolo/app/atomicfile"
	"diabolo/app/corruption"
	"diabolo/app/dataset"
	"diabolo/app/models"
	"diabolo/app/noise"
	"diabolo/app/session"
	"diabolo/convae"
)

func runTrain(e *env, args []string) int {
	fs := newFlags(e, "train", "--data DIR [FLAGS] -o MODEL")
	data := fs.String("data", "", "folder of training photos, searched recursively (required)")
	valDir := fs.String("val", "", "folder of validation photos (default: 5% of --data)")
	task := fs.String("task", "denoise", "denoise or watermark")
	mode := fs.String("mode", "supervised", "supervised (clean photos, corrupted with --noise) or self-supervised (noisy photos alone: Neighbor2Neighbor; --noise then only corrupts the clean --val photos)")
	noiseSpec := fs.String("noise", "", "corruption of the clean photos, e.g. gaussian:25, gaussian:0-50, poisson-gaussian:0.01,0.0004, jpeg:75-95, gaussian:25+jpeg:90, watermark:text,tiled (default gaussian:0-50+quantize for denoise, watermark:zoom=1-4+quantize for watermark)")
	preset := fs.String("preset", "unet-m", "architecture of a new network (with --from: the architecture its parameters move into, say with a head added): "+joinNames())
	minutes := fs.Float64("minutes", 0, "training time budget in minutes")
	steps := fs.Int("steps", 0, "training step budget")
	from := fs.String("from", "", "model to fine-tune instead of starting afresh")
	resume := fs.String("resume", "", "checkpoint to continue from (written by --checkpoint)")
	checkpoint := fs.String("checkpoint", "", "file to save a resumable checkpoint to, every --checkpoint-minutes")
	ckEvery := fs.Float64("checkpoint-minutes", 2, "minutes between checkpoints")
	brush := fs.Bool("brush", false, "watermark: train a model for marks the user paints over (every patch shows its marks in the mask channel; the network learns their opacity and colour)")
	pictureLoss := fs.Bool("picture-loss", false, "with --brush: train on the loss of the unblended picture too, not only on the marks' opacity and colour")
	margin := fs.Int("brush-margin", session.DefaultPaintMargin, "watermark: widest room, in pixels, that the paint in the mask channel leaves around the marks (1 to N, drawn per patch); wider copes with looser brush strokes")
	patch := fs.Int("patch", 64, "patch side in pixels")
	batch := fs.Int("batch", 16, "patches per step")
	lr := fs.Float64("lr", 1e-3, "peak learning rate (cosine schedule)")
	loss := fs.String("loss", "l1", "loss: mse, l1 or charbonnier")
	seed := fs.Uint64("seed", 1, "random seed")
	valEvery := fs.Int("val-every", 200, "steps between validations")
	valSide := fs.Int("val-side", 128, "side of the validation crops")
	out := fs.String("o", "", "output model file (required)")
	if rest, code, ok := parse(e, fs, args); !ok {
		return code
	} else if len(rest) > 0 {
		return e.usageError("train", "unexpected argument %q", rest[0])
	}
	switch {
	case *data == "":
		return e.usageError("train", "--data DIR is required")
	case *out == "":
		return e.usageError("train", "-o MODEL is required")
	case *minutes <= 0 && *steps <= 0:
		return e.usageError("train", "give a budget: --minutes M or --steps N")
	}
	if msg := checkTask(*task); msg != "" {
		return e.usageError("train", "%s", msg)
	}
	if *brush && *task != models.Watermark {
		return e.usageError("train", "--brush is for --task watermark")
	}
	if *pictureLoss && !*brush {
		return e.usageError("train", "--picture-loss is for --brush")
	}
	if given(fs, "brush-margin") && *task != models.Watermark {
		return e.usageError("train", "--brush-margin is for --task watermark")
	}
	if *margin < 1 {
		return e.usageError("train", "--brush-margin %d is not at least 1", *margin)
	}
	if *mode != session.Supervised && *mode != session.SelfSupervised {
		return e.usageError("train", "unknown mode %q (%s or %s)", *mode, session.Supervised, session.SelfSupervised)
	}
	if msg := checkTrainFlags(*minutes, *steps, *patch, *batch, *lr, *valEvery, *valSide, *ckEvery); msg != "" {
		return e.usageError("train", "%s", msg)
	}
	for _, p := range []string{*out, *checkpoint} {
		if err := checkFolder(p); err != nil {
			return e.fail("%v", err)
		}
	}
	var nm noise.Model
	if *noiseSpec == "" {
		*noiseSpec = defaultCorruption(*task)
	}
	if *mode != session.SelfSupervised || given(fs, "noise") {
		var err error
		if nm, err = corruption.Parse(*noiseSpec); err != nil {
			return e.usageError("train", "%v", err)
		}
	}
	if *mode == session.SelfSupervised && nm != nil && *valDir == "" {
		return e.usageError("train", "in self-supervised mode --noise corrupts clean validation photos: give them with --val DIR")
	}
	var err error
	cfg := session.Config{
		Task: *task, Mode: *mode, Noise: nm, Patch: *patch, Batch: *batch, LR: *lr, Loss: *loss, Seed: *seed,
		Steps: *steps, Duration: time.Duration(*minutes * float64(time.Minute)), ValEvery: *valEvery, ValSide: *valSide,
		Checkpoint: *checkpoint, CheckpointEvery: time.Duration(*ckEvery * float64(time.Minute)), Resume: *resume, Brush: *brush, PictureLoss: *pictureLoss,
		PaintMargin: *margin,
	}
	if *resume == "" && (*from == "" || given(fs, "preset")) {
		p, err := convae.LookupPreset(*preset)
		if err != nil {
			return e.usageError("train", "%v", err)
		}
		cfg.Spec = p.Spec
	}
	if *from != "" {
		if cfg.From, err = loadModel(*from, *task); err != nil {
			return e.fail("%v", err)
		}
		if given(fs, "preset") && cfg.Spec.Name != cfg.From.Net.Spec().Name {
			if msg := adoptInto(e, cfg.From, cfg.Spec, *from, *seed); msg != "" {
				return e.fail("%s", msg)
			}
		}
	}
	report := func(s dataset.Skipped) { fmt.Fprintf(e.stderr, "diabolo: skipped %s: %s\n", s.Path, s.Reason) }
	valFraction := 0.05
	if *valDir != "" {
		valFraction = 0
	}
	cfg.Data, err = dataset.Open(*data, dataset.Options{Patch: *patch, ValFraction: valFraction, Seed: *seed, OnSkip: report, CacheBytes: 1 << 30})
	if err != nil {
		return e.fail("%v", err)
	}
	if *valDir != "" {
		cfg.ValData, err = dataset.Open(*valDir, dataset.Options{Patch: *patch, Seed: *seed, OnSkip: report})
		if err != nil {
			return e.fail("%v", err)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	bar := newProgressBar(e.stderr)
	s, err := session.Start(cfg, func(ev session.Event) { printEvent(e, bar, ev) })
	if err != nil {
		return e.fail("%v", err)
	}
	go func() {
		<-ctx.Done()
		s.Stop()
	}()
	model, err := s.Wait()
	bar.clear()
	if err != nil {
		return e.fail("training: %v", err)
	}
	if err := saveOrRescue(*out, model.Save); err != nil {
		return e.fail("%v", err)
	}
	fmt.Fprintf(e.stdout, "saved %s: %d steps in %s, validation PSNR %.2f dB\n", *out, model.Meta.Steps,
		time.Duration(model.Meta.TrainSeconds*float64(time.Second)).Round(time.Second), model.Meta.ValPSNR)
	return exitOK
}

// printEvent shows a training event: the bar for steps, a line otherwise.
func printEvent(e *env, bar *progressBar, ev session.Event) {
	switch ev.Kind {
	case session.Started:
		fmt.Fprintf(e.stdout, "training %s\n", ev.Message)
	case session.Step:
		bar.set(fmt.Sprintf("step %d loss %.5f %.0f patches/s ETA %s", ev.Step, ev.Loss, ev.PatchesPerS, ev.ETA.Round(time.Second)), ev.Progress)
	case session.Validation:
		bar.clear()
		fmt.Fprintf(e.stdout, "step %6d  %6s  val loss %.5f  PSNR %.2f dB (noisy %.2f)  SSIM %.4f\n",
			ev.Step, ev.Elapsed.Round(time.Second), ev.ValLoss, ev.ValPSNR, ev.NoisyPSNR, ev.ValSSIM)
	case session.Checkpoint:
		bar.clear()
		fmt.Fprintf(e.stdout, "checkpoint %s at step %d\n", ev.Message, ev.Step)
	case session.Warning:
		bar.clear()
		fmt.Fprintf(e.stderr, "diabolo: warning: %s\n", ev.Message)
	}
}

// defaultCorruption is what a task trains on when no --noise is given.
func defaultCorruption(task string) string {
	if task == "watermark" {
		return "watermark:zoom=1-4+quantize"
	}
	return "gaussian:0-50+quantize"
}

func joinNames() string {
	s := ""
	for i, n := range convae.PresetNames() {
		if i > 0 {
			s += ", "
		}
		s += n
	}
	return s
}

// checkTrainFlags returns what is wrong with train's numeric flags, or "".
func checkTrainFlags(minutes float64, steps, patch, batch int, lr float64, valEvery, valSide int, ckEvery float64) string {
	switch {
	case !(minutes >= 0) || math.IsInf(minutes, 0):
		return fmt.Sprintf("--minutes %g is not a finite number of at least 0", minutes)
	case steps < 0:
		return fmt.Sprintf("--steps %d is negative", steps)
	case patch < 1:
		return fmt.Sprintf("--patch %d is not a positive size", patch)
	case batch < 1:
		return fmt.Sprintf("--batch %d is not at least 1", batch)
	case !(lr > 0) || math.IsInf(lr, 0):
		return fmt.Sprintf("--lr %g is not a positive number", lr)
	case valEvery < 1:
		return fmt.Sprintf("--val-every %d is not at least 1", valEvery)
	case valSide < 1:
		return fmt.Sprintf("--val-side %d is not a positive size", valSide)
	case !(ckEvery > 0) || math.IsInf(ckEvery, 0):
		return fmt.Sprintf("--checkpoint-minutes %g is not a positive number", ckEvery)
	}
	return ""
}

// saveOrRescue writes a trained model to path with save. When that fails
// (a full disk, a folder removed meanwhile), hours of training are not
// lost: the model goes to the temporary folder, and the error says where.
func saveOrRescue(path string, save func(io.Writer) error) error {
	err := atomicfile.Write(path, 0o644, save)
	if err == nil {
		return nil
	}
	rescue := filepath.Join(os.TempDir(), "diabolo-"+filepath.Base(path))
	if rerr := atomicfile.Write(rescue, 0o644, save); rerr != nil {
		return fmt.Errorf("save model: %w (and to %s: %v)", err, rescue, rerr)
	}
	return fmt.Errorf("save model: %w; saved it to %s instead", err, rescue)
}

// checkFolder makes sure that the folder a file is to be written to
// exists, so that a training run does not end, hours later, unable to save
// its model. An empty path is fine (nothing is written).
func checkFolder(path string) error {
	if path == "" {
		return nil
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case err != nil:
		return fmt.Errorf("%s: cannot write there: %w", path, err)
	case !fi.IsDir():
		return fmt.Errorf("%s: cannot write there: %s is not a folder", path, dir)
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a folder: give a file name", path)
	}
	return nil
}

// adoptInto moves the parameters of model m, read from path, into a new
// network of architecture spec (see convae.Net.Adopt), which replaces m's,
// and says so on stderr. It returns what went wrong, or "".
func adoptInto(e *env, m *convae.Model, spec convae.Spec, path string, seed uint64) string {
	net, err := convae.NewNet(spec, seed)
	if err != nil {
		return err.Error()
	}
	adopted := net.Adopt(m.Net)
	if len(adopted) == 0 {
		return fmt.Sprintf("%s (%s) shares no parameter with %s: train %s afresh instead of --from", path, m.Net.Spec().Name, spec.Name, spec.Name)
	}
	fmt.Fprintf(e.stderr, "diabolo: %s takes %d of its %d parameter tensors from %s (%s)\n",
		spec.Name, len(adopted), len(net.ParamInfos()), path, m.Net.Spec().Name)
	m.Net = net
	return ""
}
