// Package models keeps the model in use for each task of the window —
// denoising and watermark removal — and where it came from: bundled into the
// binary, opened from a file, or trained in this session. It opens and saves
// model files with errors that name the file, describes models in the words
// the command line uses, and restores photos with the current model.
//
// A Store is safe for concurrent use: a restoration may run while the user
// opens, saves or replaces a model.
package models

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"diabolo/app/atomicfile"
	"diabolo/app/picture"
	"diabolo/app/restore"
	"diabolo/assets"
	"diabolo/convae"
)

// Tasks, named as in the command line's --task flag and in model metadata.
const (
	Denoise   = "denoise"
	Watermark = "watermark"
)

// Tasks returns the tasks a Store keeps a model for.
func Tasks() []string { return []string{Denoise, Watermark} }

// Errors that callers may tell apart with errors.Is; each is wrapped with
// details.
var (
	// ErrUnknownTask reports a task other than Denoise and Watermark.
	ErrUnknownTask = errors.New("unknown task")
	// ErrNoModel reports a task that has no model: none is bundled and
	// none was opened or trained.
	ErrNoModel = errors.New("no model")
	// ErrNotPhotoModel reports a model that does not map a colour photo
	// to a colour photo.
	ErrNotPhotoModel = errors.New("not a photo model")
	// ErrWrongTask reports a model trained for another task.
	ErrWrongTask = errors.New("trained for another task")
)

// Origin says where a model came from.
type Origin int

// Origins of a model.
const (
	NoOrigin Origin = iota // there is no model
	Bundled                // built into the binary
	File                   // opened from a file
	Trained                // trained in this session
)

// Source is where the model in use came from.
type Source struct {
	Origin Origin
	// Path is the file a File model was opened from.
	Path string
	// Time is when a File model was opened or a Trained model finished
	// training; zero for the others.
	Time time.Time
	// Saved is the file the model was last saved to in this session, if
	// any.
	Saved string
}

// String describes s in a few words, for the window: "bundled with
// Diabolo", "/photos/m.dae", "trained in this session at 15:04 (saved as
// /photos/m.dae)".
func (s Source) String() string {
	var text string
	switch s.Origin {
	case Bundled:
		text = "bundled with Diabolo"
	case File:
		text = s.Path
	case Trained:
		text = "trained in this session"
		if !s.Time.IsZero() {
			text += " at " + s.Time.Local().Format("15:04")
		}
	default:
		return "none"
	}
	if s.Saved != "" && s.Saved != s.Path {
		text += " (saved as " + s.Saved + ")"
	}
	return text
}

// BundleFunc returns the model file bundled for a task, or an error
// wrapping assets.ErrNoBundledModel when there is none; assets.Model is one.
type BundleFunc func(task string) ([]byte, error)

// Store holds the current model of each task. The zero value is not usable;
// call NewStore.
type Store struct {
	bundled BundleFunc

	mu    sync.Mutex
	slots map[string]*slot
}

// slot is the state of one task, guarded by Store.mu. The models it points
// to are never modified once in a slot: training works on a Clone.
type slot struct {
	looked    bool          // the bundled model was looked up
	bundle    *convae.Model // the bundled model, nil when there is none
	bundleErr error         // why there is no bundled model
	// bundleR is the one Restorer of bundle: a network must not run in two
	// Restorers at once, and the bundled model may come back after a reset
	// while an old restoration still runs.
	bundleR *restore.Restorer

	model    *convae.Model // the model in use, nil when there is none
	restorer *restore.Restorer
	source   Source
}

// NewStore returns a store whose tasks start with the models bundled into
// the binary (see assets.Model), read the first time a task is used.
func NewStore() *Store { return NewStoreFrom(assets.Model) }

// NewStoreFrom returns a store whose tasks start with the models that
// bundled returns, read the first time a task is used. A task whose bundled
// model is missing or unreadable starts without a model.
func NewStoreFrom(bundled BundleFunc) *Store {
	s := &Store{bundled: bundled, slots: map[string]*slot{}}
	for _, t := range Tasks() {
		s.slots[t] = &slot{}
	}
	return s
}

