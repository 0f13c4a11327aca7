package watermark_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"diabolo/app/picture"
)

// realTrain is the shared folder of training photos, when present.
const realTrain = "../../../shared/data/train" // beside the repository

// realCrops returns n crops of w×h pixels taken from the centres of
// distinct photos of realTrain, spread over the folder, or skips the test
// when the folder is absent.
func realCrops(t testing.TB, n, w, h int) []*picture.Image {
	t.Helper()
	entries, err := os.ReadDir(realTrain)
	if err != nil {
		t.Skipf("no training photos at %s: %v", realTrain, err)
	}
	var names []string
	for _, e := range entries {
		if ext := strings.ToLower(filepath.Ext(e.Name())); !e.IsDir() && (ext == ".jpg" || ext == ".jpeg" || ext == ".png") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	if len(names) < n {
		t.Skipf("only %d photos in %s, want %d", len(names), realTrain, n)
	}
	crops := make([]*picture.Image, 0, n)
	for k := range n {
		name := names[k*len(names)/n]
		img, err := picture.Load(filepath.Join(realTrain, name), picture.DecodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if img.Width < w || img.Height < h {
			t.Fatalf("%s is %dx%d, smaller than the %dx%d crop", name, img.Width, img.Height, w, h)
		}
		crops = append(crops, crop(img, (img.Width-w)/2, (img.Height-h)/2, w, h))
	}
	return crops
}

// crop returns the w×h part of img whose top-left corner is (x0, y0).
func crop(img *picture.Image, x0, y0, w, h int) *picture.Image {
	out := picture.New(w, h)
	for c := range picture.Channels {
		src, dst := img.Plane(c), out.Plane(c)
		for y := range h {
			copy(dst[y*w:(y+1)*w], src[(y0+y)*img.Width+x0:][:w])
		}
	}
	return out
}
