package ui

import (
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

func TestMainWindowRendering(t *testing.T) {
	m := newTestMainWindow(t, Deps{})
	test.AssertRendersToMarkup(t, "main_window.xml", m.win.Canvas())
}

func TestZoomKeys(t *testing.T) {
	tests := []struct {
		keys      string
		wantScale float64 // 0: the fit scale
		wantFit   bool
	}{
		{"1", 1, false},
		{"2", 2, false},
		{"20", 0, true},
		{"1+", zoomStep, false},
		{"1=", zoomStep, false},
		{"2-", 2 / zoomStep, false},
	}
	for _, tt := range tests {
		t.Run(tt.keys, func(t *testing.T) {
			m := newLoadedWindow(t, nil, 1)
			test.TypeOnCanvas(m.win.Canvas(), tt.keys)
			v := m.compare.group.view
			want := tt.wantScale
			if tt.wantFit {
				want = v.fitScale()
			}
			if !near(v.scale, want) || v.fit != tt.wantFit {
				t.Errorf("after %q: scale %v fit %v, want %v %v", tt.keys, v.scale, v.fit, want, tt.wantFit)
			}
		})
	}
}

func TestShortcuts(t *testing.T) {
	tests := []struct {
		name       string
		shortcut   fyne.Shortcut
		wantDialog bool
		wantStatus string
	}{
		{"Ctrl+O opens the file dialog", shortcutOpenFiles, true, ""},
		{"Ctrl+Shift+O opens the folder dialog", shortcutOpenFolder, true, ""},
		{"Ctrl+S without a result explains", shortcutSave, false, "Nothing to save yet: restore a photo first."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newTestMainWindow(t, Deps{Restorer: &fakeRestorer{}})
			c := m.win.Canvas()
			c.(fyne.Shortcutable).TypedShortcut(tt.shortcut)
			if got := c.Overlays().Top() != nil; got != tt.wantDialog {
				t.Errorf("dialog shown = %v, want %v", got, tt.wantDialog)
			}
			if tt.wantStatus != "" && m.bench.status.Text != tt.wantStatus {
				t.Errorf("status = %q, want %q", m.bench.status.Text, tt.wantStatus)
			}
		})
	}
}

func TestSettingsPersist(t *testing.T) {
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	m := newMainWindow(a, w, Deps{}, newPumpBridge())
	w.Resize(fyne.NewSize(1000, 700))
	m.compare.setMode(modeSlider)
	m.bench.format.SetSelected(formatJPEG)
	m.onClosed()

	p := a.Preferences()
	if p.Float(prefWindowWidth) != 1000 || p.Float(prefWindowHeight) != 700 {
		t.Errorf("saved window size %vx%v, want 1000x700", p.Float(prefWindowWidth), p.Float(prefWindowHeight))
	}
	again := newMainWindow(a, test.NewTempWindow(t, nil), Deps{}, newPumpBridge())
	if again.compare.mode.Selected != modeSlider || again.bench.format.Selected != formatJPEG {
		t.Errorf("after a restart: mode %q, format %q", again.compare.mode.Selected, again.bench.format.Selected)
	}
}

func TestDepsOpen(t *testing.T) {
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "x.png"), 10, 10)
	a := test.NewTempApp(t)
	m := newMainWindow(a, test.NewTempWindow(t, nil), Deps{Open: []string{dir}}, newPumpBridge())
	m.waitIdle()
	if len(m.library.photos) != 1 || m.bench.shown == nil {
		t.Errorf("Deps.Open: %d photos, shown %v", len(m.library.photos), m.bench.shown)
	}
}

func TestTrainingTabRendering(t *testing.T) {
	m := newTestMainWindow(t, Deps{Restorer: &fakeRestorer{}, Models: testStore(t, true)})
	m.tabs.Select(m.trainingTab)
	test.AssertRendersToMarkup(t, "training_tab.xml", m.win.Canvas())
}

// Help ▸ Keyboard Shortcuts lists every key the window handles, with the
// platform's name for the shortcut modifier.
func TestKeyboardShortcutsDialog(t *testing.T) {
	m := newTestMainWindow(t, Deps{})
	var help *fyne.Menu
	for _, menu := range m.mainMenu().Items {
		if menu.Label == "Help" {
			help = menu
		}
	}
	if help == nil || help.Items[0].Label != "Keyboard Shortcuts" {
		t.Fatal("no Help ▸ Keyboard Shortcuts")
	}
	help.Items[0].Action()
	shown := overlayText(m.win.Canvas())
	for _, want := range []string{"Keyboard Shortcuts", "Add photos", "+  −", "0  1  2", "E", "[  ]", "Undo the last brush stroke", "Space"} {
		if !strings.Contains(shown, want) {
			t.Errorf("the dialog does not show %q; it shows:\n%s", want, shown)
		}
	}
	for _, tt := range []struct{ goos, want, not string }{
		{"linux", "Ctrl+Z", "Cmd+"},
		{"windows", "Ctrl+S", "Cmd+"},
		{"darwin", "Cmd+Z", "Ctrl+"},
	} {
		var all strings.Builder
		for _, k := range keyHelp(tt.goos) {
			all.WriteString(k[0] + "\n")
		}
		if !strings.Contains(all.String(), tt.want) || strings.Contains(all.String(), tt.not) {
			t.Errorf("%s: keys %q, want %s and no %s", tt.goos, all.String(), tt.want, tt.not)
		}
	}
}
