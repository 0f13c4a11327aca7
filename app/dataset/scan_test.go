package dataset_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"diabolo/app/dataset"
)

func TestScan(t *testing.T) {
	root := fixtureTree(t)
	file := filepath.Join(root, "a.png")
	tests := []struct {
		name    string
		dir     string
		want    []string // relative to root
		wantErr string
	}{
		{name: "tree", dir: root, want: []string{"B.JPG", "a.png", "empty.jpg", "nested/deeper/c.jpeg", "small.png", "text.png"}},
		{name: "subfolder", dir: filepath.Join(root, "nested"), want: []string{"nested/deeper/c.jpeg"}},
		{name: "hidden root is scanned", dir: filepath.Join(root, ".cache"), want: []string{".cache/d.png"}},
		{name: "missing", dir: filepath.Join(root, "nope"), wantErr: "no such file"},
		{name: "a file", dir: file, wantErr: "not a folder"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := dataset.Scan(tc.dir)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), tc.dir) {
					t.Fatalf("Scan(%s) error = %v, want one naming the folder and %q", tc.dir, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r := rel(t, root, got); !slices.Equal(r, tc.want) {
				t.Errorf("Scan = %q, want %q", r, tc.want)
			}
		})
	}
}

func TestScanUnreadableSubfolder(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root: permissions are not enforced")
	}
	root := t.TempDir()
	writeImage(t, filepath.Join(root, "ok.png"), 40, 40)
	locked := filepath.Join(root, "locked")
	writeImage(t, filepath.Join(locked, "x.png"), 40, 40)
	if err := os.Chmod(locked, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(locked, 0o755) })

	got, err := dataset.Scan(root)
	if err != nil {
		t.Fatal(err)
	}
	if r := rel(t, root, got); !slices.Equal(r, []string{"ok.png"}) {
		t.Errorf("Scan = %q, want [ok.png]", r)
	}
	d, err := dataset.Open(root, dataset.Options{Patch: 32})
	if err != nil {
		t.Fatal(err)
	}
	sk := d.Skipped()
	if len(sk) != 1 || sk[0].Path != locked || !strings.Contains(sk[0].Reason, "cannot read folder") {
		t.Errorf("Skipped = %+v, want the locked folder", sk)
	}
}

func TestOpenSkipsUnusableFiles(t *testing.T) {
	root := fixtureTree(t)
	var mu sync.Mutex
	var reported []dataset.Skipped
	d, err := dataset.Open(root, dataset.Options{Patch: 32, MinSide: 40, OnSkip: func(s dataset.Skipped) {
		mu.Lock()
		reported = append(reported, s)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Val()) != 0 || len(d.Train()) != 6 {
		t.Fatalf("Train %q, Val %q: want all 6 scanned files for training", d.Train(), d.Val())
	}
	s := d.NewSampler(1)
	buf := make([]float32, 3*32*32*20)
	for range 10 {
		if err := s.Fill(buf, 20, 32); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range buf {
		if v < 0 || v > 1 {
			t.Fatalf("patch value %v outside [0, 1]", v)
		}
	}

	wantReason := map[string]string{ // path → a word of the reason
		"empty.jpg": "",
		"text.png":  "",
		"small.png": "too small",
	}
	skipped := d.Skipped()
	if len(skipped) != len(wantReason) {
		t.Fatalf("Skipped = %+v, want %d files", skipped, len(wantReason))
	}
	for _, s := range skipped {
		r := rel(t, root, []string{s.Path})[0]
		word, ok := wantReason[r]
		if !ok {
			t.Errorf("%s skipped (%s), but it is a good image", r, s.Reason)
			continue
		}
		if s.Reason == "" || !strings.Contains(s.Reason, word) {
			t.Errorf("%s skipped with reason %q, want one with %q", r, s.Reason, word)
		}
		delete(wantReason, r)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(reported, skipped) {
		t.Errorf("OnSkip saw %+v, Skipped returns %+v", reported, skipped)
	}
	if st := d.Stats(); st.Loads != 6 {
		t.Errorf("%d loads for 6 files and a large cache: files were decoded again", st.Loads)
	}
}

func TestOpenErrors(t *testing.T) {
	root := fixtureTree(t)
	emptyDir := t.TempDir()
	writeFile(t, filepath.Join(emptyDir, "readme.txt"), []byte("x"))
	tests := []struct {
		name string
		dir  string
		opts dataset.Options
		is   error
		want string
	}{
		{"missing folder", filepath.Join(root, "missing"), dataset.Options{}, fs.ErrNotExist, "missing"},
		{"no images", emptyDir, dataset.Options{}, dataset.ErrNoImages, emptyDir},
		{"fraction 1", root, dataset.Options{ValFraction: 1}, nil, "validation fraction"},
		{"negative fraction", root, dataset.Options{ValFraction: -0.1}, nil, "validation fraction"},
		{"negative patch", root, dataset.Options{Patch: -1}, nil, "negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := dataset.Open(tc.dir, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) || (tc.is != nil && !errors.Is(err, tc.is)) {
				t.Errorf("Open error = %v, want %q (is %v)", err, tc.want, tc.is)
			}
		})
	}
}

func TestAllFilesUnusable(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "a.jpg"), nil)
	writeFile(t, filepath.Join(root, "b.png"), []byte("nope"))
	writeImage(t, filepath.Join(root, "c.png"), 10, 10)
	d, err := dataset.Open(root, dataset.Options{Patch: 16})
	if err != nil {
		t.Fatal(err)
	}
	err = d.NewSampler(3).Fill(make([]float32, 3*16*16), 1, 16)
	if !errors.Is(err, dataset.ErrNoImages) || !strings.Contains(err.Error(), root) || !strings.Contains(err.Error(), "3 files skipped") {
		t.Errorf("Fill error = %v, want no readable images in %s: 3 files skipped", err, root)
	}
	if _, err := d.ValCrops(1, 8, 1); !errors.Is(err, dataset.ErrNoImages) {
		t.Errorf("ValCrops error = %v, want ErrNoImages", err)
	}
}

func TestFromPaths(t *testing.T) {
	d, err := dataset.FromPaths([]string{"b/x.png", "a.png", "./a.png", "b/../b/x.png"}, dataset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := d.Train(), []string{"a.png", "b/x.png"}; !slices.Equal(got, want) {
		t.Errorf("Train = %q, want %q (sorted, cleaned, without duplicates)", got, want)
	}
	if !strings.HasPrefix(d.Describe(), "2 images") {
		t.Errorf("Describe = %q", d.Describe())
	}
	if _, err := dataset.FromPaths(nil, dataset.Options{}); !errors.Is(err, dataset.ErrNoImages) {
		t.Errorf("FromPaths(nil) error = %v, want ErrNoImages", err)
	}
}
