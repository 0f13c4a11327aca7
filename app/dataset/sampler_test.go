package dataset_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"diabolo/app/dataset"
	"diabolo/app/picture"
)

// transform is the linear part of the map from patch to source
// coordinates: stepping x in the patch moves the source by dx, stepping y
// by dy.
type transform struct{ dx, dy [2]int }

// checkPatch verifies that patch k of buf (side p) is a p×p crop of one of
// the images of f under a flip or quarter turn, and returns its source id,
// the top-left corner of the source square and the transform.
func checkPatch(t *testing.T, f *fakeFiles, buf []float32, k, p int) (id, x0, y0 int, tr transform) {
	t.Helper()
	pp := p * p
	item := buf[k*3*pp : (k+1)*3*pp]
	at := func(x, y int) (int, int, int) {
		i := y*p + x
		return source(item[i], item[pp+i], item[2*pp+i])
	}
	sx, sy, id := at(0, 0)
	ax, ay, _ := at(1, 0)
	bx, by, _ := at(0, 1)
	tr = transform{[2]int{ax - sx, ay - sy}, [2]int{bx - sx, by - sy}}
	unit := func(v [2]int) bool { return v[0]*v[0]+v[1]*v[1] == 1 }
	if !unit(tr.dx) || !unit(tr.dy) || tr.dx[0]*tr.dy[0]+tr.dx[1]*tr.dy[1] != 0 {
		t.Fatalf("patch %d: steps %v are not a flip or quarter turn", k, tr)
	}
	img := f.imgs[f.path(id)]
	if img == nil {
		t.Fatalf("patch %d: source id %d is no image", k, id)
	}
	x0, y0 = img.Width, img.Height
	for y := range p {
		for x := range p {
			gx, gy, gid := at(x, y)
			wx, wy := sx+x*tr.dx[0]+y*tr.dy[0], sy+x*tr.dx[1]+y*tr.dy[1]
			if gid != id || gx != wx || gy != wy {
				t.Fatalf("patch %d pixel (%d,%d) comes from image %d (%d,%d), want image %d (%d,%d)", k, x, y, gid, gx, gy, id, wx, wy)
			}
			if gx < 0 || gy < 0 || gx >= img.Width || gy >= img.Height {
				t.Fatalf("patch %d pixel (%d,%d) outside its %d×%d source", k, gx, gy, img.Width, img.Height)
			}
			x0, y0 = min(x0, gx), min(y0, gy)
		}
	}
	return id, x0, y0, tr
}

func TestFillCutsTransformedCrops(t *testing.T) {
	const n = 2000
	sizes := []([2]int){{8, 8}, {11, 9}, {14, 10}, {120, 200}}
	f := newFakeFiles(len(sizes), func(i int) (int, int) { return sizes[i][0], sizes[i][1] })
	for _, p := range []int{8, 7, 5, 2} { // whole blocks of 4 rows, and remainders
		t.Run(fmt.Sprintf("patch %d", p), func(t *testing.T) {
			d := f.open(t, dataset.Options{Patch: p})
			buf := make([]float32, n*3*p*p)
			if err := d.NewSampler(uint64(p)).Fill(buf, n, p); err != nil {
				t.Fatal(err)
			}
			perImage := make([]int, len(sizes))
			perTransform := map[transform]int{}
			corners := make([]map[[2]int]bool, len(sizes))
			for k := range n {
				id, x0, y0, tr := checkPatch(t, f, buf, k, p)
				perImage[id]++
				perTransform[tr]++
				if corners[id] == nil {
					corners[id] = map[[2]int]bool{}
				}
				corners[id][[2]int{x0, y0}] = true
			}
			// Images are drawn uniformly, whatever their size: 500 ± 5σ each.
			for id, c := range perImage {
				if c < 400 || c > 600 {
					t.Errorf("image %d (%v) drawn %d times in %d, want about %d", id, sizes[id], c, n, n/len(sizes))
				}
			}
			// All 8 transforms occur, about equally: 250 ± 5σ.
			if len(perTransform) != 8 {
				t.Errorf("%d distinct transforms, want 8: %v", len(perTransform), perTransform)
			}
			for tr, c := range perTransform {
				if c < 175 || c > 325 {
					t.Errorf("transform %v drawn %d times in %d", tr, c, n)
				}
			}
			// Crops reach every edge of the images, but never cross it.
			for id := range 3 {
				var reach [2][2]int // min and max of x0 and y0
				reach[0] = [2]int{sizes[id][0], sizes[id][1]}
				for c := range corners[id] {
					reach[0] = [2]int{min(reach[0][0], c[0]), min(reach[0][1], c[1])}
					reach[1] = [2]int{max(reach[1][0], c[0]), max(reach[1][1], c[1])}
				}
				if want := [2][2]int{{0, 0}, {sizes[id][0] - p, sizes[id][1] - p}}; reach != want {
					t.Errorf("image %d %v: crop corners span %v, want %v", id, sizes[id], reach, want)
				}
			}
		})
	}
}

