package ui

import (
	"errors"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"diabolo/app/models"
	"diabolo/app/session"
	"diabolo/convae"
)

func TestTrainStateMachine(t *testing.T) {
	states := []trainState{trainIdle, trainStarting, trainRunning, trainPaused, trainStopping}
	actions := []trainAction{actStart, actStarted, actPause, actResume, actStop, actEnd}
	// allowed lists every legal move; all others leave the state as it is.
	allowed := map[trainState]map[trainAction]trainState{
		trainIdle:     {actStart: trainStarting},
		trainStarting: {actStarted: trainRunning, actStop: trainStopping, actEnd: trainIdle},
		trainRunning:  {actPause: trainPaused, actStop: trainStopping, actEnd: trainIdle},
		trainPaused:   {actResume: trainRunning, actStop: trainStopping, actEnd: trainIdle},
		trainStopping: {actEnd: trainIdle},
	}
	for _, s := range states {
		for _, a := range actions {
			want, ok := allowed[s][a]
			if !ok {
				want = s
			}
			if got, gotOK := s.next(a); got != want || gotOK != ok {
				t.Errorf("%v.next(%d) = %v, %v; want %v, %v", s, a, got, gotOK, want, ok)
			}
		}
	}
	buttons := map[trainState]trainButtons{
		trainIdle:     {start: true},
		trainStarting: {stop: true},
		trainRunning:  {pause: true, stop: true},
		trainPaused:   {resume: true, stop: true},
		trainStopping: {},
	}
	for s, want := range buttons {
		if got := s.buttons(); got != want {
			t.Errorf("%v: buttons %+v, want %+v", s, got, want)
		}
	}
}

// enabled returns the buttons of v that are enabled.
func (v *trainingView) enabled() trainButtons {
	return trainButtons{!v.start.Disabled(), !v.pause.Disabled(), !v.resume.Disabled(), !v.stop.Disabled()}
}

// TestTrainingRun drives a real (tiny) run: Start, Pause, Space to resume
// and pause again, Resume, Stop; the buttons follow, and the trained model
// ends up in use.
func TestTrainingRun(t *testing.T) {
	m := newTrainingWindow(t, 3, newPumpBridge())
	v := m.training
	checkState := func(want trainState) {
		t.Helper()
		if v.state != want || v.enabled() != want.buttons() {
			t.Fatalf("state %v with buttons %+v, want %v with %+v", v.state, v.enabled(), want, want.buttons())
		}
	}
	checkState(trainIdle)

	test.Tap(v.start)
	checkState(trainStarting)
	if !v.minutes.Disabled() || !v.source.Disabled() || !v.batch.Disabled() {
		t.Error("settings can be changed while training")
	}
	m.pumpUntil(t, "the session to run", func() bool { return v.state == trainRunning && v.chart.raw.len() > 0 })
	checkState(trainRunning)

	test.Tap(v.pause)
	checkState(trainPaused)
	m.pumpUntil(t, "the Paused event", func() bool { return strings.HasPrefix(v.status.Text, "Paused at step") })
	frozen := v.chart.raw.len()
	m.pumpUntil(t, "a moment", waitFor(100*time.Millisecond))
	if v.chart.raw.len() != frozen {
		t.Errorf("the chart grew from %d to %d points while paused", frozen, v.chart.raw.len())
	}

	test.TypeOnCanvas(m.win.Canvas(), " ") // Space resumes
	checkState(trainRunning)
	m.pumpUntil(t, "more steps", func() bool { return v.chart.raw.len() > frozen })
	test.TypeOnCanvas(m.win.Canvas(), " ") // and pauses
	checkState(trainPaused)
	test.Tap(v.resume)
	checkState(trainRunning)

	test.Tap(v.stop)
	checkState(trainStopping)
	m.waitIdle()
	checkState(trainIdle)
	if v.minutes.Disabled() || v.source.Disabled() {
		t.Error("settings still disabled after the run")
	}
	if !strings.HasPrefix(v.status.Text, "Model trained for ") || !strings.HasSuffix(v.status.Text, "is now in use — Save model… to keep it.") {
		t.Errorf("status %q", v.status.Text)
	}
	model, src, _ := m.bench.models.Current(models.Denoise)
	if src.Origin != models.Trained || model.Meta.Steps == 0 || model.Meta.Notes != "fine-tuned" {
		t.Errorf("model in use: source %+v, %d steps, notes %q; want the fine-tuned model", src, model.Meta.Steps, model.Meta.Notes)
	}
	if !strings.Contains(m.bench.modelText.Text, "trained in this session") {
		t.Errorf("the Restoration section says %q", m.bench.modelText.Text)
	}
	if v.psnrValue.Text == "—" || v.preview[2].Image == nil {
		t.Errorf("no validation shown: PSNR %q, preview %v", v.psnrValue.Text, v.preview[2].Image != nil)
	}
}

