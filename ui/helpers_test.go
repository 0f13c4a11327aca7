package ui

import (
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"diabolo/app/picture"
	"diabolo/app/restore"
)

// writePNG writes a w×h colour gradient PNG at path, creating its folder.
func writePNG(t *testing.T, path string, w, h int) {
	t.Helper()
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.SetNRGBA(x, y, color.NRGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x + y) % 256), 255})
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, m); err != nil {
		t.Fatal(err)
	}
}

// writeFile writes text at path, creating its folder.
func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// fileURIs returns the file URIs of paths.
func fileURIs(paths ...string) []fyne.URI {
	uris := make([]fyne.URI, len(paths))
	for i, p := range paths {
		uris[i] = storage.NewFileURI(p)
	}
	return uris
}

// fakeRestorer "restores" by pulling every value half-way to mid-grey. With
// gate set, each call first signals on entered, then waits for a value on
// gate (or for cancellation).
type fakeRestorer struct {
	gate    chan struct{}
	entered chan struct{}

	mu      sync.Mutex
	tasks   []Task
	sigmas  []float64
	options []restore.Options
	inputs  []*picture.Image
}

func (f *fakeRestorer) Restore(ctx context.Context, task Task, img *picture.Image, opts restore.Options, progress func(float64)) (*picture.Image, error) {
	f.mu.Lock()
	f.tasks = append(f.tasks, task)
	f.sigmas = append(f.sigmas, opts.Sigma)
	f.options = append(f.options, opts)
	f.inputs = append(f.inputs, img)
	f.mu.Unlock()
	if f.gate != nil {
		f.entered <- struct{}{}
		select {
		case <-f.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if progress != nil {
		progress(0.5)
	}
	out := img.Clone()
	for i, v := range out.Pix {
		out.Pix[i] = (v + 0.5) / 2
	}
	return out, nil
}

func (f *fakeRestorer) calls() []Task {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Task(nil), f.tasks...)
}

// sigmasGiven returns the σ of each call.
func (f *fakeRestorer) sigmasGiven() []float64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]float64(nil), f.sigmas...)
}

// optionsGiven returns the options of each call.
func (f *fakeRestorer) optionsGiven() []restore.Options {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]restore.Options(nil), f.options...)
}

// inputsGiven returns the image of each call.
func (f *fakeRestorer) inputsGiven() []*picture.Image {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*picture.Image(nil), f.inputs...)
}

// pumpBridge is the bridge of tests. Fyne's test driver runs fyne.Do
// functions at once on the calling goroutine, so two background jobs could
// touch widgets at the same time, which a real app never does. Instead,
// background goroutines queue their functions here and the test's goroutine
// runs them, one at a time and in order, while it waits for the jobs to end:
// it plays the part of the UI goroutine.
type pumpBridge struct {
	mu    sync.Mutex
	queue []func()
	wake  chan struct{} // signalled when the queue grows
}

func newPumpBridge() *pumpBridge {
	return &pumpBridge{wake: make(chan struct{}, 1)}
}

func (p *pumpBridge) post(f func()) {
	p.mu.Lock()
	p.queue = append(p.queue, f)
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

func (p *pumpBridge) run(f func()) {
	done := make(chan struct{})
	p.post(func() { f(); close(done) })
	<-done
}

// drain runs the queued functions and reports whether there were any.
func (p *pumpBridge) drain() bool {
	p.mu.Lock()
	q := p.queue
	p.queue = nil
	p.mu.Unlock()
	for _, f := range q {
		f()
	}
	return len(q) > 0
}

// pump runs queued functions until idle is closed, then those left.
func (p *pumpBridge) pump(idle <-chan struct{}) {
	for {
		if p.drain() {
			continue
		}
		select {
		case <-p.wake:
		case <-idle:
			for p.drain() {
			}
			return
		}
	}
}

// newTestMainWindow builds the window on Fyne's test driver, with fresh
// in-memory preferences, in a window of the default size.
func newTestMainWindow(t *testing.T, d Deps) *mainWindow {
	t.Helper()
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	m := newMainWindow(a, w, d, newPumpBridge())
	w.Resize(fyne.NewSize(defaultWidth, defaultHeight))
	return m
}

// pumper is a test bridge whose queued functions the test's goroutine runs.
type pumper interface {
	bridge
	pump(idle <-chan struct{})
}

// waitIdle runs the UI side of the window's background work until all of it
// is done: loads, restorations, model files and training runs.
func (m *mainWindow) waitIdle() {
	idle := make(chan struct{})
	go func() {
		m.library.wait()
		m.bench.jobs.Wait()
		m.modelMenu.jobs.Wait()
		m.training.jobs.Wait()
		close(idle)
	}()
	m.ui.(pumper).pump(idle)
}
