package models_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"diabolo/app/models"
	"diabolo/app/picture"
	"diabolo/app/restore"
	"diabolo/app/watermark"
	"diabolo/assets"
	"diabolo/convae"
)

// tinySpec is a small photo network that reads a noise level.
var tinySpec = convae.UNetSpec("tiny", convae.UNetConfig{Width: 4, Levels: 1, Blocks: 1, Unshuffle: true, NoiseLevel: true})

// tinyModel returns a fresh tiny model for task with seed.
func tinyModel(t *testing.T, task string, seed uint64) *convae.Model {
	t.Helper()
	net, err := convae.NewNet(tinySpec, seed)
	if err != nil {
		t.Fatal(err)
	}
	return &convae.Model{Net: net, Meta: convae.Metadata{Task: task}}
}

// encode returns the model file of m.
func encode(t *testing.T, m *convae.Model) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeModel saves m at dir/name and returns the path.
func writeModel(t *testing.T, dir, name string, m *convae.Model) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, encode(t, m), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// bundle returns a BundleFunc serving files for some tasks, and
// ErrNoBundledModel for the others.
func bundle(files map[string][]byte) models.BundleFunc {
	return func(task string) ([]byte, error) {
		if b, ok := files[task]; ok {
			return b, nil
		}
		return nil, fmt.Errorf("%w for task %q", assets.ErrNoBundledModel, task)
	}
}

// noBundle serves no model at all.
var noBundle = bundle(nil)

// testImage returns a small picture with some structure.
func testImage() *picture.Image {
	img := picture.New(24, 16)
	for i := range img.Pix {
		img.Pix[i] = float32(i%37) / 37
	}
	return img
}

func TestNoBundledModel(t *testing.T) {
	s := models.NewStoreFrom(noBundle)
	m, src, err := s.Current(models.Denoise)
	if m != nil || src.Origin != models.NoOrigin || !errors.Is(err, models.ErrNoModel) {
		t.Fatalf("Current = %v, %v, %v; want no model and ErrNoModel", m, src, err)
	}
	if !strings.Contains(err.Error(), "none is bundled") || !strings.Contains(err.Error(), "denoise") {
		t.Errorf("error %q does not say that no denoise model is bundled", err)
	}
	if s.Has(models.Denoise) || s.HasBundled(models.Denoise) || s.TakesNoiseLevel(models.Denoise) {
		t.Error("Has, HasBundled or TakesNoiseLevel true without a model")
	}
	if _, err := s.Restore(context.Background(), models.Denoise, testImage(), restore.Options{}, nil); !errors.Is(err, models.ErrNoModel) {
		t.Errorf("Restore without a model: %v, want ErrNoModel", err)
	}
	// Collection mode needs no network: the shared mark comes off alone.
	img := testImage()
	shared := &watermark.SharedMark{Mark: watermark.Mark{Width: img.Width, Height: img.Height,
		Alpha: make([]float32, img.Width*img.Height), Colour: make([]float32, 3*img.Width*img.Height)}}
	shared.Alpha[5] = 0.5
	marked := img.Clone()
	if err := shared.Apply(marked); err != nil {
		t.Fatal(err)
	}
	out, err := s.Restore(context.Background(), models.Watermark, marked, restore.Options{Shared: shared}, nil)
	if err != nil || math.Abs(float64(out.Pix[5]-img.Pix[5])) > 1e-5 {
		t.Errorf("collection mode without a model: %v; value %v, want %v", err, out, img.Pix[5])
	}
	// Nor does filling painted pixels; an empty mask asks for a model.
	mask := make([]float32, img.Width*img.Height)
	if _, err := s.Restore(context.Background(), models.Watermark, img, restore.Options{Mask: mask}, nil); !errors.Is(err, models.ErrNoModel) {
		t.Errorf("empty mask without a model: %v, want ErrNoModel", err)
	}
	mask[img.Width+1] = 1
	spoiled := img.Clone()
	spoiled.Pix[img.Width+1] = 1
	out, err = s.Restore(context.Background(), models.Watermark, spoiled, restore.Options{Mask: mask}, nil)
	if err != nil || out.Pix[img.Width+1] == 1 || out.Pix[0] != img.Pix[0] {
		t.Errorf("painted mask without a model: %v; the painted pixel is %v, want it filled", err, out)
	}
	d := s.Describe(models.Denoise)
	if len(d) != 2 || d[0] != (models.Field{Name: "source", Value: "none"}) || !strings.Contains(d[1].Value, "none is bundled") {
		t.Errorf("Describe = %v", d)
	}
	if err := s.ResetToBundled(models.Denoise); !errors.Is(err, models.ErrNoModel) {
		t.Errorf("ResetToBundled without a bundle: %v, want ErrNoModel", err)
	}
	if _, _, err := s.Current("sharpen"); !errors.Is(err, models.ErrUnknownTask) {
		t.Errorf("Current of an unknown task: %v", err)
	}
}

