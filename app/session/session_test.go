package session

import (
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"diabolo/app/corruption"
	"diabolo/app/dataset"
	"diabolo/app/noise"
	"diabolo/app/picture"
	"diabolo/convae"
)

// testData writes a few small smooth images and opens them as a dataset.
func testData(t *testing.T) *dataset.Dataset {
	t.Helper()
	dir := t.TempDir()
	for k := 0; k < 4; k++ {
		img := image.NewNRGBA(image.Rect(0, 0, 48, 40))
		for y := 0; y < 40; y++ {
			for x := 0; x < 48; x++ {
				img.Set(x, y, color.NRGBA{uint8(x * 5), uint8(y * 6), uint8(40 * k), 255})
			}
		}
		f, err := os.Create(filepath.Join(dir, string(rune('a'+k))+".png"))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	d, err := dataset.Open(dir, dataset.Options{Patch: 16, ValFraction: 0.25, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func testConfig(t *testing.T) Config {
	nm, err := noise.Parse("gaussian:25")
	if err != nil {
		t.Fatal(err)
	}
	return Config{
		Data: testData(t), Noise: nm, Spec: convae.RefSpec(4),
		Patch: 16, Batch: 2, ValEvery: 5, ValCrops: 2, ValSide: 16, Seed: 3, Workers: 1,
		EventEvery: time.Millisecond,
	}
}

// recorder collects events safely.
type recorder struct {
	mu     sync.Mutex
	events []Event
}

func (r *recorder) add(e Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func (r *recorder) count(k EventKind) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.events {
		if e.Kind == k {
			n++
		}
	}
	return n
}

func (r *recorder) last(k EventKind) (Event, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.events) - 1; i >= 0; i-- {
		if r.events[i].Kind == k {
			return r.events[i], true
		}
	}
	return Event{}, false
}

// train runs a session to its end and returns the model and the events.
func train(t *testing.T, cfg Config) (*convae.Model, *recorder) {
	t.Helper()
	rec := &recorder{}
	s, err := Start(cfg, rec.add)
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if s.State() != Done {
		t.Errorf("state %v after Wait, want Done", s.State())
	}
	return m, rec
}

func TestStepBudgetAndEvents(t *testing.T) {
	cfg := testConfig(t)
	cfg.Steps = 20
	m, rec := train(t, cfg)
	if m.Meta.Steps != 20 {
		t.Errorf("trained %d steps, want 20", m.Meta.Steps)
	}
	if rec.count(Started) != 1 || rec.count(Finished) != 1 {
		t.Errorf("started %d, finished %d times", rec.count(Started), rec.count(Finished))
	}
	if n := rec.count(Validation); n != 4 {
		t.Errorf("%d validations, want 4 (every 5 of 20 steps)", n)
	}
	v, _ := rec.last(Validation)
	if v.Preview == nil || len(v.Preview.Restored) != 3*16*16 || v.ValPSNR <= 0 || v.NoisyPSNR <= 0 || v.ValSSIM <= 0 {
		t.Errorf("validation event incomplete: %+v", v)
	}
	st, _ := rec.last(Step)
	if st.Step != 20 || st.Progress != 1 || st.Loss <= 0 {
		t.Errorf("last step event %+v", st)
	}
	if m.Meta.Task != "denoise" || m.Meta.Noise != "gaussian:25" || m.Meta.ValPSNR != v.ValPSNR {
		t.Errorf("metadata %+v", m.Meta)
	}
}

func TestTrainingImproves(t *testing.T) {
	cfg := testConfig(t)
	cfg.Steps, cfg.ValEvery, cfg.LR, cfg.Batch = 300, 300, 3e-3, 4
	_, rec := train(t, cfg)
	v, _ := rec.last(Validation)
	if v.ValPSNR < v.NoisyPSNR+1 {
		t.Errorf("after 150 steps the output (%.2f dB) is not 1 dB better than the noisy input (%.2f dB)", v.ValPSNR, v.NoisyPSNR)
	}
}

func TestPauseResumeStop(t *testing.T) {
	cfg := testConfig(t)
	cfg.Steps = 1 << 30
	var rec recorder
	s, err := Start(cfg, rec.add)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return rec.count(Step) > 0 })
	s.Pause()
	waitFor(t, func() bool { return rec.count(Paused) == 1 })
	p, _ := rec.last(Paused)
	time.Sleep(50 * time.Millisecond)
	if st, _ := rec.last(Step); st.Step > p.Step {
		t.Fatalf("step %d ran while paused at %d", st.Step, p.Step)
	}
	if s.State() != PausedState {
		t.Errorf("state %v, want paused", s.State())
	}
	s.Resume()
	waitFor(t, func() bool { st, _ := rec.last(Step); return rec.count(Resumed) == 1 && st.Step > p.Step })
	s.Stop()
	m, err := s.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if m.Meta.Steps <= p.Step {
		t.Errorf("stopped model has %d steps, paused at %d", m.Meta.Steps, p.Step)
	}
	// Stopping while paused ends the run too.
	s2, err := Start(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	s2.Pause()
	s2.Stop()
	done := make(chan struct{})
	go func() { s2.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a paused session did not stop")
	}
}

// TestResumeAfterKill trains with checkpoints, "kills" the run (abandons
// it), and resumes from the checkpoint on disk.
func TestResumeAfterKill(t *testing.T) {
	cfg := testConfig(t)
	ck := filepath.Join(t.TempDir(), "run.ckpt")
	cfg.Steps, cfg.Checkpoint, cfg.CheckpointEvery = 12, ck, time.Nanosecond
	first, _ := train(t, cfg)
	saved, err := loadModel(ck)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Optimizer == nil || saved.Meta.Steps != 12 || saved.Optimizer.Steps() != 12 {
		t.Fatalf("checkpoint: %d steps, optimiser %v", saved.Meta.Steps, saved.Optimizer)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(ck), ".*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
	cfg.Resume, cfg.Steps, cfg.Checkpoint = ck, 20, ""
	second, rec := train(t, cfg)
	if second.Meta.Steps != 20 {
		t.Errorf("resumed run ended at step %d, want 20", second.Meta.Steps)
	}
	if st, _ := rec.last(Started); st.Step != 12 {
		t.Errorf("resumed run started at step %d, want 12", st.Step)
	}
	if equal(first.Net.Params(), second.Net.Params()) {
		t.Error("resuming did not train further")
	}
	cfg.Resume = filepath.Join(t.TempDir(), "missing.ckpt")
	if _, err := Start(cfg, nil); err == nil || !strings.Contains(err.Error(), "missing.ckpt") {
		t.Errorf("resuming from a missing file: %v", err)
	}
}

func equal(a, b []float32) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// poison is a noise model that makes one batch NaN.
type poison struct {
	noise.Model
	calls, at int
}

func (p *poison) Apply(img *picture.Image, rng *rand.Rand) noise.Level {
	p.calls++
	l := p.Model.Apply(img, rng)
	if p.calls == p.at {
		img.Pix[0] = float32(math.NaN())
	}
	return l
}

func TestNaNRecovery(t *testing.T) {
	cfg := testConfig(t)
	cfg.Steps = 15
	// Validation corrupts its crops first (2 calls); then 2 per step.
	cfg.Noise = &poison{Model: cfg.Noise, at: 2 + 2*8}
	m, rec := train(t, cfg)
	w, ok := rec.last(Warning)
	if !ok || !strings.Contains(w.Message, "rolled back") {
		t.Fatalf("no roll-back warning; events: %d", len(rec.events))
	}
	if !allFinite(m.Net.Params()) {
		t.Error("the final model has non-finite parameters")
	}
	if m.Meta.Steps != 15 {
		t.Errorf("ended at step %d, want 15", m.Meta.Steps)
	}
}

func TestConfigErrors(t *testing.T) {
	base := testConfig(t)
	cases := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"no data", func(c *Config) { c.Data = nil }, "no training data"},
		{"no budget", func(c *Config) {}, "no budget"},
		{"bad task", func(c *Config) { c.Steps, c.Task = 1, "paint" }, "unknown task"},
		{"bad patch", func(c *Config) { c.Steps, c.Patch = 1, 18 }, "multiples of 4"},
		{"bad loss", func(c *Config) { c.Steps, c.Loss = 1, "l3" }, "unknown loss"},
		{"brush for denoising", func(c *Config) { c.Steps, c.Brush = 1, true }, "brush training is for task watermark"},
		{"brush without unblend", func(c *Config) { c.Steps, c.Task, c.Brush = 1, "watermark", true }, "needs a network that unblends marks"},
		{"picture loss without brush", func(c *Config) { c.Steps, c.Task, c.PictureLoss = 1, "watermark", true }, "picture loss is an option of brush training"},
	}
	for _, c := range cases {
		cfg := base
		c.edit(&cfg)
		if _, err := Start(cfg, nil); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}

// Brush training learns the marks' opacity and colour alone unless the
// picture loss is asked for: then the unblended picture's loss trains the
// network too, and the same seed leads to other parameters.
func TestBrushPictureLoss(t *testing.T) {
	mark, err := corruption.Parse("watermark:0.5")
	if err != nil {
		t.Fatal(err)
	}
	base := testConfig(t)
	base.Task, base.Brush, base.Noise, base.Steps = "watermark", true, mark, 3
	base.Spec = convae.UNetSpec("tiny-wm", convae.UNetConfig{Width: 4, Levels: 1, Blocks: 1, Unshuffle: true, NoiseLevel: true, Unblend: true})
	params := func(pictureLoss bool) []float32 {
		cfg := base
		cfg.PictureLoss = pictureLoss
		m, _ := train(t, cfg)
		return m.Net.Params()
	}
	marksOnly, again, withPicture := params(false), params(false), params(true)
	if !slices.Equal(marksOnly, again) {
		t.Fatal("two brush runs with the same seed differ: the comparison below would prove nothing")
	}
	if slices.Equal(marksOnly, withPicture) {
		t.Error("the picture loss left the training unchanged")
	}
}

// Brush training of a mark network with a fill trains the fill against
// the clean patches: with the main loss stopped at the unblend op, only
// the fill's loss reaches the fill's outputs of the last convolution.
func TestBrushTrainsTheFill(t *testing.T) {
	mark, err := corruption.Parse("watermark:0.5")
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t)
	cfg.Task, cfg.Brush, cfg.Noise, cfg.Steps = "watermark", true, mark, 3
	cfg.Spec = convae.UNetSpec("tiny-wmf", convae.UNetConfig{Width: 4, Levels: 1, Blocks: 1, NoiseLevel: true, Unblend: true, Fill: true})
	fresh, err := convae.NewNet(cfg.Spec, cfg.Seed)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := train(t, cfg)
	// out.weight is [7, 4, 3, 3]: opacity, colour, then the fill.
	const rowLen = 4 * 3 * 3
	before, after := fresh.Param("out.weight"), m.Net.Param("out.weight")
	if slices.Equal(before[4*rowLen:], after[4*rowLen:]) {
		t.Error("the fill's weights did not move: it gets no loss")
	}
	if slices.Equal(before[:4*rowLen], after[:4*rowLen]) {
		t.Error("the opacity's and colour's weights did not move")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestSmallPhotosGetSmallerValidationCrops trains on photos smaller than the
// validation crop side asked: validation falls back to smaller crops.
func TestSmallPhotosGetSmallerValidationCrops(t *testing.T) {
	cfg := testConfig(t) // 48×40 photos
	cfg.Steps, cfg.ValSide, cfg.ValEvery = 2, 128, 2
	_, rec := train(t, cfg)
	v, ok := rec.last(Validation)
	if !ok || v.Preview == nil || v.Preview.Side != 32 {
		t.Errorf("validation preview %+v, want 32×32 crops", v.Preview)
	}
}
