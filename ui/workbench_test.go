package ui

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"diabolo/app/models"
	"diabolo/app/noise"
	"diabolo/app/picture"
	"diabolo/convae"
)

// newLoadedWindow returns a window whose library holds n small photos, the
// first one shown.
func newLoadedWindow(t *testing.T, r Restorer, n int) *mainWindow {
	t.Helper()
	dir := t.TempDir()
	for i := range n {
		writePNG(t, filepath.Join(dir, string(rune('a'+i))+".png"), 24, 16)
	}
	m := newTestMainWindow(t, Deps{Restorer: r})
	m.library.onDropped(fyne.Position{}, fileURIs(dir))
	m.waitIdle()
	if len(m.library.photos) != n || m.compare.frame == nil {
		t.Fatalf("library holds %d photos (want %d), frame shown: %v", len(m.library.photos), n, m.compare.frame != nil)
	}
	return m
}

func TestRestoreSelected(t *testing.T) {
	r := &fakeRestorer{}
	m := newLoadedWindow(t, r, 2)
	if m.compare.frame.panes[2] != nil || m.compare.scores[2].Text != "Not restored yet" {
		t.Fatal("the restored pane is not empty before restoring")
	}
	test.Tap(m.bench.restoreOne)
	m.waitIdle()

	if got := r.calls(); len(got) != 1 || got[0] != TaskDenoise {
		t.Fatalf("restorer calls = %v, want one denoise", got)
	}
	p := m.library.photos[0]
	if p.result == nil || p.resultOf != m.corruption.settings() {
		t.Fatal("the result was not kept with its settings")
	}
	if m.library.photos[1].result != nil {
		t.Error("restoring the selected photo restored another one")
	}
	f := m.compare.frame
	if f.panes[2] == nil || !strings.HasPrefix(m.compare.scores[2].Text, "PSNR") {
		t.Errorf("restored pane not shown: score %q", m.compare.scores[2].Text)
	}
	if m.bench.status.Text != "Restored 1 photo." || m.bench.progress.Value != 1 {
		t.Errorf("status %q, progress %v", m.bench.status.Text, m.bench.progress.Value)
	}
	if m.bench.restoreOne.Disabled() || !m.bench.stop.Disabled() {
		t.Error("buttons not back to idle")
	}

	// Other settings hide the result; going back shows it again.
	m.corruption.strength.SetValue(60) // ends the change, as a release of the slider does
	m.waitIdle()
	if m.compare.frame.panes[2] != nil {
		t.Error("a result made with other settings is shown")
	}
	m.corruption.strength.SetValue(25)
	m.waitIdle()
	if m.compare.frame.panes[2] == nil {
		t.Error("the result is not shown again with its own settings")
	}
}

func TestRestoreAllAndCancel(t *testing.T) {
	t.Run("all", func(t *testing.T) {
		r := &fakeRestorer{}
		m := newLoadedWindow(t, r, 3)
		test.Tap(m.bench.restoreAll)
		m.waitIdle()
		for _, p := range m.library.photos {
			if p.result == nil {
				t.Errorf("%s not restored", p.name)
			}
		}
		if len(r.calls()) != 3 || m.bench.status.Text != "Restored 3 photos." {
			t.Errorf("%d calls, status %q", len(r.calls()), m.bench.status.Text)
		}
	})
	t.Run("cancel", func(t *testing.T) {
		r := &fakeRestorer{gate: make(chan struct{}), entered: make(chan struct{}, 1)}
		m := newLoadedWindow(t, r, 3)
		test.Tap(m.bench.restoreAll)
		if !m.bench.restoreOne.Disabled() || m.bench.stop.Disabled() {
			t.Error("buttons not in the running state")
		}
		m.bench.restoreLibrary() // ignored while running
		<-r.entered
		test.Tap(m.bench.stop)
		m.waitIdle()
		if len(r.calls()) != 1 {
			t.Errorf("%d restorer calls, want 1 (cancelled during the first)", len(r.calls()))
		}
		for _, p := range m.library.photos {
			if p.result != nil {
				t.Errorf("%s restored despite the cancellation", p.name)
			}
		}
		if m.bench.status.Text != "Cancelled after 0 photos." || m.bench.restoreAll.Disabled() {
			t.Errorf("status %q, restore all disabled %v", m.bench.status.Text, m.bench.restoreAll.Disabled())
		}
		if m.notice.visible() {
			t.Errorf("the cancellation was reported as a failure: %q", m.notice.details.Text)
		}
	})
}

func TestNoRestorer(t *testing.T) {
	m := newTestMainWindow(t, Deps{})
	if !m.bench.restoreOne.Disabled() || !m.bench.restoreAll.Disabled() {
		t.Error("restore buttons enabled without a restorer")
	}
	m.bench.restoreSelected() // must not panic
}