func TestBundledModelIsLoadedLazily(t *testing.T) {
	calls := 0
	file := encode(t, tinyModel(t, models.Denoise, 1))
	s := models.NewStoreFrom(func(task string) ([]byte, error) {
		calls++
		return bundle(map[string][]byte{models.Denoise: file})(task)
	})
	if calls != 0 {
		t.Fatalf("NewStoreFrom read %d bundled models, want none", calls)
	}
	m, src, err := s.Current(models.Denoise)
	if err != nil || m == nil || src.Origin != models.Bundled {
		t.Fatalf("Current = %v, %+v, %v; want the bundled model", m, src, err)
	}
	s.Current(models.Denoise)
	s.Describe(models.Denoise)
	if calls != 1 {
		t.Errorf("the bundled denoise model was read %d times, want 1", calls)
	}
	if !s.Has(models.Denoise) || s.Has(models.Watermark) || !s.HasBundled(models.Denoise) || s.HasBundled(models.Watermark) {
		t.Errorf("Has: denoise %v, watermark %v; HasBundled: %v, %v; want true, false, true, false",
			s.Has(models.Denoise), s.Has(models.Watermark), s.HasBundled(models.Denoise), s.HasBundled(models.Watermark))
	}
}

func TestBrokenBundledModel(t *testing.T) {
	s := models.NewStoreFrom(bundle(map[string][]byte{models.Denoise: []byte("DIABOLO\x00garbage")}))
	_, _, err := s.Current(models.Denoise)
	if !errors.Is(err, models.ErrNoModel) || !strings.Contains(err.Error(), "bundled denoise model") {
		t.Errorf("Current with a broken bundle: %v; want ErrNoModel naming the bundled model", err)
	}
}

func TestOpenSaveRoundTrip(t *testing.T) {
	dir := t.TempDir()
	orig := tinyModel(t, models.Denoise, 7)
	orig.Meta.Steps, orig.Meta.ValPSNR = 42, 31.5
	in := writeModel(t, dir, "in.dae", orig)
	s := models.NewStoreFrom(noBundle)

	before := time.Now()
	if err := s.Open(models.Denoise, in); err != nil {
		t.Fatal(err)
	}
	m, src, err := s.Current(models.Denoise)
	if err != nil {
		t.Fatal(err)
	}
	if src.Origin != models.File || src.Path != in || src.Time.Before(before) {
		t.Errorf("source %+v, want the file %s opened now", src, in)
	}
	if !slices.Equal(m.Net.Params(), orig.Net.Params()) || m.Meta.Steps != 42 {
		t.Error("the opened model differs from the saved one")
	}

	out := filepath.Join(dir, "out.dae")
	if err := s.Save(models.Denoise, out, false); err != nil {
		t.Fatal(err)
	}
	if _, src, _ := s.Current(models.Denoise); src.Saved != out {
		t.Errorf("source after saving: %+v, want Saved %s", src, out)
	}
	back := models.NewStoreFrom(noBundle)
	if err := back.Open(models.Denoise, out); err != nil {
		t.Fatal(err)
	}
	m2, _, _ := back.Current(models.Denoise)
	if !slices.Equal(m2.Net.Params(), orig.Net.Params()) || m2.Meta != orig.Meta {
		t.Error("the saved model does not read back the same")
	}
}