func TestSamplerDeterminism(t *testing.T) {
	const p, n = 16, 24
	f := newFakeFiles(12, func(i int) (int, int) { return 20 + 7*i, 60 - 3*i })
	fill := func(d *dataset.Dataset, seed uint64) []float32 {
		buf := make([]float32, 2*n*3*p*p)
		s := d.NewSampler(seed)
		for _, half := range [][]float32{buf[:n*3*p*p], buf[n*3*p*p:]} {
			if err := s.Fill(half, n, p); err != nil {
				t.Fatal(err)
			}
		}
		return buf
	}
	big := f.open(t, dataset.Options{Patch: p})
	tiny := f.open(t, dataset.Options{Patch: p, CacheBytes: 3 * 4 * 40 * 40}) // about one image
	ref := fill(big, 9)
	tests := []struct {
		name string
		d    *dataset.Dataset
		seed uint64
		same bool
	}{
		{"same seed", big, 9, true},
		{"same seed, thrashing cache", tiny, 9, true},
		{"other seed", big, 10, false},
	}
	for _, tc := range tests {
		if got := fill(tc.d, tc.seed); slices.Equal(got, ref) != tc.same {
			t.Errorf("%s: equal to the reference = %v, want %v", tc.name, !tc.same, tc.same)
		}
	}
	if tiny.Stats().Loads <= big.Stats().Loads {
		t.Errorf("tiny cache made %d loads, large one %d: the cache was not exercised", tiny.Stats().Loads, big.Stats().Loads)
	}
}

func TestCacheStaysBounded(t *testing.T) {
	const p, side, nImages, fit = 8, 32, 20, 5
	imgBytes := int64(4 * 3 * side * side)
	tests := []struct {
		name       string
		cacheBytes int64
		wantCached int
	}{
		{"five images fit", fit*imgBytes + imgBytes/2, fit},
		{"exactly one fits", imgBytes, 1},
		{"image larger than the cache", imgBytes - 1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeFiles(nImages, square(side))
			d := f.open(t, dataset.Options{Patch: p, CacheBytes: tc.cacheBytes})
			s := d.NewSampler(1)
			buf := make([]float32, 8*3*p*p)
			for range 40 {
				if err := s.Fill(buf, 8, p); err != nil {
					t.Fatal(err)
				}
				st := d.Stats()
				if st.CachedBytes > tc.cacheBytes || st.CachedBytes != int64(st.Cached)*imgBytes {
					t.Fatalf("cache holds %d images, %d bytes; bound %d", st.Cached, st.CachedBytes, tc.cacheBytes)
				}
			}
			st := d.Stats()
			if st.Cached != tc.wantCached || st.CacheLimit != tc.cacheBytes {
				t.Errorf("Stats = %+v, want %d images cached", st, tc.wantCached)
			}
			if st.Loads != f.totalLoads() || st.Loads < 200 {
				t.Errorf("%d loads (loader saw %d) for 320 patches from %d images in a small cache: evicted images not reloaded?", st.Loads, f.totalLoads(), nImages)
			}
		})
	}
}