func TestSaveResultNeverOverwrites(t *testing.T) {
	img := picture.New(4, 4)
	png := picture.SaveOptions{EncodeOptions: picture.EncodeOptions{Format: picture.PNG}}
	jpeg := picture.SaveOptions{EncodeOptions: picture.EncodeOptions{Format: picture.JPEG, Quality: 80}}
	tests := []struct {
		name     string
		existing []string // files already in the output folder
		src      string   // relative to the output folder when not absolute
		suffix   string
		opts     picture.SaveOptions
		want     string
	}{
		{"plain", nil, "/elsewhere/cat.jpg", "_denoised", png, "cat_denoised.png"},
		{"JPEG extension", nil, "/elsewhere/cat.png", "_clean", jpeg, "cat_clean.jpg"},
		{"taken name gets a number", []string{"cat_denoised.png"}, "/elsewhere/cat.jpg", "_denoised", png, "cat_denoised-2.png"},
		{"next free number", []string{"cat_denoised.png", "cat_denoised-2.png"}, "/elsewhere/cat.jpg", "_denoised", png, "cat_denoised-3.png"},
		{"original in the same folder with an empty suffix", []string{"cat.png"}, "cat.png", "", png, "cat-2.png"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, name := range tt.existing {
				writeFile(t, filepath.Join(dir, name), "keep me")
			}
			src := tt.src
			if !filepath.IsAbs(src) {
				src = filepath.Join(dir, src)
			}
			out, err := saveResult(dir, src, tt.suffix, img, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if out != filepath.Join(dir, tt.want) {
				t.Errorf("saved to %s, want %s", filepath.Base(out), tt.want)
			}
			for _, name := range tt.existing {
				if b, _ := os.ReadFile(filepath.Join(dir, name)); string(b) != "keep me" {
					t.Errorf("%s was overwritten", name)
				}
			}
			if _, err := picture.Load(out, picture.DecodeOptions{}); err != nil {
				t.Errorf("the saved file does not load: %v", err)
			}
		})
	}
}

func TestSaveAllResults(t *testing.T) {
	m := newLoadedWindow(t, &fakeRestorer{}, 2)
	m.bench.restoreLibrary()
	m.waitIdle()
	out := t.TempDir()
	m.bench.format.SetSelected(formatJPEG)
	m.bench.saveTo(out, m.library.photos)
	m.waitIdle()
	for _, name := range []string{"a_denoised.jpg", "b_denoised.jpg"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("missing %s: %v", name, err)
		}
	}
	if !strings.HasPrefix(m.bench.status.Text, "Saved 2 results") {
		t.Errorf("status %q", m.bench.status.Text)
	}
}

func TestSigmaControl(t *testing.T) {
	tests := []struct {
		name      string
		sigma     float64
		task      Task
		wantText  string // regular expression; "" when the control is hidden
		wantGiven float64
	}{
		{"auto shows the estimate", 0, TaskDenoise, `^auto \(σ≈(\d+)\)$`, 0},
		{"chosen σ", 30, TaskDenoise, `^σ 30$`, 30},
		{"no strength for watermarks", 30, TaskWatermark, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &fakeRestorer{}
			m := newLoadedWindow(t, r, 1)
			m.bench.sigma.SetValue(tt.sigma)
			m.corruption.task.SetSelected(taskNames[tt.task])
			m.waitIdle()
			b := m.bench
			if tt.wantText == "" {
				if b.sigmaRow.Visible() {
					t.Error("the strength control is shown for watermark removal")
				}
			} else {
				match := regexp.MustCompile(tt.wantText).FindStringSubmatch(b.sigmaText.Text)
				if match == nil || !b.sigmaRow.Visible() || b.sigma.Disabled() {
					t.Fatalf("strength shows %q (visible %v, disabled %v), want %s", b.sigmaText.Text, b.sigmaRow.Visible(), b.sigma.Disabled(), tt.wantText)
				}
				// The photo carries Gaussian noise of σ 25 (the default corruption).
				if len(match) > 1 {
					if est, _ := strconv.Atoi(match[1]); est < 15 || est > 35 {
						t.Errorf("estimated σ %d on a photo with σ 25 noise", est)
					}
				}
			}
			test.Tap(b.restoreOne)
			m.waitIdle()
			if got := r.sigmasGiven(); len(got) != 1 || got[0] != tt.wantGiven {
				t.Errorf("restorer given σ %v, want [%v]", got, tt.wantGiven)
			}
		})
	}
}

