package dataset_test

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"diabolo/app/dataset"
)

func names(n int, prefix string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s/photo%04d.jpg", prefix, i)
	}
	return out
}

func openSplit(t *testing.T, paths []string, frac float64, seed uint64) *dataset.Dataset {
	t.Helper()
	d, err := dataset.FromPaths(paths, dataset.Options{ValFraction: frac, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestSplit(t *testing.T) {
	tests := []struct {
		name      string
		n         int
		frac      float64
		seed      uint64
		wantVal   int // exact count, or -1 to check the fraction approximately
		tolerance float64
	}{
		{name: "no split", n: 50, frac: 0, wantVal: 0},
		{name: "tenth", n: 2000, frac: 0.1, seed: 1, wantVal: -1, tolerance: 0.025},
		{name: "half", n: 2000, frac: 0.5, seed: 7, wantVal: -1, tolerance: 0.04},
		{name: "one file stays for training", n: 1, frac: 0.9, wantVal: 0},
		{name: "tiny fraction still validates", n: 5, frac: 1e-9, wantVal: 1},
		{name: "huge fraction still trains", n: 5, frac: 1 - 1e-12, wantVal: 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			paths := names(tc.n, "dir")
			d := openSplit(t, paths, tc.frac, tc.seed)
			train, val := d.Train(), d.Val()
			if !slices.IsSorted(train) || !slices.IsSorted(val) {
				t.Error("sets are not sorted")
			}
			all := slices.Concat(train, val)
			slices.Sort(all)
			if !slices.Equal(all, paths) {
				t.Fatalf("train ∪ val is not the input, or they overlap: %d+%d for %d", len(train), len(val), tc.n)
			}
			if tc.wantVal >= 0 && len(val) != tc.wantVal {
				t.Errorf("%d validation images, want %d", len(val), tc.wantVal)
			}
			if tc.wantVal < 0 {
				if got := float64(len(val)) / float64(tc.n); math.Abs(got-tc.frac) > tc.tolerance {
					t.Errorf("validation share %.3f, want %.3f ± %.3f", got, tc.frac, tc.tolerance)
				}
			}
			reversed := slices.Clone(paths)
			slices.Reverse(reversed)
			again := openSplit(t, reversed, tc.frac, tc.seed)
			if !slices.Equal(again.Val(), val) {
				t.Error("same files and seed (in another order) give another split")
			}
		})
	}
}

func TestSplitStability(t *testing.T) {
	paths := names(300, "a")
	base := openSplit(t, paths, 0.2, 5).Val()

	// Adding a file moves no other file.
	more := openSplit(t, append(slices.Clone(paths), "a/new.jpg"), 0.2, 5).Val()
	more = slices.DeleteFunc(more, func(p string) bool { return p == "a/new.jpg" })
	if !slices.Equal(more, base) {
		t.Error("adding a file changed the validation set of the others")
	}

	// Moving the folder keeps the split: it depends on base names.
	moved := openSplit(t, names(300, "/elsewhere/b"), 0.2, 5).Val()
	for i, p := range moved {
		if want := "/elsewhere/b" + base[i][1:]; p != want {
			t.Fatalf("after moving the folder, validation[%d] = %s, want %s", i, p, want)
		}
	}

	// Another seed gives another split.
	if other := openSplit(t, paths, 0.2, 6).Val(); slices.Equal(other, base) {
		t.Error("seeds 5 and 6 give the same split")
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		frac float64
		want string // with the training and validation counts as %d
	}{
		{0, "10 images (chosen files)"},
		{0.5, "10 images (chosen files): %d training, %d validation"},
	}
	for _, tc := range tests {
		d := openSplit(t, names(10, "x"), tc.frac, 0)
		want := tc.want
		if tc.frac > 0 {
			want = fmt.Sprintf(tc.want, len(d.Train()), len(d.Val()))
		}
		if got := d.Describe(); got != want {
			t.Errorf("Describe = %q, want %q", got, want)
		}
	}
}