func TestSaveRefusesToOverwrite(t *testing.T) {
	dir := t.TempDir()
	s := models.NewStoreFrom(bundle(map[string][]byte{models.Denoise: encode(t, tinyModel(t, models.Denoise, 1))}))
	path := filepath.Join(dir, "keep.dae")
	if err := os.WriteFile(path, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := s.Save(models.Denoise, path, false)
	if !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), path) {
		t.Errorf("Save over a file: %v; want an error wrapping fs.ErrExist naming %s", err, path)
	}
	if b, _ := os.ReadFile(path); string(b) != "keep me" {
		t.Fatal("the existing file was replaced")
	}
	if err := s.Save(models.Denoise, path, true); err != nil {
		t.Fatalf("Save with overwrite: %v", err)
	}
	if err := models.NewStoreFrom(noBundle).Open(models.Denoise, path); err != nil {
		t.Errorf("the overwritten file is not a model: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d files in the folder, want only %s (no temporary file left)", len(entries), path)
	}
	if err := models.NewStoreFrom(noBundle).Save(models.Denoise, filepath.Join(dir, "none.dae"), false); !errors.Is(err, models.ErrNoModel) {
		t.Errorf("Save without a model: %v, want ErrNoModel", err)
	}
}

func TestOpenErrorsNameTheFile(t *testing.T) {
	good := encode(t, tinyModel(t, models.Denoise, 1))
	version := slices.Clone(good)
	binary.LittleEndian.PutUint32(version[8:], 99)
	flipped := slices.Clone(good)
	flipped[len(flipped)/2] ^= 0xff
	mono, err := convae.NewNet(convae.Spec{Name: "mono", In: 1, Out: 1, Ops: []convae.Op{{Kind: convae.OpConv, Name: "c", Out: 1, Kernel: 3, Pad: 1}}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		content []byte // nil: no file
		wantErr error  // nil: only the text is checked
		want    string
	}{
		{"missing.dae", nil, fs.ErrNotExist, "no such file"},
		{"photo.dae", []byte("\x89PNG\r\n\x1a\n not a model"), convae.ErrNotModel, "not a Diabolo model file"},
		{"empty.dae", []byte{}, convae.ErrNotModel, "not a Diabolo model file"},
		{"future.dae", version, convae.ErrVersion, "version 99"},
		{"truncated.dae", good[:len(good)-100], convae.ErrCorrupt, "corrupted"},
		{"flipped.dae", flipped, convae.ErrCorrupt, "corrupted"},
		{"mono.dae", encode(t, &convae.Model{Net: mono}), models.ErrNotPhotoModel, "not a photo model"},
		{"watermark.dae", encode(t, tinyModel(t, models.Watermark, 1)), models.ErrWrongTask, "a watermark model, not a denoise model"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, tt.name)
			if tt.content != nil {
				if err := os.WriteFile(path, tt.content, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			s := models.NewStoreFrom(noBundle)
			err := s.Open(models.Denoise, path)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q; want it to name %s and say %q", err, path, tt.want)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %q does not wrap %v", err, tt.wantErr)
			}
			if s.Has(models.Denoise) {
				t.Error("a failed Open installed a model")
			}
		})
	}
}

