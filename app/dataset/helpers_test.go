package dataset_test

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"diabolo/app/dataset"
	"diabolo/app/picture"
)

// coordScale encodes coordinates and ids in pixel values exactly: red is
// x/coordScale, green y/coordScale, blue id/idScale.
const (
	coordScale = 256
	idScale    = 64
)

// coordImage returns a w×h image (w, h ≤ coordScale) whose pixels tell
// where they come from: channel values encode x, y and id.
func coordImage(id, w, h int) *picture.Image {
	m := picture.New(w, h)
	r, g, b := m.Plane(0), m.Plane(1), m.Plane(2)
	for y := range h {
		for x := range w {
			i := y*w + x
			r[i] = float32(x) / coordScale
			g[i] = float32(y) / coordScale
			b[i] = float32(id) / idScale
		}
	}
	return m
}

// source decodes one pixel of a coordImage: x, y and id.
func source(r, g, b float32) (x, y, id int) {
	return int(r * coordScale), int(g * coordScale), int(b * idScale)
}

// fakeFiles is an in-memory image store standing in for picture.Load: it
// counts loads per path and can be told to fail for some paths.
type fakeFiles struct {
	imgs  map[string]*picture.Image
	fail  map[string]bool
	mu    sync.Mutex
	loads map[string]int
}

// newFakeFiles makes n coordImages named img00.png… with the sizes given
// by size(i); failing lists the ids whose loads fail.
func newFakeFiles(n int, size func(i int) (w, h int), failing ...int) *fakeFiles {
	f := &fakeFiles{imgs: map[string]*picture.Image{}, fail: map[string]bool{}, loads: map[string]int{}}
	for i := range n {
		w, h := size(i)
		f.imgs[f.path(i)] = coordImage(i, w, h)
	}
	for _, i := range failing {
		f.fail[f.path(i)] = true
	}
	return f
}

func (f *fakeFiles) path(i int) string { return fmt.Sprintf("img%02d.png", i) }

func (f *fakeFiles) paths() []string {
	out := make([]string, 0, len(f.imgs))
	for p := range f.imgs {
		out = append(out, p)
	}
	return out
}

func (f *fakeFiles) load(path string) (*picture.Image, error) {
	f.mu.Lock()
	f.loads[path]++
	f.mu.Unlock()
	if f.fail[path] {
		return nil, errors.New("corrupt data")
	}
	img, ok := f.imgs[path]
	if !ok {
		return nil, fmt.Errorf("load %s: no such file", path)
	}
	return img, nil
}

func (f *fakeFiles) loadCount(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.loads[path]
}

func (f *fakeFiles) totalLoads() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.loads {
		n += c
	}
	return n
}

// open returns a dataset over the fake files with opts, Load set.
func (f *fakeFiles) open(t *testing.T, opts dataset.Options) *dataset.Dataset {
	t.Helper()
	opts.Load = f.load
	d, err := dataset.FromPaths(f.paths(), opts)
	if err != nil {
		t.Fatalf("FromPaths: %v", err)
	}
	return d
}

// square gives every image the same size.
func square(side int) func(int) (int, int) {
	return func(int) (int, int) { return side, side }
}

// writeFile creates path (and its folders) with data.
func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeImage encodes a w×h gradient as PNG or JPEG according to the
// extension of path.
func writeImage(t *testing.T, path string, w, h int) {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.Set(x, y, color.RGBA{uint8(x), uint8(y), uint8(x + y), 255})
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
	switch filepath.Ext(path) {
	case ".png", ".PNG":
		err = png.Encode(f, m)
	default:
		err = jpeg.Encode(f, m, &jpeg.Options{Quality: 90})
	}
	if err != nil {
		t.Fatal(err)
	}
}

// fixtureTree builds a folder with good, bad, hidden and ignored files
// and returns its root. Good images are at least 48 pixels on each side.
//
//	a.png (64×48), B.JPG (80×60), nested/deeper/c.jpeg (50×70),
//	small.png (20×20), empty.jpg (0 bytes), text.png (not an image),
//	notes.txt, .hidden.png, .cache/d.png
func fixtureTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	writeImage(t, filepath.Join(root, "a.png"), 64, 48)
	writeImage(t, filepath.Join(root, "B.JPG"), 80, 60)
	writeImage(t, filepath.Join(root, "nested", "deeper", "c.jpeg"), 50, 70)
	writeImage(t, filepath.Join(root, "small.png"), 20, 20)
	writeFile(t, filepath.Join(root, "empty.jpg"), nil)
	writeFile(t, filepath.Join(root, "text.png"), []byte("this is not a picture\n"))
	writeFile(t, filepath.Join(root, "notes.txt"), []byte("notes\n"))
	writeImage(t, filepath.Join(root, ".hidden.png"), 64, 64)
	writeImage(t, filepath.Join(root, ".cache", "d.png"), 64, 64)
	return root
}

// rel returns paths relative to root, with forward slashes.
func rel(t *testing.T, root string, paths []string) []string {
	t.Helper()
	out := make([]string, len(paths))
	for i, p := range paths {
		r, err := filepath.Rel(root, p)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = filepath.ToSlash(r)
	}
	return out
}