func TestUnusableImagesAreNotRetried(t *testing.T) {
	const p = 8
	f := newFakeFiles(6, func(i int) (int, int) { return 20, 10 + 10*min(i, 1) }, 2)
	// Image 0 is 20×10: too small for MinSide 12.
	var mu sync.Mutex
	var seen []string
	d := f.open(t, dataset.Options{Patch: p, MinSide: 12, OnSkip: func(s dataset.Skipped) {
		mu.Lock()
		seen = append(seen, s.Path)
		mu.Unlock()
	}})
	buf := make([]float32, 100*3*p*p)
	for seed := range uint64(3) {
		if err := d.NewSampler(seed).Fill(buf, 100, p); err != nil {
			t.Fatal(err)
		}
		for k := range 100 {
			if id, _, _, _ := checkPatch(t, f, buf, k, p); id == 0 || id == 2 {
				t.Fatalf("patch %d comes from skipped image %d", k, id)
			}
		}
	}
	want := map[string]string{f.path(0): "too small: 20×10", f.path(2): "corrupt data"}
	sk := d.Skipped()
	if len(sk) != 2 {
		t.Fatalf("Skipped = %+v, want images 0 and 2", sk)
	}
	for _, s := range sk {
		if !strings.Contains(s.Reason, want[s.Path]) {
			t.Errorf("%s skipped because %q, want %q", s.Path, s.Reason, want[s.Path])
		}
		if c := f.loadCount(s.Path); c != 1 {
			t.Errorf("%s loaded %d times, want once", s.Path, c)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 2 {
		t.Errorf("OnSkip called for %q, want 2 files", seen)
	}
}

func TestFillArguments(t *testing.T) {
	f := newFakeFiles(2, square(40))
	d := f.open(t, dataset.Options{Patch: 16, MinSide: 24})
	s := d.NewSampler(0)
	if err := s.Fill(nil, 0, 16); err != nil {
		t.Errorf("Fill of 0 patches: %v", err)
	}
	if err := s.Fill(make([]float32, 3*24*24), 1, 24); err != nil {
		t.Errorf("patch at MinSide: %v", err)
	}
	if err := s.Fill(make([]float32, 3*25*25), 1, 25); err == nil || !strings.Contains(err.Error(), "25") {
		t.Errorf("patch larger than MinSide: error %v", err)
	}
	panics := []struct {
		name     string
		dst      []float32
		n, patch int
	}{
		{"short dst", make([]float32, 2*3*16*16-1), 2, 16},
		{"negative n", nil, -1, 16},
		{"zero patch", nil, 1, 0},
	}
	for _, tc := range panics {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.HasPrefix(r.(string), "dataset:") {
					t.Errorf("%s: recovered %v, want a dataset: panic", tc.name, r)
				}
			}()
			s.Fill(tc.dst, tc.n, tc.patch)
		}()
	}
}