func TestUseAndReset(t *testing.T) {
	bundled := tinyModel(t, models.Denoise, 1)
	s := models.NewStoreFrom(bundle(map[string][]byte{models.Denoise: encode(t, bundled)}))
	trained := tinyModel(t, models.Denoise, 2)
	if err := s.Use(models.Denoise, trained, models.Source{Origin: models.Trained}); err != nil {
		t.Fatal(err)
	}
	m, src, _ := s.Current(models.Denoise)
	if m != trained || src.Origin != models.Trained || src.Time.IsZero() {
		t.Fatalf("after Use: model %p (want %p), source %+v with a time", m, trained, src)
	}
	if !strings.HasPrefix(src.String(), "trained in this session at ") {
		t.Errorf("source text %q", src)
	}
	if err := s.Use(models.Denoise, tinyModel(t, models.Watermark, 3), models.Source{Origin: models.Trained}); !errors.Is(err, models.ErrWrongTask) {
		t.Errorf("Use of a watermark model for denoising: %v, want ErrWrongTask", err)
	}
	if m, _, _ := s.Current(models.Denoise); m != trained {
		t.Error("a refused Use replaced the model")
	}
	if err := s.ResetToBundled(models.Denoise); err != nil {
		t.Fatal(err)
	}
	m, src, _ = s.Current(models.Denoise)
	if src.Origin != models.Bundled || !slices.Equal(m.Net.Params(), bundled.Net.Params()) {
		t.Errorf("after reset: source %+v; want the bundled model", src)
	}
	if src.String() != "bundled with Diabolo" {
		t.Errorf("source text %q", src)
	}
}

func TestCloneIsIndependent(t *testing.T) {
	s := models.NewStoreFrom(bundle(map[string][]byte{models.Denoise: encode(t, tinyModel(t, models.Denoise, 1))}))
	c, err := s.Clone(models.Denoise)
	if err != nil {
		t.Fatal(err)
	}
	m, _, _ := s.Current(models.Denoise)
	if c == m || c.Net == m.Net || !slices.Equal(c.Net.Params(), m.Net.Params()) {
		t.Fatal("Clone is not an equal copy")
	}
	c.Net.Params()[0] += 1
	if c.Net.Params()[0] == m.Net.Params()[0] {
		t.Error("changing the clone changed the model in use")
	}
	if _, err := models.NewStoreFrom(noBundle).Clone(models.Denoise); !errors.Is(err, models.ErrNoModel) {
		t.Errorf("Clone without a model: %v", err)
	}
}