// slot returns the state of task, looking up its bundled model the first
// time. s.mu must be held.
func (s *Store) slot(task string) (*slot, error) {
	sl, ok := s.slots[task]
	if !ok {
		return nil, fmt.Errorf("%w %q (%s or %s)", ErrUnknownTask, task, Denoise, Watermark)
	}
	if !sl.looked {
		sl.looked = true
		sl.bundle, sl.bundleErr = loadBundled(s.bundled, task)
		if sl.bundle != nil {
			sl.bundleR, _ = restore.New(sl.bundle) // checked by loadBundled
			if sl.model == nil {
				sl.model, sl.restorer, sl.source = sl.bundle, sl.bundleR, Source{Origin: Bundled}
			}
		}
	}
	return sl, nil
}

// loadBundled decodes the model bundled for task.
func loadBundled(bundled BundleFunc, task string) (*convae.Model, error) {
	b, err := bundled(task)
	if err != nil {
		return nil, err
	}
	m, err := convae.Load(bytes.NewReader(b))
	if err == nil {
		err = check(task, m)
	}
	if err != nil {
		return nil, fmt.Errorf("bundled %s model: %w", task, err)
	}
	return m, nil
}

// check returns an error unless m is a photo model fit for task.
func check(task string, m *convae.Model) error {
	if _, err := restore.New(m); err != nil {
		return fmt.Errorf("%w: %v", ErrNotPhotoModel, err)
	}
	if t := m.Meta.Task; t != "" && t != task {
		return fmt.Errorf("%w: this is a %s model, not a %s model", ErrWrongTask, t, task)
	}
	return nil
}

// noModel returns the error for a task without a model.
func (sl *slot) noModel(task string) error {
	hint := "open a model file or train one"
	if task == Watermark {
		hint += ", or paint the marks with the brush (they are filled from their surroundings) or use collection mode"
	}
	return fmt.Errorf("%w for %s: %s; %s", ErrNoModel, task, sl.noBundle(), hint)
}

// noBundle says why the task has no bundled model.
func (sl *slot) noBundle() string {
	if sl.bundleErr != nil && !errors.Is(sl.bundleErr, assets.ErrNoBundledModel) {
		return sl.bundleErr.Error()
	}
	return "none is bundled"
}

// Current returns the model in use for task and where it came from. When
// the task has no model it returns a nil model and an error wrapping
// ErrNoModel that says why. The model must not be modified: use Clone to
// train it further.
func (s *Store) Current(task string) (*convae.Model, Source, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sl, err := s.slot(task)
	if err != nil {
		return nil, Source{}, err
	}
	if sl.model == nil {
		return nil, sl.source, sl.noModel(task)
	}
	return sl.model, sl.source, nil
}

// Has reports whether task has a model.
func (s *Store) Has(task string) bool {
	m, _, _ := s.Current(task)
	return m != nil
}

// HasBundled reports whether a readable model is bundled for task.
func (s *Store) HasBundled(task string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	sl, err := s.slot(task)
	return err == nil && sl.bundle != nil
}

// TakesNoiseLevel reports whether the model of task reads a noise level, so
// that the sigma given to Restore matters; false without a model.
func (s *Store) TakesNoiseLevel(task string) bool {
	m, _, _ := s.Current(task)
	return m != nil && m.Net.Spec().In == picture.Channels+1 && task != Watermark
}

// TakesMask reports whether the model of task reads a brush mask (the
// watermark models trained with one); false without a model.
func (s *Store) TakesMask(task string) bool {
	m, _, _ := s.Current(task)
	return m != nil && m.Net.Spec().In == picture.Channels+1 && task == Watermark
}

// Open reads the model file at path and makes it the model of task. The
// error names the file and the problem: unreadable, not a model file,
// another version, corrupt, not a photo model, or a model of another task.
// On error the model in use is unchanged.
func (s *Store) Open(task, path string) error {
	if _, ok := s.slots[task]; !ok { // the map itself never changes
		return fmt.Errorf("open model %s: %w %q", path, ErrUnknownTask, task)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open model: %w", err)
	}
	defer f.Close()
	m, err := convae.Load(f)
	if err == nil {
		err = check(task, m)
	}
	if err != nil {
		return fmt.Errorf("open model %s: %w", path, err)
	}
	return s.Use(task, m, Source{Origin: File, Path: path, Time: time.Now()})
}