// waitFor returns a condition that holds once d has passed.
func waitFor(d time.Duration) func() bool {
	end := time.Now().Add(d)
	return func() bool { return time.Now().After(end) }
}

func TestSpaceOnlyOnTheTrainingTab(t *testing.T) {
	m := newTrainingWindow(t, 0, newPumpBridge())
	m.tabs.SelectIndex(0)
	test.TypeOnCanvas(m.win.Canvas(), " ")
	if m.training.state != trainIdle || m.training.status.Text != "" {
		t.Errorf("Space on the Compare tab: state %v, status %q", m.training.state, m.training.status.Text)
	}
	m.tabs.Select(m.trainingTab)
	test.TypeOnCanvas(m.win.Canvas(), " ")
	if !strings.Contains(m.training.status.Text, "no photos") {
		t.Errorf("Space on the Training tab did not try to start: status %q", m.training.status.Text)
	}
}

func TestStartRefused(t *testing.T) {
	empty := t.TempDir()
	writeFile(t, filepath.Join(empty, "notes.txt"), "no photos here")
	tests := []struct {
		name    string
		photos  int
		setup   func(v *trainingView)
		want    string // in the status
		started bool   // the run started, then failed
	}{
		{"empty library", 0, nil, "Cannot start: there are no photos to train on: add photos to the library, or choose a folder.", false},
		{"no folder chosen", 1, func(v *trainingView) { v.source.SetSelected(dataFolder) }, "Cannot start: choose a folder of photos to train on.", false},
		{"folder without photos", 0, func(v *trainingView) { v.setFolder(empty) }, "Could not start training: no readable images in " + empty, true},
		{"photos smaller than a patch", 0, func(v *trainingView) {
			dir := t.TempDir()
			writePNG(t, filepath.Join(dir, "small.png"), 20, 20)
			v.setFolder(dir)
		}, "Could not start training: ", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newTrainingWindow(t, tt.photos, newPumpBridge())
			v := m.training
			if tt.setup != nil {
				tt.setup(v)
				m.waitIdle()
			}
			test.Tap(v.start)
			if !tt.started && v.state != trainIdle {
				t.Errorf("state %v after a refused start", v.state)
			}
			m.waitIdle()
			if !strings.HasPrefix(v.status.Text, tt.want) || v.status.Importance != widget.DangerImportance {
				t.Errorf("status %q (importance %v), want %q as an error", v.status.Text, v.status.Importance, tt.want)
			}
			if v.state != trainIdle || v.start.Disabled() {
				t.Errorf("state %v, start disabled %v; want idle", v.state, v.start.Disabled())
			}
			if _, src, _ := m.bench.models.Current(models.Denoise); src.Origin != models.Bundled {
				t.Errorf("a failed start replaced the model: %+v", src)
			}
		})
	}
}

func TestTrainingRequest(t *testing.T) {
	tests := []struct {
		name     string
		set      func(v *trainingView)
		mode     string
		noise    string // "" for none
		fineTune bool
		spec     string
		batch    int
		minutes  float64
	}{
		{"defaults: fine-tune, blind Gaussian", nil, session.Supervised, "gaussian:0-50+quantize", true, "", 4, defaultMinutes},
		{"fresh network", func(v *trainingView) {
			v.from.SetSelected(fromScratch)
			v.preset.SetSelectedIndex(v.presetIndex("unet-s"))
		}, session.Supervised, "gaussian:0-50+quantize", false, "unet-s", 4, defaultMinutes},
		{"noisy photos alone", func(v *trainingView) { v.selfSup.SetChecked(true) }, session.SelfSupervised, "", true, "", 4, defaultMinutes},
		{"JPEG artefacts, bigger batch, an hour", func(v *trainingView) {
			v.noiseKind.SetSelected("JPEG artefacts")
			v.noiseLevel.SetValue(40)
			v.batch.SetSelected("32")
			v.minutes.SetValue(60)
		}, session.Supervised, "jpeg:40", true, "", 32, 60},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newTrainingWindow(t, 1, newPumpBridge())
			v := m.training
			if tt.set != nil {
				tt.set(v)
			}
			if v.selfSup.Checked == v.noiseKind.Disabled() == false {
				t.Error("the corruption is not disabled exactly in self-supervised mode")
			}
			r, err := v.request()
			if err != nil {
				t.Fatal(err)
			}
			noise := ""
			if r.cfg.Noise != nil {
				noise = r.cfg.Noise.String()
			}
			if r.cfg.Mode != tt.mode || noise != tt.noise || r.fineTune != tt.fineTune || r.cfg.Spec.Name != tt.spec ||
				r.cfg.Batch != tt.batch || r.cfg.Patch != 32 || r.cfg.Duration != time.Duration(tt.minutes*float64(time.Minute)) {
				t.Errorf("request: mode %q noise %q fine-tune %v spec %q batch %d patch %d duration %v",
					r.cfg.Mode, noise, r.fineTune, r.cfg.Spec.Name, r.cfg.Batch, r.cfg.Patch, r.cfg.Duration)
			}
			if len(r.paths) != 1 || r.task != TaskDenoise {
				t.Errorf("request: paths %v, task %v", r.paths, r.task)
			}
			if v.preset.Hidden != tt.fineTune {
				t.Errorf("preset selector hidden %v while fine-tuning is %v", v.preset.Hidden, tt.fineTune)
			}
		})
	}
}

