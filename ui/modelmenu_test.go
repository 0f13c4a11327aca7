package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"diabolo/app/models"
	"diabolo/convae"
)

// newModelsWindow returns a window whose store bundles a tiny denoiser, or
// nothing.
func newModelsWindow(t *testing.T, bundled bool) *mainWindow {
	t.Helper()
	return newTestMainWindow(t, Deps{Restorer: &fakeRestorer{}, Models: testStore(t, bundled)})
}

func TestOpenModelErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	watermark := tinyModelFile(t, 2)
	m, err := convae.Load(strings.NewReader(string(watermark)))
	if err != nil {
		t.Fatal(err)
	}
	m.Meta.Task = "watermark"
	wm := filepath.Join(dir, "wm.dae")
	f, _ := os.Create(wm)
	m.Save(f)
	f.Close()
	corrupt := filepath.Join(dir, "corrupt.dae")
	writeFile(t, corrupt, "DIABOLO\x00\x01\x00\x00\x00 this is not a model")
	tests := []struct {
		name string
		path string
		want string
	}{
		{"corrupt", corrupt, "corrupted model file"},
		{"missing", filepath.Join(dir, "missing.dae"), "no such file"},
		{"another task", wm, "a watermark model, not a denoise model"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newModelsWindow(t, true)
			w.modelMenu.open(TaskDenoise, tt.path)
			w.waitIdle()
			text := overlayText(w.win.Canvas())
			if !strings.Contains(text, tt.path) || !strings.Contains(text, tt.want) {
				t.Errorf("dialog says %q; want it to name %s and say %q", text, tt.path, tt.want)
			}
			if _, src, _ := w.bench.models.Current(models.Denoise); src.Origin != models.Bundled {
				t.Errorf("a failed open replaced the model: %+v", src)
			}
		})
	}
}

func TestOpenSaveResetModel(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "mine.dae")
	if err := os.WriteFile(in, tinyModelFile(t, 9), 0o644); err != nil {
		t.Fatal(err)
	}
	w := newModelsWindow(t, true)
	changed := 0
	w.modelMenu.onChanged = func(Task) { changed++; w.onModelChanged(TaskDenoise) }

	w.modelMenu.open(TaskDenoise, in)
	w.waitIdle()
	if d := overlayText(w.win.Canvas()); d != "" {
		t.Fatalf("dialog after a good open: %q", d)
	}
	if !strings.Contains(w.bench.modelText.Text, in) || !strings.Contains(w.training.fromNote.Text, in) {
		t.Errorf("after opening: restoration says %q, training says %q", w.bench.modelText.Text, w.training.fromNote.Text)
	}

	// Fyne's save dialog creates the file empty before handing it over.
	out := filepath.Join(dir, "saved.dae")
	writeFile(t, out, "")
	w.modelMenu.save(TaskDenoise, out)
	w.waitIdle()
	if err := models.NewStoreFrom(testBundleNone).Open(models.Denoise, out); err != nil {
		t.Errorf("the saved file does not open: %v", err)
	}

	w.modelMenu.resetModel()
	if overlayText(w.win.Canvas()) != "" {
		t.Error("resetting a model opened from a file asked for confirmation")
	}
	if !strings.Contains(w.bench.modelText.Text, "bundled with Diabolo") || changed != 3 {
		t.Errorf("after reset: %q, %d changes reported (want 3)", w.bench.modelText.Text, changed)
	}
}

// testBundleNone bundles nothing.
func testBundleNone(string) ([]byte, error) { return nil, os.ErrNotExist }

func TestSaveWithoutModel(t *testing.T) {
	w := newModelsWindow(t, false)
	w.modelMenu.saveModel()
	if text := overlayText(w.win.Canvas()); !strings.Contains(text, "none is bundled") {
		t.Errorf("Save Model… without a model: dialog %q", text)
	}

	// A save that fails removes the empty file the dialog created.
	out := filepath.Join(t.TempDir(), "x.dae")
	writeFile(t, out, "")
	w.modelMenu.save(TaskDenoise, out)
	w.waitIdle()
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("the empty file is left behind: %v", err)
	}
}

func TestResetModel(t *testing.T) {
	t.Run("without a bundled model", func(t *testing.T) {
		w := newModelsWindow(t, false)
		w.modelMenu.resetModel()
		if text := overlayText(w.win.Canvas()); !strings.Contains(text, "none is bundled") {
			t.Errorf("dialog %q", text)
		}
	})
	t.Run("an unsaved trained model", func(t *testing.T) {
		w := newModelsWindow(t, true)
		store := w.bench.models
		trained, err := store.Clone(models.Denoise)
		if err != nil {
			t.Fatal(err)
		}
		store.Use(models.Denoise, trained, models.Source{Origin: models.Trained})
		w.modelMenu.resetModel()
		if text := overlayText(w.win.Canvas()); !strings.Contains(text, "has not been saved") {
			t.Errorf("no confirmation before discarding the trained model: %q", text)
		}
		if m, _, _ := store.Current(models.Denoise); m != trained {
			t.Error("the trained model was discarded before confirming")
		}
	})
}

func TestModelInfoDialog(t *testing.T) {
	w := newModelsWindow(t, true)
	test.Tap(w.bench.modelInfo)
	text := overlayText(w.win.Canvas())
	for _, want := range []string{"Denoising model", "source", "bundled with Diabolo", "preset", "tiny", "parameters", "2328", "cost", "MFLOP per pixel"} {
		if !strings.Contains(text, want) {
			t.Errorf("info dialog lacks %q:\n%s", want, text)
		}
	}
}

func TestModelsMenu(t *testing.T) {
	tests := []struct {
		name         string
		deps         Deps
		wantDisabled bool
	}{
		{"with a store", Deps{Models: testStore(t, true)}, false},
		{"without a store", Deps{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newTestMainWindow(t, tt.deps)
			var menu *fyne.Menu
			for _, mm := range w.win.MainMenu().Items {
				if mm.Label == "Models" {
					menu = mm
				}
			}
			if menu == nil {
				t.Fatal("no Models menu")
			}
			for _, it := range menu.Items {
				if !it.IsSeparator && it.Disabled != tt.wantDisabled {
					t.Errorf("%q disabled %v, want %v", it.Label, it.Disabled, tt.wantDisabled)
				}
			}
		})
	}
}
