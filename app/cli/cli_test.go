package cli

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"diabolo/app/atomicfile"
	"diabolo/convae"
	"diabolo/internal/synthetic"
)

// run calls Main and returns the exit code and both outputs.
func run(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := Main(args, &out, &errb)
	return code, out.String(), errb.String()
}

// writePNG writes a small gradient image.
func writePNG(t *testing.T, path string, w, h int) {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.NRGBA{uint8(x * 3), uint8(y * 4), 128, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// tinyModel saves an untrained small model and returns its path.
func tinyModel(t *testing.T, dir string) string {
	t.Helper()
	p, err := convae.LookupPreset("unet-m")
	if err != nil {
		t.Fatal(err)
	}
	spec := convae.UNetSpec("tiny", convae.UNetConfig{Width: 4, Levels: 1, Blocks: 1, Unshuffle: true, NoiseLevel: p.Spec.In == 4})
	net, err := convae.NewNet(spec, 1)
	if err != nil {
		t.Fatal(err)
	}
	return writeModel(t, filepath.Join(dir, "tiny.dae"), net, "denoise")
}

// writeModel saves net as a model for task at path, and returns path.
func writeModel(t *testing.T, path string, net *convae.Net, task string) string {
	t.Helper()
	m := &convae.Model{Net: net, Meta: convae.Metadata{Task: task}}
	if err := atomicfile.Write(path, 0o644, m.Save); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestUsage(t *testing.T) {
	cases := []struct {
		args     []string
		code     int
		inOut    string
		inStderr string
	}{
		{nil, 0, "Commands:", ""},
		{[]string{"help"}, 0, "denoise", ""},
		{[]string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{[]string{"denoise", "--help"}, 0, "-strength", ""},
		{[]string{"train", "--help"}, 0, "-preset", ""},
		{[]string{"denoise", "in.png"}, 2, "", "-o OUT is required"},
		{[]string{"denoise", "-o", "x.png"}, 2, "", "no input files"},
		{[]string{"denoise", "--bogus", "-o", "x.png", "a.png"}, 2, "", "flag provided but not defined: -bogus"},
		{[]string{"denoise", "--strength", "-3", "-o", "x.png", "a.png"}, 2, "", "--strength -3 is outside 0–255"},
		{[]string{"denoise", "--strength", "NaN", "-o", "x.png", "a.png"}, 2, "", "--strength NaN is outside 0–255"},
		{[]string{"denoise", "--mix", "-1", "-o", "x.png", "a.png"}, 2, "", "--mix -1 is not a finite number"},
		{[]string{"remove-watermark", "--mix", "+Inf", "-o", "x.png", "a.png"}, 2, "", "--mix +Inf is not a finite number"},
		{[]string{"denoise", "--tile", "-5", "-o", "x.png", "a.png"}, 2, "", "--tile -5 is negative"},
		{[]string{"denoise", "--max-megapixels", "0", "-o", "x.png", "a.png"}, 2, "", "--max-megapixels 0 is not above 0"},
		{[]string{"denoise", "--passes", "3", "-o", "x.png", "a.png"}, 2, "", "--passes 3: want 1, 2, 4 or 8"},
		{[]string{"remove-watermark", "--passes", "2", "-o", "x.png", "a.png"}, 2, "", "flag provided but not defined: -passes"},
		{[]string{"eval", "--data", "d", "--passes", "0"}, 2, "", "--passes 0: want 1, 2, 4 or 8"},
		{[]string{"eval", "--data", "d", "--task", "watermark", "--passes", "2"}, 2, "", "--passes is for denoising"},
		{[]string{"train", "--data", "d", "-o", "m.dae"}, 2, "", "give a budget"},
		{[]string{"train", "--data", "d", "--steps", "1", "--noise", "gaussian:abc", "-o", "m.dae"}, 2, "", "gaussian:abc"},
		{[]string{"train", "--data", "d", "--steps", "1", "--lr", "-1", "-o", "m.dae"}, 2, "", "--lr -1 is not a positive number"},
		{[]string{"train", "--data", "d", "--steps", "1", "--batch", "0", "-o", "m.dae"}, 2, "", "--batch 0 is not at least 1"},
		{[]string{"train", "--data", "d", "--steps", "1", "--minutes", "-1", "-o", "m.dae"}, 2, "", "--minutes -1 is not a finite number"},
		{[]string{"train", "--data", "d", "--steps", "-4", "--minutes", "1", "-o", "m.dae"}, 2, "", "--steps -4 is negative"},
		{[]string{"train", "--data", "d", "--steps", "1", "--patch", "0", "-o", "m.dae"}, 2, "", "--patch 0 is not a positive size"},
		{[]string{"train", "--data", "d", "--steps", "1", "--val-every", "0", "-o", "m.dae"}, 2, "", "--val-every 0 is not at least 1"},
		{[]string{"train", "--data", "d", "--steps", "1", "--val-side", "-8", "-o", "m.dae"}, 2, "", "--val-side -8 is not a positive size"},
		{[]string{"train", "--data", "d", "--steps", "1", "--checkpoint-minutes", "0", "-o", "m.dae"}, 2, "", "--checkpoint-minutes 0 is not a positive number"},
		{[]string{"train", "--data", "d", "--steps", "1", "-o", "/nonexistent-diabolo/m.dae"}, 1, "", "/nonexistent-diabolo/m.dae: cannot write there"},
		{[]string{"train", "--data", "d", "--steps", "1", "--checkpoint", "/nonexistent-diabolo/c.dae", "-o", "m.dae"}, 1, "", "/nonexistent-diabolo/c.dae: cannot write there"},
		{[]string{"train", "--data", "d", "--steps", "1", "-o", "."}, 1, "", ". is a folder: give a file name"},
		{[]string{"train", "--data", "d", "--steps", "1", "--task", "nope", "-o", "m.dae"}, 2, "", `unknown task "nope" (denoise or watermark)`},
		{[]string{"train", "--data", "d", "--steps", "1", "--mode", "nope", "-o", "m.dae"}, 2, "", `unknown mode "nope"`},
		{[]string{"eval", "--data", "d", "--task", "nope"}, 2, "", `unknown task "nope"`},
		{[]string{"eval", "--data", "d", "--task", "watermark", "--brush-margin", "5"}, 2, "", "--brush-margin is for --brush"},
		{[]string{"eval", "--data", "d", "--task", "watermark", "--brush", "--brush-margin", "-1"}, 2, "", "--brush-margin -1 is negative"},
		{[]string{"train", "--data", "d", "--steps", "1", "--brush", "-o", "m.dae"}, 2, "", "--brush is for --task watermark"},
		{[]string{"train", "--data", "d", "--steps", "1", "--brush-margin", "9", "-o", "m.dae"}, 2, "", "--brush-margin is for --task watermark"},
		{[]string{"train", "--data", "d", "--task", "watermark", "--steps", "1", "--picture-loss", "-o", "m.dae"}, 2, "", "--picture-loss is for --brush"},
		{[]string{"train", "--data", "d", "--steps", "1", "--task", "watermark", "--brush-margin", "0", "-o", "m.dae"}, 2, "", "--brush-margin 0 is not at least 1"},
		{[]string{"bench", "--preset", "huge"}, 2, "", `unknown preset "huge"`},
		{[]string{"info"}, 2, "", "no model file"},
		{[]string{"eval", "--noise", "gaussian:25"}, 2, "", "--data DIR is required"},
	}
	for _, c := range cases {
		code, out, errs := run(c.args...)
		if code != c.code || !strings.Contains(out, c.inOut) || !strings.Contains(errs, c.inStderr) {
			t.Errorf("diabolo %v: code %d, stdout %q, stderr %q; want code %d, %q in stdout, %q in stderr",
				c.args, code, out, errs, c.code, c.inOut, c.inStderr)
		}
		if strings.Contains(errs, "goroutine ") || strings.Contains(errs, "panic") {
			t.Errorf("diabolo %v printed a panic: %s", c.args, errs)
		}
	}
}

func TestDenoiseBatchWithBadInputs(t *testing.T) {
	dir := t.TempDir()
	model := tinyModel(t, dir)
	good := filepath.Join(dir, "good.png")
	writePNG(t, good, 37, 29)
	empty := filepath.Join(dir, "empty.jpg")
	os.WriteFile(empty, nil, 0o644)
	text := filepath.Join(dir, "notes.jpg")
	os.WriteFile(text, []byte("this is not a picture"), 0o644)
	missing := filepath.Join(dir, "missing.png")
	out := filepath.Join(dir, "out")

	code, stdout, stderr := run("denoise", "--model", model, "-o", out, empty, good, text, missing)
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	for _, name := range []string{"empty.jpg", "notes.jpg", "missing.png", "3 of 4 inputs failed"} {
		if !strings.Contains(stderr, name) {
			t.Errorf("stderr does not mention %s:\n%s", name, stderr)
		}
	}
	if lines := strings.Count(strings.TrimSpace(stderr), "\n") + 1; lines != 4 {
		t.Errorf("stderr has %d lines, want one per failure and a summary:\n%s", lines, stderr)
	}
	if !strings.Contains(stdout, "good_denoised.png") {
		t.Errorf("stdout %q does not report the good output", stdout)
	}
	if _, err := os.Stat(filepath.Join(out, "good_denoised.png")); err != nil {
		t.Errorf("good input not restored: %v", err)
	}
	// A second run must not overwrite without --overwrite.
	code, _, stderr = run("denoise", "--model", model, "-o", out, good)
	if code != 1 || !strings.Contains(stderr, "good_denoised.png") {
		t.Errorf("rerun: code %d, stderr %q; want a refusal naming the existing file", code, stderr)
	}
	// One input, one output file; never the input itself.
	code, _, stderr = run("denoise", "--model", model, "-o", good, good)
	if code != 1 || !strings.Contains(stderr, "overwrite the input") {
		t.Errorf("output = input: code %d, stderr %q", code, stderr)
	}
	code, _, stderr = run("denoise", "--model", model, "-o", filepath.Join(dir, "single.jpg"), "--quality", "80", good)
	if code != 0 {
		t.Errorf("single output file: code %d, stderr %q", code, stderr)
	}
}

func TestCorruptModel(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "broken.dae")
	os.WriteFile(bad, []byte("DIABOLO\x00garbage"), 0o644)
	img := filepath.Join(dir, "a.png")
	writePNG(t, img, 8, 8)
	for _, args := range [][]string{
		{"info", bad},
		{"denoise", "--model", bad, "-o", filepath.Join(dir, "o.png"), img},
		{"denoise", "--model", filepath.Join(dir, "nope.dae"), "-o", filepath.Join(dir, "o.png"), img},
	} {
		code, _, stderr := run(args...)
		if code != 1 || !strings.Contains(stderr, ".dae") || strings.Count(stderr, "\n") != 1 {
			t.Errorf("diabolo %v: code %d, stderr %q; want 1 and one line naming the model", args, code, stderr)
		}
	}
}

// A model of one task given to a command of the other is refused with a
// message naming the model, its task and the command that uses it.
func TestModelOfTheOtherTask(t *testing.T) {
	dir := t.TempDir()
	denoiser := tinyModel(t, dir) // Meta.Task "denoise"
	img := filepath.Join(dir, "a.png")
	writePNG(t, img, 8, 8)
	out := filepath.Join(dir, "o.png")
	code, _, stderr := run("remove-watermark", "--model", denoiser, "-o", out, img)
	want := denoiser + " was trained for denoising (diabolo denoise), not watermark removal (diabolo remove-watermark)"
	if code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("remove-watermark with a denoiser: code %d, stderr %q; want 1 and %q", code, stderr, want)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("remove-watermark with a denoiser wrote %s", out)
	}
	code, _, stderr = run("train", "--task", "watermark", "--data", dir, "--steps", "1", "--from", denoiser, "-o", filepath.Join(dir, "m.dae"))
	if code != 1 || !strings.Contains(stderr, "not watermark removal") {
		t.Errorf("train --task watermark --from a denoiser: code %d, stderr %q; want 1 and a task mismatch", code, stderr)
	}
}

func TestTrainInfoEval(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "photos")
	os.Mkdir(data, 0o755)
	for _, n := range []string{"a.png", "b.png", "c.png", "d.png"} {
		writePNG(t, filepath.Join(data, n), 48, 40)
	}
	os.WriteFile(filepath.Join(data, "broken.png"), []byte("nope"), 0o644)
	model := filepath.Join(dir, "m.dae")
	code, stdout, stderr := run("train", "--data", data, "--preset", "unet-s", "--steps", "4", "--patch", "16", "--batch", "2",
		"--val-every", "2", "--val-side", "16", "--noise", "gaussian:0-50", "-o", model)
	if code != 0 {
		t.Fatalf("train: code %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "broken.png") {
		t.Errorf("train did not report the unreadable file: %q", stderr)
	}
	if !regexp.MustCompile(`step +4 .*PSNR [0-9.]+ dB`).MatchString(stdout) {
		t.Errorf("train output lacks validation lines:\n%s", stdout)
	}
	code, stdout, _ = run("info", model)
	if code != 0 || !strings.Contains(stdout, "unet-s") || !strings.Contains(stdout, "gaussian:0-50") || !strings.Contains(stdout, "4 (batch 2") {
		t.Errorf("info: code %d\n%s", code, stdout)
	}
	code, stdout, stderr = run("eval", "--model", model, "--data", data, "--noise", "gaussian:25")
	if code != 1 || !strings.Contains(stdout, "mean of 4") || !strings.Contains(stderr, "broken.png") {
		t.Errorf("eval: code %d (want 1 for the broken file)\nstdout %s\nstderr %s", code, stdout, stderr)
	}
}

func TestBenchLine(t *testing.T) {
	code, stdout, stderr := run("bench", "--preset", "ref", "--steps", "1", "--batch", "2", "--patch", "16", "--infer", "32")
	if code != 0 {
		t.Fatalf("bench: code %d, stderr %q", code, stderr)
	}
	if !regexp.MustCompile(`^params=\d+ train_patches_per_s=[0-9.]+ infer_mpix_per_s=[0-9.]+\n$`).MatchString(stdout) {
		t.Errorf("bench printed %q", stdout)
	}
}

func TestTrainWatermarkTask(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"a.png", "b.png"} {
		writePNG(t, filepath.Join(dir, n), 48, 40)
	}
	model := filepath.Join(dir, "wm.dae")
	code, stdout, stderr := run("train", "--data", dir, "--task", "watermark", "--preset", "unet-s", "--steps", "2", "--patch", "16",
		"--batch", "2", "--val-every", "2", "--val-side", "16", "-o", model)
	if code != 0 {
		t.Fatalf("train --task watermark: code %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, _ = run("info", model)
	if code != 0 || !strings.Contains(stdout, "watermark") || !strings.Contains(stdout, "task        watermark") {
		t.Errorf("info: code %d\n%s", code, stdout)
	}
	code, _, stderr = run("train", "--data", dir, "--task", "watermark", "--noise", "watermark:sparkly", "--steps", "1", "-o", model)
	if code != 2 || !strings.Contains(stderr, "sparkly") {
		t.Errorf("bad watermark spec: code %d, stderr %q", code, stderr)
	}
}

// A model that cannot be saved where asked goes to the temporary folder,
// and the error says so: training is never lost.
func TestSaveOrRescue(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	save := func(w io.Writer) error { _, err := w.Write([]byte("model")); return err }

	good := filepath.Join(tmp, "good.dae")
	if err := saveOrRescue(good, save); err != nil {
		t.Fatalf("saving to %s: %v", good, err)
	}
	bad := filepath.Join(tmp, "removed", "m.dae")
	err := saveOrRescue(bad, save)
	rescued := filepath.Join(tmp, "diabolo-m.dae")
	if err == nil || !strings.Contains(err.Error(), "saved it to "+rescued+" instead") {
		t.Fatalf("saving to %s: error %v, want one naming %s", bad, err, rescued)
	}
	if b, rerr := os.ReadFile(rescued); rerr != nil || string(b) != "model" {
		t.Errorf("rescued file holds %q (%v), want the model", b, rerr)
	}
}

// A model for painted marks needs --mask or --collection (or, to evaluate
// it, --brush): without them the command says so instead of returning the
// photo unchanged.
func TestBrushModelNeedsAMask(t *testing.T) {
	dir := t.TempDir()
	m, err := synthetic.MaskUnblender(0.5, [3]float32{0.9, 0.9, 0.9})
	if err != nil {
		t.Fatal(err)
	}
	m.Meta.Brush = true
	model := filepath.Join(dir, "brush.dae")
	if err := atomicfile.Write(model, 0o644, m.Save); err != nil {
		t.Fatal(err)
	}
	photos := filepath.Join(dir, "photos")
	if err := os.Mkdir(photos, 0o755); err != nil {
		t.Fatal(err)
	}
	img := filepath.Join(photos, "a.png")
	writePNG(t, img, 64, 64)
	out := filepath.Join(dir, "o.png")
	code, _, stderr := run("remove-watermark", "--model", model, "-o", out, img)
	if code != 1 || !strings.Contains(stderr, "removes the marks painted over, and only those: give --mask FILE") {
		t.Errorf("remove-watermark without a mask: code %d, stderr %q", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("remove-watermark without a mask wrote %s", out)
	}
	mask := filepath.Join(dir, "mask.png")
	writePNG(t, mask, 64, 64)
	if code, _, stderr := run("remove-watermark", "--model", model, "--mask", mask, "-o", out, img); code != 0 {
		t.Errorf("remove-watermark with a mask: code %d, stderr %q", code, stderr)
	}
	code, _, stderr = run("eval", "--task", "watermark", "--model", model, "--data", photos)
	if code != 1 || !strings.Contains(stderr, "evaluate it with --brush") {
		t.Errorf("eval without --brush: code %d, stderr %q", code, stderr)
	}
	if code, _, stderr := run("eval", "--task", "watermark", "--model", model, "--data", photos, "--brush"); code != 0 {
		t.Errorf("eval --brush: code %d, stderr %q", code, stderr)
	}
}

// pack writes a half-precision copy of a model, about half the size, that
// info describes and the commands load; it does not replace a file unless
// asked to.
func TestPack(t *testing.T) {
	dir := t.TempDir()
	model := tinyModel(t, dir)
	out := filepath.Join(dir, "packed.dae")
	code, stdout, stderr := run("pack", "--notes", "for the tests", model, "-o", out)
	if code != 0 || !strings.Contains(stdout, "half precision") {
		t.Fatalf("pack: code %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	full, _ := os.Stat(model)
	half, _ := os.Stat(out)
	if half.Size() >= full.Size()*3/4 {
		t.Errorf("packed model %d bytes, the original %d: want about half", half.Size(), full.Size())
	}
	code, stdout, _ = run("info", out)
	if code != 0 || !strings.Contains(stdout, "half (16-bit parameters)") || !strings.Contains(stdout, "for the tests") {
		t.Errorf("info on the packed model: code %d\n%s", code, stdout)
	}
	img := filepath.Join(dir, "a.png")
	writePNG(t, img, 16, 16)
	if code, _, stderr := run("denoise", "--model", out, "-o", filepath.Join(dir, "o.png"), img); code != 0 {
		t.Errorf("denoise with the packed model: code %d, %s", code, stderr)
	}
	code, _, stderr = run("pack", model, "-o", out)
	if code != 1 || !strings.Contains(stderr, "exists: pass --overwrite") {
		t.Errorf("pack onto an existing file: code %d, stderr %q", code, stderr)
	}
	if code, _, stderr := run("pack", "--overwrite", model, "-o", out); code != 0 {
		t.Errorf("pack --overwrite: code %d, stderr %q", code, stderr)
	}
	code, _, stderr = run("pack", img, "-o", filepath.Join(dir, "x.dae"))
	if code != 1 || !strings.Contains(stderr, "not a Diabolo model") {
		t.Errorf("pack of a picture: code %d, stderr %q", code, stderr)
	}
	if code, _, stderr := run("pack", model); code != 2 || !strings.Contains(stderr, "-o OUT is required") {
		t.Errorf("pack without -o: code %d, stderr %q", code, stderr)
	}
}

// train --from a model with --preset another architecture moves the
// model's parameters into it (a head added, say); a model that shares none
// with the preset is refused and nothing is written.
func TestTrainFromIntoAnotherArchitecture(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"a.png", "b.png"} {
		writePNG(t, filepath.Join(dir, n), 48, 40)
	}
	p, err := convae.LookupPreset("unet-wm")
	if err != nil {
		t.Fatal(err)
	}
	net, err := convae.NewNet(p.Spec, 1)
	if err != nil {
		t.Fatal(err)
	}
	wm := writeModel(t, filepath.Join(dir, "wm.dae"), net, "watermark")
	out := filepath.Join(dir, "wmh.dae")
	code, stdout, stderr := run("train", "--data", dir, "--task", "watermark", "--brush", "--from", wm, "--preset", "unet-wmh",
		"--steps", "1", "--patch", "16", "--batch", "1", "--val-every", "1", "--val-side", "16", "-o", out)
	if code != 0 || !strings.Contains(stderr, "unet-wmh takes 42 of its 46 parameter tensors from "+wm+" (unet-wm)") {
		t.Fatalf("train --from unet-wm --preset unet-wmh: code %d\n%s\n%s", code, stdout, stderr)
	}
	if code, stdout, _ = run("info", out); code != 0 || !strings.Contains(stdout, "unet-wmh") {
		t.Errorf("info of the adopted model: code %d\n%s", code, stdout)
	}

	tiny := tinyModel(t, dir)
	refused := filepath.Join(dir, "refused.dae")
	code, _, stderr = run("train", "--data", dir, "--from", tiny, "--preset", "unet-s", "--steps", "1", "--patch", "16", "-o", refused)
	if want := tiny + " (tiny) shares no parameter with unet-s"; code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("train --from a model sharing nothing: code %d, stderr %q; want 1 and %q", code, stderr, want)
	}
	if _, err := os.Stat(refused); err == nil {
		t.Errorf("a refused training wrote %s", refused)
	}
}