// TestWatermarkTraining trains a tiny watermark remover for a few steps on
// synthetic marks.
func TestWatermarkTraining(t *testing.T) {
	m := newTrainingWindow(t, 2, newPumpBridge())
	v := m.training
	v.selfSup.SetChecked(true)
	v.task.SetSelected(taskNames[TaskWatermark])
	if v.selfSup.Checked || !v.selfSup.Disabled() {
		t.Error("self-supervised training is offered for watermarks")
	}
	if v.noiseKind.Selected != "Text and logos, any layout" || len(v.noiseKind.Options) != 5 {
		t.Errorf("corruptions %q, %q selected; want the watermark kinds", v.noiseKind.Options, v.noiseKind.Selected)
	}
	if v.from.Selected != fromScratch || !v.from.Disabled() {
		t.Error("fine-tuning offered without a watermark model")
	}

	// Fine-tune a tiny watermark model rather than train a preset.
	store := m.bench.models
	tiny, err := store.Clone(models.Denoise)
	if err != nil {
		t.Fatal(err)
	}
	tiny.Meta.Task = models.Watermark
	if err := store.Use(models.Watermark, tiny, models.Source{Origin: models.File, Path: "tiny.dae"}); err != nil {
		t.Fatal(err)
	}
	m.onModelChanged(TaskWatermark)
	v.from.SetSelected(fromCurrent)
	v.noiseKind.SetSelected("Text")
	v.noiseLevel.SetValue(0.6)
	v.opts.steps = 10
	r, err := v.request()
	if err != nil {
		t.Fatal(err)
	}
	if r.task != TaskWatermark || r.cfg.Task != "watermark" || r.cfg.Noise.String() != "watermark:text,0.2-0.6" || !r.fineTune {
		t.Fatalf("request: task %v/%q, corruption %v, fine-tune %v", r.task, r.cfg.Task, r.cfg.Noise, r.fineTune)
	}
	test.Tap(v.start)
	m.waitIdle()
	if !strings.HasPrefix(v.status.Text, "Model trained for 10 steps") {
		t.Fatalf("status %q", v.status.Text)
	}
	if got := [3]string{v.previewTitles[0].Text, v.previewTitles[1].Text, v.previewTitles[2].Text}; got != [3]string{"Clean", "Marked", "Cleaned"} {
		t.Errorf("preview titles %q", got)
	}
	if _, src, _ := store.Current(models.Watermark); src.Origin != models.Trained {
		t.Errorf("watermark model source %+v, want trained", src)
	}
	if _, src, _ := store.Current(models.Denoise); src.Origin != models.Bundled {
		t.Errorf("training for watermarks changed the denoiser: %+v", src)
	}
}

func TestFineTuneNeedsAModel(t *testing.T) {
	a := test.NewTempApp(t)
	m := newMainWindow(a, test.NewTempWindow(t, nil), Deps{Models: testStore(t, false)}, newPumpBridge())
	v := m.training
	if v.from.Selected != fromScratch || !v.from.Disabled() || !strings.Contains(v.fromNote.Text, "no denoise model to fine-tune") {
		t.Errorf("without a model: choice %q (disabled %v), note %q", v.from.Selected, v.from.Disabled(), v.fromNote.Text)
	}
	if v.preset.Hidden || v.preset.Disabled() {
		t.Error("the preset cannot be chosen for a fresh network")
	}
}

func TestNoTrainingWithoutStore(t *testing.T) {
	m := newTestMainWindow(t, Deps{})
	v := m.training
	if !v.start.Disabled() || !strings.Contains(v.status.Text, "not available") {
		t.Errorf("start disabled %v, status %q", v.start.Disabled(), v.status.Text)
	}
	v.toggle() // must not start or panic
	if v.state != trainIdle {
		t.Errorf("state %v", v.state)
	}
}

