package ui

import (
	"context"
	"fmt"
	"image"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"diabolo/app/noise"
	"diabolo/app/picture"
	"diabolo/app/watermark"
	"diabolo/internal/synthetic"
)

// collectionFile is a photo of a test collection.
type collectionFile struct {
	w, h   int
	marked bool // carries the collection's watermark (one of its size)
}

// loadCollection writes files, drops their folder on a fresh window set to
// task, and returns the window and its recording restorer.
func loadCollection(t *testing.T, files []collectionFile, task Task) (*mainWindow, *fakeRestorer) {
	t.Helper()
	dir := writeCollection(t, files)
	r := &fakeRestorer{}
	m := newTestMainWindow(t, Deps{Restorer: r})
	m.corruption.task.SetSelected(taskNames[task])
	m.library.onDropped(fyne.Position{}, fileURIs(dir))
	m.waitIdle()
	return m, r
}

// writeCollection saves files as PNGs in a new folder, named p00.png,
// p01.png…, each on a background of its own; the marked ones carry one
// logo, at half opacity, rendered once per size from the same seed, so
// that all photos of a size share it. It returns the folder.
func writeCollection(t *testing.T, files []collectionFile) string {
	t.Helper()
	gen, err := watermark.NewGenerator(watermark.Options{Content: watermark.Logo, Layout: watermark.Single, Opacity: noise.Fixed(0.5)})
	if err != nil {
		t.Fatal(err)
	}
	marks := map[image.Point]*watermark.Mark{}
	dir := t.TempDir()
	for i, f := range files {
		img := synthetic.Photo(f.w, f.h, uint64(i+1))
		if f.marked {
			size := image.Pt(f.w, f.h)
			if marks[size] == nil {
				marks[size] = gen.Render(f.w, f.h, rand.New(rand.NewPCG(7, 7)))
			}
			if err := marks[size].Apply(img); err != nil {
				t.Fatal(err)
			}
		}
		path := filepath.Join(dir, fmt.Sprintf("p%02d.png", i))
		if err := picture.Save(path, img, picture.SaveOptions{EncodeOptions: picture.EncodeOptions{Format: picture.PNG}}); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// sameSize returns n files of w×h pixels, marked or not.
func sameSize(n, w, h int, marked bool) []collectionFile {
	files := make([]collectionFile, n)
	for i := range files {
		files[i] = collectionFile{w, h, marked}
	}
	return files
}

func TestCollectionMode(t *testing.T) {
	tests := []struct {
		name       string
		files      []collectionFile
		task       Task
		collection bool
		wantShared []bool // per photo, in library order
		wantNotice string // part of the notice's summary; "" for no notice
		wantDetail string // part of the notice's details
		wantStatus string // part of the final status
	}{
		{
			name:       "eight marked photos and one of another size",
			files:      append(sameSize(8, 128, 96, true), collectionFile{100, 80, true}),
			task:       TaskWatermark,
			collection: true,
			wantShared: []bool{true, true, true, true, true, true, true, true, false},
			wantNotice: "1 photo is not 128×96 like the rest of the collection: restored without the shared watermark.",
			wantDetail: "p08.png: 100×80",
			wantStatus: "Restored 9 photos. The shared watermark was taken off 8.",
		},
		{
			name:       "collection mode off",
			files:      sameSize(3, 128, 96, true),
			task:       TaskWatermark,
			wantShared: []bool{false, false, false},
			wantStatus: "Restored 3 photos.",
		},
		{
			name:       "photos without a shared mark",
			files:      sameSize(4, 128, 96, false),
			task:       TaskWatermark,
			collection: true,
			wantShared: []bool{false, false, false, false},
			wantNotice: "No watermark shared by the 4 photos was found: each photo was restored on its own.",
			wantStatus: "Restored 4 photos.",
		},
		{
			name:       "too few photos of one size",
			files:      []collectionFile{{128, 96, true}, {100, 80, true}},
			task:       TaskWatermark,
			collection: true,
			wantShared: []bool{false, false},
			wantNotice: "Collection mode needs at least 2 photos of one size",
			wantStatus: "Restored 2 photos.",
		},
		{
			name:       "denoising ignores collection mode",
			files:      sameSize(3, 128, 96, true),
			task:       TaskDenoise,
			collection: true,
			wantShared: []bool{false, false, false},
			wantStatus: "Restored 3 photos.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, r := loadCollection(t, tt.files, tt.task)
			if len(m.library.photos) != len(tt.files) {
				t.Fatalf("library holds %d photos, want %d", len(m.library.photos), len(tt.files))
			}
			if m.bench.collection.Visible() != (tt.task == TaskWatermark) {
				t.Errorf("collection mode option shown = %v for %s", m.bench.collection.Visible(), tt.task)
			}
			m.bench.collection.SetChecked(tt.collection)

			test.Tap(m.bench.restoreAll)
			m.waitIdle()

			opts, inputs := r.optionsGiven(), r.inputsGiven()
			if len(opts) != len(tt.wantShared) {
				t.Fatalf("%d restorer calls, want %d", len(opts), len(tt.wantShared))
			}
			for i, o := range opts {
				if got := o.Shared != nil; got != tt.wantShared[i] {
					t.Errorf("photo %s restored with a shared mark = %v, want %v", m.library.photos[i].name, got, tt.wantShared[i])
				}
				if o.Shared != nil && (o.Shared.Width != inputs[i].Width || o.Shared.Height != inputs[i].Height) {
					t.Errorf("photo %s (%d×%d) given a shared mark of %d×%d", m.library.photos[i].name, inputs[i].Width, inputs[i].Height, o.Shared.Width, o.Shared.Height)
				}
			}
			if tt.wantNotice == "" {
				if m.notice.visible() {
					t.Errorf("unexpected notice %q", m.notice.summary.Text)
				}
			} else if !m.notice.visible() || !strings.Contains(m.notice.summary.Text, tt.wantNotice) {
				t.Errorf("notice (shown %v) says %q, want it to say %q", m.notice.visible(), m.notice.summary.Text, tt.wantNotice)
			}
			if !strings.Contains(m.notice.details.Text, tt.wantDetail) {
				t.Errorf("notice details %q do not name %q", m.notice.details.Text, tt.wantDetail)
			}
			if !strings.Contains(m.bench.status.Text, tt.wantStatus) {
				t.Errorf("status %q, want %q", m.bench.status.Text, tt.wantStatus)
			}
		})
	}
}

func TestCollectionEstimateFindsTheMark(t *testing.T) {
	// The mark given to the restorer is where the photos' mark is.
	m, r := loadCollection(t, sameSize(8, 128, 96, true), TaskWatermark)
	m.bench.collection.SetChecked(true)
	m.bench.restoreLibrary()
	m.waitIdle()
	opts := r.optionsGiven()
	if len(opts) != 8 || opts[0].Shared == nil {
		t.Fatalf("%d calls, the first with a shared mark: %v", len(opts), len(opts) > 0 && opts[0].Shared != nil)
	}
	gen, _ := watermark.NewGenerator(watermark.Options{Content: watermark.Logo, Layout: watermark.Single, Opacity: noise.Fixed(0.5)})
	truth := gen.Render(128, 96, rand.New(rand.NewPCG(7, 7))).Bounds(0.05)
	if got := opts[0].Shared.Bounds; !got.Overlaps(truth) {
		t.Errorf("the shared mark lies in %v, the photos' mark in %v", got, truth)
	}

	// The estimate on its own, as "Restore all" runs it: the status line
	// says what it is doing.
	done := make(chan struct{})
	var est sharedEstimate
	go func() {
		defer close(done)
		est = m.bench.estimateShared(context.Background(), m.library.photos, m.corruption.settings())
	}()
	m.ui.(pumper).pump(done)
	if want := "Estimating the shared watermark from 8 photos…"; m.bench.status.Text != want || est.mark == nil {
		t.Errorf("status %q with a mark: %v; want %q and a mark", m.bench.status.Text, est.mark != nil, want)
	}
}

func TestCollectionCancel(t *testing.T) {
	m, r := loadCollection(t, sameSize(3, 128, 96, true), TaskWatermark)
	m.bench.collection.SetChecked(true)
	m.bench.restoreLibrary()
	m.bench.cancelRestore() // before the estimate is done
	m.waitIdle()
	if n := len(r.calls()); n != 0 {
		t.Errorf("%d photos restored after cancelling during the estimate", n)
	}
	if m.bench.status.Text != "Cancelled after 0 photos." || m.bench.restoreAll.Disabled() {
		t.Errorf("status %q, restore all disabled %v", m.bench.status.Text, m.bench.restoreAll.Disabled())
	}
}

func TestCollectionModePersists(t *testing.T) {
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	m := newMainWindow(a, w, Deps{}, newPumpBridge())
	w.Resize(fyne.NewSize(defaultWidth, defaultHeight))
	m.corruption.task.SetSelected(taskNames[TaskWatermark])
	test.Tap(m.bench.collection)
	if !m.bench.collection.Checked || w.Canvas().Focused() != nil {
		t.Fatalf("tapping the option: checked %v, focus %v; want checked and the keyboard left to the window", m.bench.collection.Checked, w.Canvas().Focused())
	}
	again := newMainWindow(a, test.NewTempWindow(t, nil), Deps{}, newPumpBridge())
	if !again.bench.collection.Checked {
		t.Error("collection mode is off after a restart")
	}
}

func TestMajoritySize(t *testing.T) {
	imgs := func(n int) []*picture.Image { return make([]*picture.Image, n) }
	tests := []struct {
		name   string
		bySize map[image.Point][]*picture.Image
		want   image.Point
	}{
		{"empty", map[image.Point][]*picture.Image{}, image.Point{}},
		{"most common", map[image.Point][]*picture.Image{{10, 10}: imgs(2), {20, 20}: imgs(1), {5, 5}: imgs(3)}, image.Pt(5, 5)},
		{"tie: the larger", map[image.Point][]*picture.Image{{10, 10}: imgs(2), {20, 20}: imgs(2)}, image.Pt(20, 20)},
		{"tie of areas: the wider", map[image.Point][]*picture.Image{{10, 40}: imgs(2), {40, 10}: imgs(2)}, image.Pt(40, 10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := majoritySize(tt.bySize); got != tt.want {
				t.Errorf("majoritySize = %v, want %v", got, tt.want)
			}
		})
	}
}
