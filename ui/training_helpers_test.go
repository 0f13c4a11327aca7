package ui

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"diabolo/app/models"
	"diabolo/assets"
	"diabolo/convae"
)

// tinySpec is a photo network small enough to train for a few steps in a
// moment, even under the race detector.
var tinySpec = convae.UNetSpec("tiny", convae.UNetConfig{Width: 4, Levels: 1, Blocks: 1, Unshuffle: true, NoiseLevel: true})

// tinyModelFile returns the model file of a fresh tiny denoiser.
func tinyModelFile(t *testing.T, seed uint64) []byte {
	t.Helper()
	net, err := convae.NewNet(tinySpec, seed)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := (&convae.Model{Net: net, Meta: convae.Metadata{Task: "denoise"}}).Save(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// testStore returns a model store whose bundled denoiser is a tiny model,
// or that bundles nothing when bundled is false.
func testStore(t *testing.T, bundled bool) *models.Store {
	t.Helper()
	file := tinyModelFile(t, 1)
	return models.NewStoreFrom(func(task string) ([]byte, error) {
		if bundled && task == models.Denoise {
			return file, nil
		}
		return nil, fmt.Errorf("%w for task %q", assets.ErrNoBundledModel, task)
	})
}

// newTrainingWindow returns a window with a model store (with a bundled tiny
// denoiser) and n photos in its library, the Training tab selected, set up
// to fine-tune the tiny model in small steps.
func newTrainingWindow(t *testing.T, n int, b pumper) *mainWindow {
	t.Helper()
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	m := newMainWindow(a, w, Deps{Restorer: &fakeRestorer{}, Models: testStore(t, true)}, b)
	w.Resize(fyne.NewSize(defaultWidth, defaultHeight))
	if n > 0 {
		dir := t.TempDir()
		for i := range n {
			writePNG(t, filepath.Join(dir, fmt.Sprintf("p%d.png", i)), 64, 48)
		}
		m.library.onDropped(fyne.Position{}, fileURIs(dir))
		m.waitIdle()
	}
	m.tabs.Select(m.trainingTab)
	v := m.training
	v.opts = trainOptions{valEvery: 5, valCrops: 2, valSide: 32, eventEvery: 20 * time.Millisecond, workers: 1, seed: 1}
	v.batch.SetSelected("4")
	v.patch.SetSelected("32")
	return m
}

// pumpUntil runs the window's queued UI functions until cond holds, failing
// the test after a while.
func (m *mainWindow) pumpUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	p := m.ui.(interface{ base() *pumpBridge }).base()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if p.drain() {
			continue
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s (state %v, status %q)", what, m.training.state, m.training.status.Text)
		}
		select {
		case <-p.wake:
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// base returns the bridge itself, for pumpUntil.
func (p *pumpBridge) base() *pumpBridge { return p }

// texts returns the text of the labels, rich texts and canvas texts under o,
// one per line.
func texts(o fyne.CanvasObject) string {
	var b strings.Builder
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Label:
			b.WriteString(x.Text + "\n")
			return
		case *widget.RichText:
			b.WriteString(x.String() + "\n")
			return
		case *canvas.Text:
			b.WriteString(x.Text + "\n")
			return
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
			return
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	return b.String()
}

// overlayText returns the texts of the top overlay (a dialog), or "".
func overlayText(c fyne.Canvas) string {
	top := c.Overlays().Top()
	if top == nil {
		return ""
	}
	return texts(top)
}
