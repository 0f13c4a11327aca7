package ui

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
)

func TestLibraryDrop(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "a.png")
	nested := filepath.Join(dir, "trip", "day1", "b.png")
	fake := filepath.Join(dir, "notes.jpg") // text named like a photo
	writePNG(t, good, 40, 30)
	writePNG(t, nested, 20, 50)
	writeFile(t, fake, "these are not pixels")
	writeFile(t, filepath.Join(dir, "trip", "readme.txt"), "ignored by folder scans")

	tests := []struct {
		name      string
		drop      []fyne.URI
		wantNames []string
		wantBad   []string // substrings of the notice details, one per problem
	}{
		{
			name:      "good and bad files",
			drop:      fileURIs(good, fake),
			wantNames: []string{"a.png"},
			wantBad:   []string{"notes.jpg"},
		},
		{
			name:      "folder scanned recursively, other extensions ignored",
			drop:      fileURIs(dir),
			wantNames: []string{"a.png", "b.png"},
			wantBad:   []string{"notes.jpg"},
		},
		{
			name:      "sub-folder",
			drop:      fileURIs(filepath.Join(dir, "trip")),
			wantNames: []string{"b.png"},
		},
		{
			name:      "duplicates added once",
			drop:      fileURIs(good, good, dir),
			wantNames: []string{"a.png", "b.png"},
			wantBad:   []string{"notes.jpg"},
		},
		{
			name:    "missing file",
			drop:    fileURIs(filepath.Join(dir, "gone.png")),
			wantBad: []string{"gone.png"},
		},
		{
			name:    "not a local file",
			drop:    []fyne.URI{storage.NewURI("https://example.com/x.png")},
			wantBad: []string{"not a local file"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newTestMainWindow(t, Deps{})
			m.library.onDropped(fyne.Position{}, tt.drop)
			m.waitIdle()

			var names []string
			for _, p := range m.library.photos {
				names = append(names, p.name)
			}
			slices.Sort(names)
			if !slices.Equal(names, tt.wantNames) {
				t.Errorf("library = %v, want %v", names, tt.wantNames)
			}
			if got := m.library.status.Text; !strings.HasPrefix(got, count(len(tt.wantNames), "photo")) {
				t.Errorf("status = %q, want it to count %d photos", got, len(tt.wantNames))
			}

			n := m.notice
			if n.visible() != (len(tt.wantBad) > 0) {
				t.Errorf("notice visible = %v, want %v", n.visible(), len(tt.wantBad) > 0)
			}
			if n.count != len(tt.wantBad) {
				t.Errorf("notice counts %d problems, want %d: %q", n.count, len(tt.wantBad), n.details.Text)
			}
			for _, bad := range tt.wantBad {
				if !strings.Contains(n.details.Text, bad) {
					t.Errorf("notice details %q do not mention %q", n.details.Text, bad)
				}
			}
			if len(tt.wantNames) > 0 && m.library.current() == nil {
				t.Error("no photo selected after adding to an empty library")
			}
		})
	}
}

func TestLibraryRemoveSelected(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"1.png", "2.png", "3.png"} {
		writePNG(t, filepath.Join(dir, name), 8, 8)
	}
	m := newTestMainWindow(t, Deps{})
	m.library.onDropped(fyne.Position{}, fileURIs(dir))
	m.waitIdle()

	m.library.grid.Select(1)
	m.waitIdle()
	if m.bench.shown == nil || m.bench.shown.name != "2.png" {
		t.Fatalf("selecting the second photo shows %v", m.bench.shown)
	}
	m.library.removeSelected()
	var names []string
	for _, p := range m.library.photos {
		names = append(names, p.name)
	}
	if want := []string{"1.png", "3.png"}; !slices.Equal(names, want) {
		t.Errorf("after removal the library holds %v, want %v", names, want)
	}
	if m.library.current() != nil || !m.library.remove.Disabled() {
		t.Error("a photo is still selected after removal")
	}
	if m.bench.shown != nil || m.compare.frame != nil {
		t.Error("the compare view still shows the removed photo")
	}
	// Once removed, a photo can be added again.
	m.library.onDropped(fyne.Position{}, fileURIs(filepath.Join(dir, "2.png")))
	m.waitIdle()
	if len(m.library.photos) != 3 {
		t.Errorf("re-adding a removed photo gives %d photos, want 3", len(m.library.photos))
	}
}

func TestNoticeDismiss(t *testing.T) {
	test.NewTempApp(t)
	n := newNotice()
	n.report("could not be read", []string{"a: bad", "b: worse"})
	if !n.visible() || !strings.HasPrefix(n.summary.Text, "2 files") {
		t.Fatalf("after a report: visible %v, summary %q", n.visible(), n.summary.Text)
	}
	n.dismiss()
	if n.visible() || n.count != 0 {
		t.Fatal("dismiss left the notice visible or counting")
	}
	n.report("could not be read", []string{"c: bad"})
	if !strings.HasPrefix(n.summary.Text, "1 file ") || strings.Contains(n.details.Text, "a: bad") {
		t.Errorf("a report after dismissal shows old problems: %q / %q", n.summary.Text, n.details.Text)
	}
}