func TestRestoreUsesSigma(t *testing.T) {
	s := models.NewStoreFrom(bundle(map[string][]byte{models.Denoise: encode(t, tinyModel(t, models.Denoise, 1))}))
	if !s.TakesNoiseLevel(models.Denoise) {
		t.Fatal("the tiny model reads a noise level")
	}
	img := testImage()
	orig := img.Clone()
	var last float64
	low, err := s.Restore(context.Background(), models.Denoise, img, restore.Options{Sigma: 5}, func(f float64) { last = f })
	if err != nil {
		t.Fatal(err)
	}
	high, _ := s.Restore(context.Background(), models.Denoise, img, restore.Options{Sigma: 60}, nil)
	if !low.SameSize(img) || slices.Equal(low.Pix, high.Pix) {
		t.Error("σ 5 and σ 60 restore identically")
	}
	if last != 1 {
		t.Errorf("last progress %v, want 1", last)
	}
	if !slices.Equal(img.Pix, orig.Pix) {
		t.Error("Restore changed its input")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Restore(ctx, models.Denoise, img, restore.Options{}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Restore with a cancelled context: %v", err)
	}
}

// TestConcurrentRestoreAndOpen opens, saves and resets models while
// restorations run; under -race it checks that the store shares nothing
// unguarded, and each restoration must succeed with one model or the other.
func TestConcurrentRestoreAndOpen(t *testing.T) {
	dir := t.TempDir()
	s := models.NewStoreFrom(bundle(map[string][]byte{models.Denoise: encode(t, tinyModel(t, models.Denoise, 1))}))
	paths := []string{writeModel(t, dir, "a.dae", tinyModel(t, models.Denoise, 2)), writeModel(t, dir, "b.dae", tinyModel(t, models.Denoise, 3))}
	img := testImage()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 3 {
		wg.Go(func() {
			for i := range 4 {
				out, err := s.Restore(context.Background(), models.Denoise, img, restore.Options{Sigma: float64(10*g + i)}, nil)
				if err == nil && !out.SameSize(img) {
					err = errors.New("restored image of another size")
				}
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 6 {
			if err := s.Open(models.Denoise, paths[i%2]); err != nil {
				errs <- err
			}
			s.Describe(models.Denoise)
			if i%3 == 2 {
				if err := s.ResetToBundled(models.Denoise); err != nil {
					errs <- err
				}
			}
			if err := s.Save(models.Denoise, filepath.Join(dir, fmt.Sprintf("s%d.dae", i)), false); err != nil {
				errs <- err
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestDescribe(t *testing.T) {
	m := tinyModel(t, models.Denoise, 1)
	m.Meta = convae.Metadata{
		Task: "denoise", Noise: "gaussian:0-50", Mode: "supervised", Loss: "l1", Steps: 1200, Patch: 64, Batch: 16,
		Data: "12 images (/photos): 11 training, 1 validation", ValPSNR: 30.456, TrainSeconds: 600.4,
		Created: time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC),
	}
	dir := t.TempDir()
	path := writeModel(t, dir, "m.dae", m)
	s := models.NewStoreFrom(noBundle)
	if err := s.Open(models.Denoise, path); err != nil {
		t.Fatal(err)
	}
	want := []models.Field{
		{"source", path},
		{"preset", "tiny"},
		{"parameters", fmt.Sprint(tinySpec.NumParams())},
		{"cost", fmt.Sprintf("%.3f MFLOP per pixel", tinySpec.FLOPsPerPixel()/1e6)},
		{"channels", "4 in, 3 out"},
		{"task", "denoise"},
		{"noise", "gaussian:0-50"},
		{"mode", "supervised"},
		{"loss", "l1"},
		{"steps", "1200 (batch 16 of 64×64 patches)"},
		{"trained for", "10m0s"},
		{"data", "12 images (/photos): 11 training, 1 validation"},
		{"val PSNR", "30.46 dB"},
		{"created", "2025-03-04T05:06:07Z"},
	}
	if got := s.Describe(models.Denoise); !slices.Equal(got, want) {
		t.Errorf("Describe =\n%v\nwant\n%v", got, want)
	}
}

func TestFieldsOmitUnknownTraining(t *testing.T) {
	m := tinyModel(t, "", 1)
	m.Optimizer = convae.NewAdam(1e-3, len(m.Net.Params()))
	var names []string
	for _, f := range models.Fields(m) {
		names = append(names, f.Name)
	}
	want := []string{"preset", "parameters", "cost", "channels", "checkpoint"}
	if !slices.Equal(names, want) {
		t.Errorf("fields %v, want %v", names, want)
	}
}

// A model trained for painted marks says so, right after its task.
func TestFieldsNameABrushModel(t *testing.T) {
	m := tinyModel(t, "watermark", 1)
	m.Meta.Brush = true
	fields := models.Fields(m)
	i := slices.IndexFunc(fields, func(f models.Field) bool { return f.Name == "brush" })
	if i < 1 || fields[i-1].Name != "task" || !strings.Contains(fields[i].Value, "painted over") {
		t.Errorf("fields %v: want a brush line after the task", fields)
	}
}

func TestSourceString(t *testing.T) {
	at := time.Date(2025, 3, 4, 15, 4, 0, 0, time.Local)
	tests := []struct {
		src  models.Source
		want string
	}{
		{models.Source{}, "none"},
		{models.Source{Origin: models.Bundled}, "bundled with Diabolo"},
		{models.Source{Origin: models.Bundled, Saved: "/m.dae"}, "bundled with Diabolo (saved as /m.dae)"},
		{models.Source{Origin: models.File, Path: "/a.dae", Time: at}, "/a.dae"},
		{models.Source{Origin: models.File, Path: "/a.dae", Saved: "/a.dae"}, "/a.dae"},
		{models.Source{Origin: models.Trained, Time: at}, "trained in this session at 15:04"},
		{models.Source{Origin: models.Trained, Time: at, Saved: "/t.dae"}, "trained in this session at 15:04 (saved as /t.dae)"},
	}
	for _, tt := range tests {
		if got := tt.src.String(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.src, got, tt.want)
		}
	}
}
