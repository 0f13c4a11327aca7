// Package dataset turns a folder of photos into training data: it scans for
// image files, splits them deterministically into training and validation
// sets, decodes them lazily into a bounded cache shared by several
// goroutines, and cuts random augmented patches and fixed validation crops
// from them.
//
// Files that cannot be used (undecodable, too small, too large) are skipped
// the first time they are met, recorded with a reason and never retried.
package dataset

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"

	"diabolo/app/picture"
)

// DefaultPatch is the patch side used when Options.Patch is zero.
const DefaultPatch = 64

// DefaultCacheBytes is the cache bound used when Options.CacheBytes is zero.
const DefaultCacheBytes = 512 << 20

// ErrNoImages is wrapped by the errors returned when a dataset has no
// readable image left to draw from.
var ErrNoImages = errors.New("no readable images")

// ErrTooSmall is wrapped by the error of ValCrops when no image is large
// enough for the crops asked.
var ErrTooSmall = errors.New("images too small")

// Options configures a Dataset. The zero value is usable.
type Options struct {
	// Patch is the side of the training patches. Images whose shorter side
	// is below max(Patch, MinSide) are skipped. 0 means DefaultPatch.
	Patch int
	// MinSide raises the smallest accepted image side above Patch.
	MinSide int
	// ValFraction is the share of images held out for validation, in
	// [0, 1). 0 means no split: every image is a training image.
	ValFraction float64
	// Seed chooses the training/validation split.
	Seed uint64
	// CacheBytes bounds the memory taken by decoded pixels (4 bytes per
	// value). 0 means DefaultCacheBytes. An image larger than the whole
	// cache is still used, but decoded again each time it is drawn.
	CacheBytes int64
	// MaxPixels skips images with more pixels than this; 0 leaves the
	// limit to picture.Load.
	MaxPixels int
	// OnSkip, when not nil, is called once for every skipped file, on the
	// goroutine that found the problem and with no lock held. It must be
	// safe for concurrent use and may call the Dataset's methods.
	OnSkip func(Skipped)
	// Load decodes one file. Nil means picture.Load with MaxPixels. It must
	// be safe for concurrent use; the images it returns must not be
	// modified afterwards.
	Load func(path string) (*picture.Image, error)
}

// Skipped is a file the dataset could not use, and why.
type Skipped struct {
	Path   string
	Reason string
}

// Stats is a snapshot of a dataset's cache and counters.
type Stats struct {
	Train, Val  int   // images in each set, skipped ones included
	Cached      int   // decoded images held in the cache
	CachedBytes int64 // bytes of pixels they hold
	CacheLimit  int64 // the bound on CachedBytes
	Loads       int   // decodes attempted so far
	Skipped     int   // files skipped so far
}

// Dataset is a set of training and validation images, decoded on demand.
// Its methods are safe for concurrent use.
type Dataset struct {
	dir     string // the scanned folder, or "" for FromPaths
	opts    Options
	minSide int
	load    func(string) (*picture.Image, error)

	// items holds the training images (sorted by path) followed by the
	// validation images (sorted by path); its length never changes.
	items  []entry
	nTrain int

	mu          sync.Mutex
	head, tail  int // LRU list of cached items, most recently used first; -1 when empty
	cached      int
	used        int64
	loads       int
	failedTrain int
	failedVal   int
	skipped     []Skipped
}

// entry is one image file and its cache state; all fields but path are
// guarded by Dataset.mu.
type entry struct {
	path       string
	img        *picture.Image // nil unless cached
	failed     bool
	loading    chan struct{} // non-nil while a goroutine decodes the file; closed when done
	prev, next int           // LRU links, -1 at the ends
}

// Open scans dir recursively (see Scan) and returns a dataset of the image
// files found. Subfolders that cannot be read are recorded as skipped.
func Open(dir string, opts Options) (*Dataset, error) {
	paths, skipped, err := scan(dir)
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("%w in %s: no image files found", ErrNoImages, dir)
	}
	d, err := newDataset(dir, paths, opts)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dir, err)
	}
	for _, s := range skipped {
		d.skip(s)
	}
	return d, nil
}