func TestFillDoesNotAllocate(t *testing.T) {
	const p, n = 64, 16
	f := newFakeFiles(8, func(int) (int, int) { return 241, 160 })
	d := f.open(t, dataset.Options{Patch: p})
	s := d.NewSampler(5)
	buf := make([]float32, n*3*p*p)
	if err := d.Preload(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(50, func() {
		if err := s.Fill(buf, n, p); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Fill allocates %v times per batch from cached images", allocs)
	}
	const rounds = 200
	start := time.Now()
	for range rounds {
		s.Fill(buf, n, p)
	}
	t.Logf("a batch of %d %d×%d patches takes %v", n, p, p, time.Since(start)/rounds)
}

func TestConcurrentSamplers(t *testing.T) {
	const p, n, rounds = 16, 8, 30
	f := newFakeFiles(16, func(i int) (int, int) { return 30 + i, 40 - i }, 7)
	run := func(d *dataset.Dataset, seed uint64) []float32 {
		out := make([]float32, rounds*n*3*p*p)
		s := d.NewSampler(seed)
		for r := range rounds {
			if err := s.Fill(out[r*n*3*p*p:(r+1)*n*3*p*p], n, p); err != nil {
				t.Error(err)
			}
		}
		return out
	}
	// References, one sampler at a time on a fresh dataset.
	refA := run(f.open(t, dataset.Options{Patch: p}), 1)
	refB := run(f.open(t, dataset.Options{Patch: p}), 2)

	d := f.open(t, dataset.Options{Patch: p, CacheBytes: 5 * 4 * 3 * 40 * 40})
	var gotA, gotB []float32
	var wg sync.WaitGroup
	wg.Go(func() { gotA = run(d, 1) })
	wg.Go(func() { gotB = run(d, 2) })
	wg.Go(func() {
		if err := d.Preload(context.Background(), nil); err != nil {
			t.Error(err)
		}
	})
	wg.Go(func() {
		for range 20 {
			d.Stats()
			d.Skipped()
		}
	})
	wg.Wait()
	if !slices.Equal(gotA, refA) || !slices.Equal(gotB, refB) {
		t.Error("samplers running together give other patches than alone")
	}
	if c := f.loadCount(f.path(7)); c != 3 { // once per dataset
		t.Errorf("failing image loaded %d times over 3 datasets, want 3", c)
	}
	if sk := d.Skipped(); len(sk) != 1 {
		t.Errorf("Skipped = %+v, want the one failing image once", sk)
	}
}

func BenchmarkFill(b *testing.B) {
	const p, n = 64, 16
	f := newFakeFiles(16, func(int) (int, int) { return 481, 321 })
	opts := dataset.Options{Patch: p, Load: f.load}
	d, err := dataset.FromPaths(f.paths(), opts)
	if err != nil {
		b.Fatal(err)
	}
	s := d.NewSampler(1)
	buf := make([]float32, n*3*p*p)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Fill(buf, n, p); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCacheEvictsLeastRecentlyUsed replays the images the sampler draws
// through a model LRU cache and checks that the dataset decodes exactly
// when the model misses.
func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	const p, side = 4, 8
	tests := []struct {
		name     string
		capacity int // images that fit
	}{
		{"two images", 2},
		{"three images", 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeFiles(tc.capacity+2, square(side))
			d := f.open(t, dataset.Options{Patch: p, CacheBytes: int64(tc.capacity) * 4 * 3 * side * side})
			s := d.NewSampler(11)
			buf := make([]float32, 3*p*p)
			var model []int // image ids, most recently used first
			hits := 0
			for k := range 300 {
				before := f.totalLoads()
				if err := s.Fill(buf, 1, p); err != nil {
					t.Fatal(err)
				}
				id, _, _, _ := checkPatch(t, f, buf, 0, p)
				at := slices.Index(model, id)
				wantLoads := 1
				if at >= 0 {
					wantLoads = 0
					hits++
					model = slices.Delete(model, at, at+1)
				} else if len(model) == tc.capacity {
					model = model[:tc.capacity-1]
				}
				model = slices.Insert(model, 0, id)
				if got := f.totalLoads() - before; got != wantLoads {
					t.Fatalf("draw %d (image %d, LRU %v): %d loads, want %d", k, id, model, got, wantLoads)
				}
			}
			if hits < 50 {
				t.Errorf("only %d cache hits in 300 draws: the test proves little", hits)
			}
		})
	}
}

func TestConcurrentLoadsDecodeOnce(t *testing.T) {
	const p = 8
	f := newFakeFiles(1, square(16))
	started, release := make(chan struct{}), make(chan struct{})
	var mu sync.Mutex
	loads := 0
	slow := func(path string) (*picture.Image, error) {
		mu.Lock()
		loads++
		first := loads == 1
		mu.Unlock()
		if first {
			close(started)
			<-release
		}
		return f.load(path)
	}
	d, err := dataset.FromPaths(f.paths(), dataset.Options{Patch: p, Load: slow})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for seed := range uint64(3) {
		wg.Go(func() {
			if err := d.NewSampler(seed).Fill(make([]float32, 3*p*p), 1, p); err != nil {
				t.Error(err)
			}
		})
		if seed == 0 {
			<-started // the first sampler is decoding; the others must wait for it
		}
	}
	time.Sleep(20 * time.Millisecond)
	close(release)
	wg.Wait()
	if loads != 1 {
		t.Errorf("%d decodes of the same image by three samplers, want 1", loads)
	}
}