// runningView returns the Training tab of a window in the running state of
// a run that has no session, for feeding it synthetic events.
func runningView(t *testing.T) (*mainWindow, *trainingRun) {
	t.Helper()
	m := newTrainingWindow(t, 0, newPumpBridge())
	v := m.training
	tr := &trainingRun{task: TaskDenoise}
	v.run = tr
	v.transition(actStart)
	v.transition(actStarted)
	return m, tr
}

func TestEventsUpdateTheChartAndNumbers(t *testing.T) {
	m, tr := runningView(t)
	v := m.training
	for i := 1; i <= 40; i++ {
		v.onEvent(tr, session.Event{Kind: session.Step, Step: 10 * i, TotalSteps: 400, Elapsed: time.Duration(i) * 250 * time.Millisecond,
			Progress: float64(i) / 40, ETA: time.Duration(40-i) * 250 * time.Millisecond, Loss: 0.1 / float64(i), PatchesPerS: 123.4})
		if i%10 == 0 {
			v.onEvent(tr, session.Event{Kind: session.Validation, Step: 10 * i, ValLoss: 0.2 / float64(i), ValPSNR: 28 + float64(i)/10, NoisyPSNR: 20.5, ValSSIM: 0.8})
		}
	}
	old := &trainingRun{}
	v.onEvent(old, session.Event{Kind: session.Step, Step: 9999, Loss: 1})
	m.ui.(*pumpBridge).drain()

	if v.chart.raw.len() != 40 || v.chart.smooth.len() != 40 || v.chart.val.len() != 4 {
		t.Errorf("chart has %d raw, %d smoothed, %d validation points; want 40, 40, 4", v.chart.raw.len(), v.chart.smooth.len(), v.chart.val.len())
	}
	want := map[*widget.Label]string{
		v.stepValue: "400 of 400", v.speedValue: "123 patches/s", v.elapsedValue: "0:10", v.etaValue: "0:00",
		v.psnrValue: "32.00 dB", v.noisyValue: "20.50 dB", v.ssimValue: "0.800",
	}
	for l, text := range want {
		if l.Text != text {
			t.Errorf("label shows %q, want %q", l.Text, text)
		}
	}
	if v.lossValue.Text == "—" || v.progress.Value != 1 {
		t.Errorf("loss %q, progress %v", v.lossValue.Text, v.progress.Value)
	}

	// Warnings accumulate, the last few shown.
	for i := range maxWarnings + 2 {
		v.onEvent(tr, session.Event{Kind: session.Warning, Message: fmt.Sprintf("problem %d", i)})
	}
	m.ui.(*pumpBridge).drain()
	if !v.warnings.Visible() || strings.Count(v.warnings.Text, "Warning: ") != maxWarnings || !strings.Contains(v.warnings.Text, fmt.Sprintf("problem %d", maxWarnings+1)) {
		t.Errorf("warnings shown %v: %q", v.warnings.Visible(), v.warnings.Text)
	}
}

func TestPreviewFromValidationEvent(t *testing.T) {
	const side = 4
	plane := func(v float32) []float32 {
		p := make([]float32, 3*side*side)
		for i := range p {
			p[i] = v
		}
		return p
	}
	tests := []struct {
		name   string
		clean  []float32
		titles [3]string
		want   [3]uint8 // grey level of each pane; 0 with no image
	}{
		{"clean, noisy, restored", plane(1), [3]string{"Clean", "Noisy", "Restored"}, [3]uint8{255, 0, 128}},
		{"noisy photos alone", nil, [3]string{"", "Input", "Output"}, [3]uint8{0, 0, 128}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, tr := runningView(t)
			v := m.training
			v.onEvent(tr, session.Event{Kind: session.Validation, Step: 5, ValLoss: 0.1,
				Preview: &session.Preview{Side: side, Clean: tt.clean, Noisy: plane(0), Restored: plane(0.5)}})
			m.ui.(*pumpBridge).drain()
			if v.previewHint.Visible() {
				t.Error("the hint still covers the preview")
			}
			for i, img := range v.preview {
				if v.previewTitles[i].Text != tt.titles[i] {
					t.Errorf("pane %d titled %q, want %q", i, v.previewTitles[i].Text, tt.titles[i])
				}
				if i == 0 && tt.clean == nil {
					if img.Visible() {
						t.Error("the clean pane is shown without clean crops")
					}
					continue
				}
				if img.Image == nil || img.Image.Bounds().Dx() != side {
					t.Fatalf("pane %d: image %v", i, img.Image)
				}
				if got := img.Image.At(1, 2); got != (color.NRGBA{tt.want[i], tt.want[i], tt.want[i], 255}) {
					t.Errorf("pane %d pixel %v, want grey %d", i, got, tt.want[i])
				}
			}
		})
	}
}