// Save writes the model of task to path, atomically: a failed save leaves
// any existing file untouched. It refuses to replace an existing file
// unless overwrite is set; that error wraps fs.ErrExist. The error names
// the file.
func (s *Store) Save(task, path string, overwrite bool) error {
	m, _, err := s.Current(task)
	if err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	write := atomicfile.WriteNew
	if overwrite {
		write = atomicfile.Write
	}
	if err := write(path, 0o644, m.Save); err != nil {
		return fmt.Errorf("save %s model: %w", task, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if sl := s.slots[task]; sl.model == m {
		sl.source.Saved = path
	}
	return nil
}

// Use makes m the model of task, for example once training ends; src says
// where it came from (its Time defaults to now). m must not be modified
// afterwards. It fails, keeping the model in use, when m is not a photo
// model fit for task.
func (s *Store) Use(task string, m *convae.Model, src Source) error {
	if m == nil {
		return fmt.Errorf("use %s model: %w", task, ErrNoModel)
	}
	if err := check(task, m); err != nil {
		return fmt.Errorf("use %s model: %w", task, err)
	}
	if src.Time.IsZero() && src.Origin != Bundled {
		src.Time = time.Now()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sl, err := s.slot(task)
	if err != nil {
		return err
	}
	r := sl.bundleR
	if m != sl.bundle {
		r, _ = restore.New(m) // m was checked
	}
	sl.model, sl.restorer, sl.source = m, r, src
	return nil
}

// ResetToBundled makes the bundled model the model of task again. When no
// model is bundled for task (or it cannot be read) it returns an error
// wrapping ErrNoModel and keeps the model in use.
func (s *Store) ResetToBundled(task string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sl, err := s.slot(task)
	if err != nil {
		return err
	}
	if sl.bundle == nil {
		return fmt.Errorf("%w to reset %s to: %s", ErrNoModel, task, sl.noBundle())
	}
	sl.model, sl.restorer, sl.source = sl.bundle, sl.bundleR, Source{Origin: Bundled}
	return nil
}

// Clone returns a deep copy of the model of task, which the caller may
// train further without disturbing restorations.
func (s *Store) Clone(task string) (*convae.Model, error) {
	m, _, err := s.Current(task)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		return nil, fmt.Errorf("copy %s model: %w", task, err)
	}
	c, err := convae.Load(&buf)
	if err != nil {
		return nil, fmt.Errorf("copy %s model: %w", task, err)
	}
	return c, nil
}

// Describe returns what the window shows about the model of task: where it
// came from, then the fields of Fields; for a task without a model, why
// there is none.
func (s *Store) Describe(task string) []Field {
	m, src, err := s.Current(task)
	if m == nil {
		return []Field{{"source", "none"}, {"why", err.Error()}}
	}
	return append([]Field{{"source", src.String()}}, Fields(m)...)
}

// Restore returns the restoration of img by the model of task, without
// changing img, with opts as restore.Restorer.Restore takes them (noise
// level, brush mask, shared watermark…). progress, when not nil, is called with the fraction done, on the calling
// goroutine. It returns ctx's error when ctx is cancelled, and an error
// wrapping ErrNoModel when task has no model.
//
// Without a model, a restoration given a shared watermark (collection mode)
// or a painted mask takes the mark off and fills the painted pixels from
// their surroundings, and nothing more (see restore.WithoutNetwork).
//
// The model is the one in use when Restore starts: opening another model
// meanwhile does not disturb it.
func (s *Store) Restore(ctx context.Context, task string, img *picture.Image, opts restore.Options, progress func(done float64)) (*picture.Image, error) {
	s.mu.Lock()
	sl, err := s.slot(task)
	var r *restore.Restorer
	if err == nil {
		r = sl.restorer
		switch {
		case r == nil && (opts.Shared != nil || opts.Painted()):
			// Collection mode and filling painted marks need no network.
			r = restore.WithoutNetwork()
		case r == nil:
			err = sl.noModel(task)
		}
	}
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return r.Restore(ctx, img, opts, progress)
}