func TestSigmaPersists(t *testing.T) {
	a := test.NewTempApp(t)
	m := newMainWindow(a, test.NewTempWindow(t, nil), Deps{}, newPumpBridge())
	m.bench.sigma.SetValue(42)
	again := newMainWindow(a, test.NewTempWindow(t, nil), Deps{}, newPumpBridge())
	if again.bench.sigmaSetting() != 42 || again.bench.sigmaText.Text != "σ 42" {
		t.Errorf("after a restart σ is %v (%q), want 42", again.bench.sigmaSetting(), again.bench.sigmaText.Text)
	}
}

func TestSigmaSetByTheModel(t *testing.T) {
	net, err := convae.NewNet(convae.UNetSpec("plain", convae.UNetConfig{Width: 4, Levels: 1, Blocks: 1}), 1)
	if err != nil {
		t.Fatal(err)
	}
	var file bytes.Buffer
	if err := (&convae.Model{Net: net}).Save(&file); err != nil {
		t.Fatal(err)
	}
	store := models.NewStoreFrom(func(task string) ([]byte, error) { return file.Bytes(), nil })
	m := newTestMainWindow(t, Deps{Restorer: &fakeRestorer{}, Models: store})
	if !m.bench.sigma.Disabled() || m.bench.sigmaText.Text != "set by the model" {
		t.Errorf("strength disabled %v, says %q; want disabled, set by the model", m.bench.sigma.Disabled(), m.bench.sigmaText.Text)
	}
}

func TestRestoreWithoutModelExplains(t *testing.T) {
	r := &fakeRestorer{}
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "a.png"), 24, 16)
	m := newTestMainWindow(t, Deps{Restorer: r, Models: testStore(t, false)})
	m.library.onDropped(fyne.Position{}, fileURIs(dir))
	m.waitIdle()
	test.Tap(m.bench.restoreOne)
	m.waitIdle()
	want := "No model for denoise: none is bundled; open a model file or train one."
	if m.bench.status.Text != want || len(r.calls()) != 0 {
		t.Errorf("status %q with %d restorer calls; want %q and none", m.bench.status.Text, len(r.calls()), want)
	}
	if !strings.HasPrefix(m.bench.modelText.Text, "No denoise model") {
		t.Errorf("the Restoration section says %q", m.bench.modelText.Text)
	}
}

func TestDescribeNoise(t *testing.T) {
	cases := []struct {
		sigma  float64
		sensor noise.PoissonGaussianParams
		ok     bool
		want   string
	}{
		{math.NaN(), noise.PoissonGaussianParams{}, false, "–"},
		{23.44, noise.PoissonGaussianParams{}, false, "σ≈23.4"},
		{12, noise.PoissonGaussianParams{B: 0.002}, true, "σ≈12.0, the same at every brightness"},
		{25, noise.PoissonGaussianParams{A: 0.01, B: 0.0004}, true, "σ≈25.0; camera noise: variance 0.0100·signal + 0.00040"},
	}
	for _, c := range cases {
		if got := describeNoise(c.sigma, c.sensor, c.ok); got != c.want {
			t.Errorf("describeNoise(%g, %+v, %v) = %q, want %q", c.sigma, c.sensor, c.ok, got, c.want)
		}
	}
}

// Changing the strength after restoring marks the denoised result out of
// date; setting it back makes it current again.
func TestSigmaChangeMarksTheResultStale(t *testing.T) {
	r := &fakeRestorer{}
	m := newLoadedWindow(t, r, 1)
	m.bench.sigma.SetValue(20)
	m.waitIdle()
	test.Tap(m.bench.restoreOne)
	m.waitIdle()
	result := m.compare.scores[2].Text
	if result == staleSigmaScore || result == "" {
		t.Fatalf("fresh result's quality line %q", result)
	}
	for _, step := range []struct {
		sigma float64
		want  string
	}{
		{35, staleSigmaScore},
		{0, staleSigmaScore},
		{20, result},
	} {
		m.bench.sigma.SetValue(step.sigma)
		m.waitIdle()
		if got := m.compare.scores[2].Text; got != step.want {
			t.Errorf("σ %v: quality line %q, want %q", step.sigma, got, step.want)
		}
	}
}