func TestRunEnd(t *testing.T) {
	trained := func(steps int, psnr float64) *convae.Model {
		net, err := convae.NewNet(tinySpec, 5)
		if err != nil {
			t.Fatal(err)
		}
		return &convae.Model{Net: net, Meta: convae.Metadata{Task: "denoise", Steps: steps, ValPSNR: psnr}}
	}
	tests := []struct {
		name      string
		model     *convae.Model
		err       error
		want      string
		installed bool
	}{
		{"trained", trained(12, 30), nil, "Model trained for 12 steps (val PSNR 30.00 dB) is now in use — Save model… to keep it.", true},
		{"trained without clean photos", trained(7, 0), nil, "Model trained for 7 steps is now in use — Save model… to keep it.", true},
		{"stopped at once", trained(0, 0), nil, "Stopped before the first step: the model in use is unchanged.", false},
		{"failed", nil, errors.New("out of memory"), "Training failed: out of memory", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, tr := runningView(t)
			v := m.training
			v.finished(tr, tt.model, tt.err)
			if v.state != trainIdle || v.status.Text != tt.want {
				t.Errorf("state %v, status %q; want idle, %q", v.state, v.status.Text, tt.want)
			}
			cur, src, _ := m.bench.models.Current(models.Denoise)
			if got := cur == tt.model && src.Origin == models.Trained; got != tt.installed {
				t.Errorf("model installed %v, want %v", got, tt.installed)
			}
		})
	}
}

func TestSkippedPhotosAreReported(t *testing.T) {
	dir := t.TempDir()
	for i := range 3 {
		writePNG(t, filepath.Join(dir, fmt.Sprintf("p%d.png", i)), 64, 48)
	}
	writeFile(t, filepath.Join(dir, "broken.png"), "not a picture")
	m := newTrainingWindow(t, 0, newPumpBridge())
	v := m.training
	v.opts.steps = 15
	v.setFolder(dir)
	test.Tap(v.start)
	m.waitIdle()
	if !strings.HasPrefix(v.status.Text, "Model trained for 15 steps") {
		t.Fatalf("status %q", v.status.Text)
	}
	if !m.notice.visible() || !strings.Contains(m.notice.details.Text, "broken.png") || !strings.Contains(m.notice.summary.Text, "training") {
		t.Errorf("notice %q: %q", m.notice.summary.Text, m.notice.details.Text)
	}
	if _, err := os.Stat(filepath.Join(dir, "broken.png")); err != nil {
		t.Error(err)
	}
}

func TestStartAsksBeforeReplacingAnUnsavedModel(t *testing.T) {
	m := newTrainingWindow(t, 1, newPumpBridge())
	store := m.bench.models
	trained, err := store.Clone(models.Denoise)
	if err != nil {
		t.Fatal(err)
	}
	store.Use(models.Denoise, trained, models.Source{Origin: models.Trained})
	test.Tap(m.training.start)
	if text := overlayText(m.win.Canvas()); !strings.Contains(text, "has not been saved") || m.training.state != trainIdle {
		t.Fatalf("state %v, dialog %q; want idle and a question", m.training.state, text)
	}
	if _, src, _ := store.Current(models.Denoise); src.Origin != models.Trained {
		t.Error("the unsaved model was replaced before answering")
	}
}

// The brush option, for watermark models only, asks the session for a
// model of painted marks.
func TestTrainingBrushOption(t *testing.T) {
	m := newTrainingWindow(t, 1, newPumpBridge())
	v := m.training
	if !v.brushOnly.Disabled() {
		t.Error("the brush option is offered for denoising")
	}
	v.task.SetSelected(taskNames[TaskWatermark])
	if v.brushOnly.Disabled() {
		t.Fatal("the brush option is disabled for watermarks")
	}
	v.brushOnly.SetChecked(true)
	if r, err := v.request(); err != nil || !r.cfg.Brush {
		t.Errorf("request with the brush option: Brush %v, %v", r.cfg.Brush, err)
	}
	v.task.SetSelected(taskNames[TaskDenoise])
	if r, err := v.request(); err != nil || r.cfg.Brush || !v.brushOnly.Disabled() {
		t.Errorf("denoising: Brush %v (%v), option disabled %v", r.cfg.Brush, err, v.brushOnly.Disabled())
	}
}