// FromPaths returns a dataset of the given image files, for training on
// images a user picked one by one. Duplicates are dropped; order does not
// matter. The files are not read until needed.
func FromPaths(paths []string, opts Options) (*Dataset, error) {
	clean := make([]string, len(paths))
	for i, p := range paths {
		clean[i] = filepath.Clean(p)
	}
	slices.Sort(clean)
	clean = slices.Compact(clean)
	if len(clean) == 0 {
		return nil, fmt.Errorf("%w: no files given", ErrNoImages)
	}
	return newDataset("", clean, opts)
}

func newDataset(dir string, paths []string, opts Options) (*Dataset, error) {
	if opts.Patch < 0 || opts.MinSide < 0 || opts.MaxPixels < 0 || opts.CacheBytes < 0 {
		return nil, fmt.Errorf("dataset: negative option (Patch %d, MinSide %d, MaxPixels %d, CacheBytes %d)",
			opts.Patch, opts.MinSide, opts.MaxPixels, opts.CacheBytes)
	}
	if !(opts.ValFraction >= 0 && opts.ValFraction < 1) {
		return nil, fmt.Errorf("dataset: validation fraction %v is not in [0, 1)", opts.ValFraction)
	}
	if opts.Patch == 0 {
		opts.Patch = DefaultPatch
	}
	if opts.CacheBytes == 0 {
		opts.CacheBytes = DefaultCacheBytes
	}
	d := &Dataset{dir: dir, opts: opts, minSide: max(opts.Patch, opts.MinSide), load: opts.Load, head: -1, tail: -1}
	if d.load == nil {
		dec := picture.DecodeOptions{MaxPixels: opts.MaxPixels}
		d.load = func(path string) (*picture.Image, error) { return picture.Load(path, dec) }
	}
	train, val := split(paths, opts.ValFraction, opts.Seed)
	d.nTrain = len(train)
	d.items = make([]entry, 0, len(paths))
	for _, p := range append(train, val...) {
		d.items = append(d.items, entry{path: p, prev: -1, next: -1})
	}
	return d, nil
}

// Train returns the paths of the training images, sorted, skipped ones
// included.
func (d *Dataset) Train() []string { return d.paths(0, d.nTrain) }

// Val returns the paths of the validation images, sorted, skipped ones
// included. It is empty when the dataset has no validation split.
func (d *Dataset) Val() []string { return d.paths(d.nTrain, len(d.items)) }

func (d *Dataset) paths(from, to int) []string {
	out := make([]string, 0, to-from)
	for _, e := range d.items[from:to] {
		out = append(out, e.path)
	}
	return out
}

// Skipped returns the files skipped so far, in the order they were found.
func (d *Dataset) Skipped() []Skipped {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.skipped)
}

// Stats returns the current state of the cache and counters.
func (d *Dataset) Stats() Stats {
	d.mu.Lock()
	defer d.mu.Unlock()
	return Stats{
		Train: d.nTrain, Val: len(d.items) - d.nTrain,
		Cached: d.cached, CachedBytes: d.used, CacheLimit: d.opts.CacheBytes,
		Loads: d.loads, Skipped: len(d.skipped),
	}
}

// Describe returns a one-line description of the data, for logs and model
// metadata: where it comes from and how it is split.
func (d *Dataset) Describe() string {
	where := d.dir
	if where == "" {
		where = "chosen files"
	}
	n, nv := len(d.items), len(d.items)-d.nTrain
	if nv == 0 {
		return fmt.Sprintf("%d images (%s)", n, where)
	}
	return fmt.Sprintf("%d images (%s): %d training, %d validation", n, where, d.nTrain, nv)
}

// noImages returns the error for a dataset whose every candidate image
// was skipped.
func (d *Dataset) noImages() error {
	d.mu.Lock()
	n := len(d.skipped)
	d.mu.Unlock()
	if d.dir != "" {
		return fmt.Errorf("%w in %s: %d files skipped", ErrNoImages, d.dir, n)
	}
	return fmt.Errorf("%w among the %d files given: %d files skipped", ErrNoImages, len(d.items), n)
}

// skip records s and reports it to OnSkip. d.mu must not be held.
func (d *Dataset) skip(s Skipped) {
	d.mu.Lock()
	d.skipped = append(d.skipped, s)
	d.mu.Unlock()
	if d.opts.OnSkip != nil {
		d.opts.OnSkip(s)
	}
}