// Choosing a task with the mouse leaves the keyboard to the window's keys
// (Space, 1, 2, 0), not to the radio item tapped.
func TestTaskSelectorsLeaveTheKeyboardFocus(t *testing.T) {
	m := newLoadedWindow(t, &fakeRestorer{}, 1)
	tests := []struct {
		name  string
		radio *widget.RadioGroup
	}{
		{"workbench task", m.corruption.task},
		{"training task", m.training.task},
	}
	for _, tt := range tests {
		items := test.WidgetRenderer(tt.radio).Objects()
		item, ok := items[len(items)-1].(fyne.Tappable)
		if !ok {
			t.Fatalf("%s: the last radio item (%T) is not tappable", tt.name, items[len(items)-1])
		}
		item.Tapped(&fyne.PointEvent{})
		m.waitIdle()
		if tt.radio.Selected != taskNames[TaskWatermark] {
			t.Errorf("%s: tapping the second item selected %q", tt.name, tt.radio.Selected)
		}
		if f := m.win.Canvas().Focused(); f != nil {
			t.Errorf("%s: the task selector keeps the keyboard focus (%T)", tt.name, f)
		}
	}
}

// Take off shows for watermark removal only, scales the change the model
// makes (restore.Options.Strength), persists, and marks a result made with
// another setting out of date.
func TestTakeOffControl(t *testing.T) {
	tests := []struct {
		name      string
		task      Task
		takeOff   float64
		wantShown bool
		wantText  string
		wantGiven float64
	}{
		{"default for watermarks", TaskWatermark, 100, true, "100%", 1},
		{"more for a ghost left behind", TaskWatermark, 130, true, "130%", 1.3},
		{"less for a halo", TaskWatermark, 50, true, "50%", 0.5},
		{"not for denoising", TaskDenoise, 130, false, "130%", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &fakeRestorer{}
			m := newLoadedWindow(t, r, 1)
			m.corruption.task.SetSelected(taskNames[tt.task])
			m.bench.takeOff.SetValue(tt.takeOff)
			m.waitIdle()
			b := m.bench
			if b.takeOffRow.Visible() != tt.wantShown || b.takeOffText.Text != tt.wantText {
				t.Errorf("Take off shown %v saying %q, want %v and %q", b.takeOffRow.Visible(), b.takeOffText.Text, tt.wantShown, tt.wantText)
			}
			test.Tap(b.restoreOne)
			m.waitIdle()
			got := r.optionsGiven()
			if len(got) != 1 || got[0].Strength != tt.wantGiven {
				t.Fatalf("restorer given %+v, want one call with Strength %v", got, tt.wantGiven)
			}
			if m.compare.stale != "" {
				t.Errorf("a fresh result is marked %q", m.compare.stale)
			}
			b.takeOff.SetValue(tt.takeOff + 10)
			want := ""
			if tt.task == TaskWatermark {
				want = staleTakeOffScore
			}
			if m.compare.stale != want {
				t.Errorf("after Take off moved the result is marked %q, want %q", m.compare.stale, want)
			}
		})
	}
}

func TestTakeOffPersists(t *testing.T) {
	a := test.NewTempApp(t)
	m := newMainWindow(a, test.NewTempWindow(t, nil), Deps{}, newPumpBridge())
	m.bench.takeOff.SetValue(120)
	again := newMainWindow(a, test.NewTempWindow(t, nil), Deps{}, newPumpBridge())
	if again.bench.takeOffSetting() != 1.2 || again.bench.takeOffText.Text != "120%" {
		t.Errorf("after a restart Take off is %v (%q), want 1.2 (120%%)", again.bench.takeOffSetting(), again.bench.takeOffText.Text)
	}
}

// The Passes control sets how many passes the denoiser makes, is kept
// across restarts, and a change marks a denoised result out of date.
func TestPassesControl(t *testing.T) {
	r := &fakeRestorer{}
	m := newLoadedWindow(t, r, 1)
	b := m.bench
	if !b.sigmaRow.Visible() || b.passesSetting() != 1 {
		t.Fatalf("Passes shown %v, set to %d; want shown, 1", b.sigmaRow.Visible(), b.passesSetting())
	}
	b.passes.SetSelected(passesLabel(4))
	test.Tap(b.restoreOne)
	m.waitIdle()
	if opts := r.optionsGiven(); len(opts) != 1 || opts[0].Passes != 4 {
		t.Fatalf("restorer given %+v, want 4 passes", opts)
	}
	result := m.compare.scores[2].Text
	for _, step := range []struct {
		passes int
		want   string
	}{
		{8, stalePassesScore},
		{4, result},
	} {
		b.passes.SetSelected(passesLabel(step.passes))
		m.waitIdle()
		if got := m.compare.scores[2].Text; got != step.want {
			t.Errorf("%d passes: quality line %q, want %q", step.passes, got, step.want)
		}
	}
	again := newMainWindow(m.app, test.NewTempWindow(t, nil), Deps{}, newPumpBridge())
	if got := again.bench.passesSetting(); got != 4 {
		t.Errorf("after a restart, %d passes; want 4", got)
	}
	if passesLabel(3) != passesLabel(1) {
		t.Error("3 passes, not offered, is not shown as 1")
	}
}
