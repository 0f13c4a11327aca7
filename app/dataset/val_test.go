package dataset_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"diabolo/app/dataset"
	"diabolo/app/picture"
)

// cropOrigin checks that c is an untransformed crop of one of f's images
// and returns the image id and the crop's top-left corner.
func cropOrigin(t *testing.T, f *fakeFiles, c *picture.Image) (id, x0, y0 int) {
	t.Helper()
	r, g, b := c.Plane(0), c.Plane(1), c.Plane(2)
	x0, y0, id = source(r[0], g[0], b[0])
	for y := range c.Height {
		for x := range c.Width {
			i := y*c.Width + x
			gx, gy, gid := source(r[i], g[i], b[i])
			if gid != id || gx != x0+x || gy != y0+y {
				t.Fatalf("crop pixel (%d,%d) is image %d (%d,%d), want image %d (%d,%d)", x, y, gid, gx, gy, id, x0+x, y0+y)
			}
		}
	}
	return id, x0, y0
}

func TestValCrops(t *testing.T) {
	tests := []struct {
		name      string
		frac      float64
		crops     int
		side      int
		smallVal  bool // validation images are too small for the crops
		fromTrain bool // crops come from training images
	}{
		{"from validation images", 0.3, 12, 40, false, false},
		{"fewer crops than images", 0.3, 2, 16, false, false},
		{"no split: from training images", 0, 5, 32, false, true},
		{"validation too small: from training images", 0.3, 4, 40, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeFiles(30, func(i int) (int, int) { return 40 + i, 50 }, 3)
			d := f.open(t, dataset.Options{Patch: 8, ValFraction: tc.frac, Seed: 3})
			if tc.smallVal {
				for _, p := range d.Val() {
					var id int
					fmt.Sscanf(p, "img%d.png", &id)
					f.imgs[p] = coordImage(id, 39, 60)
				}
			}
			from := d.Val()
			if tc.fromTrain {
				from = d.Train()
			}
			crops, err := d.ValCrops(tc.crops, tc.side, 77)
			if err != nil {
				t.Fatal(err)
			}
			again, err := d.ValCrops(tc.crops, tc.side, 77)
			if err != nil {
				t.Fatal(err)
			}
			if len(crops) != tc.crops {
				t.Fatalf("%d crops, want %d", len(crops), tc.crops)
			}
			images := map[int]bool{}
			for i, c := range crops {
				if c.Width != tc.side || c.Height != tc.side {
					t.Fatalf("crop %d is %d×%d", i, c.Width, c.Height)
				}
				if !slices.Equal(c.Pix, again[i].Pix) {
					t.Errorf("crop %d differs between two calls with the same seed", i)
				}
				id, x0, y0 := cropOrigin(t, f, c)
				if !slices.Contains(from, f.path(id)) {
					t.Errorf("crop %d comes from %s, not from the expected set", i, f.path(id))
				}
				src := f.imgs[f.path(id)]
				if !images[id] && (x0 != (src.Width-tc.side)/2 || y0 != (src.Height-tc.side)/2) {
					t.Errorf("first crop of image %d at (%d,%d), want its centre", id, x0, y0)
				}
				images[id] = true
			}
			if tc.crops <= len(from)-1 && len(images) != tc.crops {
				t.Errorf("%d crops from %d images, want all distinct", tc.crops, len(images))
			}
			crops[0].Pix[0] = -1
			if third, _ := d.ValCrops(tc.crops, tc.side, 77); third[0].Pix[0] == -1 {
				t.Error("a crop shares pixels with the dataset")
			}
			other, err := d.ValCrops(tc.crops, tc.side, 78)
			if err != nil {
				t.Fatal(err)
			}
			if slices.EqualFunc(other, again, func(a, b *picture.Image) bool { return slices.Equal(a.Pix, b.Pix) }) {
				t.Error("seeds 77 and 78 give the same crops")
			}
		})
	}
}

func TestValCropsErrors(t *testing.T) {
	f := newFakeFiles(4, square(30))
	d := f.open(t, dataset.Options{Patch: 8})
	tests := []struct {
		name     string
		n, side  int
		want     string
		noImages bool
	}{
		{"too large", 2, 31, "at least 31×31", false},
		{"no crops", 0, 8, "0 validation crops", false},
		{"bad side", 1, -1, "side -1", false},
	}
	for _, tc := range tests {
		_, err := d.ValCrops(tc.n, tc.side, 1)
		if err == nil || !strings.Contains(err.Error(), tc.want) || errors.Is(err, dataset.ErrNoImages) != tc.noImages {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestValImages(t *testing.T) {
	f := newFakeFiles(20, square(16), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
	tests := []struct {
		name string
		frac float64
	}{
		{"validation set", 0.4},
		{"no split", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := f.open(t, dataset.Options{Patch: 8, ValFraction: tc.frac, Seed: 2})
			set := d.Val()
			if tc.frac == 0 {
				set = d.Train()
			}
			var want []string
			for _, p := range set {
				if !f.fail[p] {
					want = append(want, p)
				}
			}
			var got []string
			for p, img := range d.ValImages() {
				if img != f.imgs[p] {
					t.Errorf("%s yields another image", p)
				}
				got = append(got, p)
			}
			if !slices.Equal(got, want) {
				t.Errorf("ValImages yields %q, want %q", got, want)
			}
			for range d.ValImages() {
				break // stopping early must not panic
			}
		})
	}
}

func TestPreload(t *testing.T) {
	const side = 20
	imgBytes := int64(4 * 3 * side * side)
	tests := []struct {
		name       string
		cacheBytes int64
		cancel     bool
		wantTried  int
		wantErr    error
	}{
		{"everything fits", 100 * imgBytes, false, 10, nil},
		{"stops when full", 4*imgBytes + imgBytes/2, false, 4, nil},
		{"cancelled", 100 * imgBytes, true, 0, context.Canceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeFiles(10, square(side), 6)
			d := f.open(t, dataset.Options{Patch: 8, CacheBytes: tc.cacheBytes})
			ctx, cancel := context.WithCancel(context.Background())
			if tc.cancel {
				cancel()
			}
			defer cancel()
			var calls [][2]int
			err := d.Preload(ctx, func(done, total int) { calls = append(calls, [2]int{done, total}) })
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("Preload error %v, want %v", err, tc.wantErr)
			}
			if len(calls) != tc.wantTried {
				t.Fatalf("progress called %d times, want %d", len(calls), tc.wantTried)
			}
			for i, c := range calls {
				if c != [2]int{i + 1, 10} {
					t.Errorf("progress call %d = %v, want (%d, 10)", i, c, i+1)
				}
			}
			st := d.Stats()
			if st.Loads != tc.wantTried || st.CachedBytes > tc.cacheBytes {
				t.Errorf("after Preload: %+v, want %d loads", st, tc.wantTried)
			}
			if tc.wantTried == 10 && (st.Skipped != 1 || st.Cached != 9) {
				t.Errorf("after a full Preload: %+v, want 9 cached and 1 skipped", st)
			}
		})
	}
}
