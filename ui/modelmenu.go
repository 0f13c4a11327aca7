package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"diabolo/app/models"
)

// modelExtension is the file name extension of model files.
const modelExtension = ".dae"

// modelActions are the Models menu: open a model file, save the model in
// use, go back to the bundled model, and describe the model in use. They
// act on the task chosen in the corruption controls. Files are read and
// written in the background; errors, which name the file, are shown in a
// dialog.
type modelActions struct {
	ui    bridge
	win   fyne.Window
	prefs fyne.Preferences
	store *models.Store // nil: no actions
	task  func() Task   // the task to act on

	// onChanged is called on the UI goroutine after the model of a task
	// was replaced.
	onChanged func(Task)

	jobs sync.WaitGroup // background reads and writes, waited for by tests
}

// newModelActions returns the actions on store's model of the task that
// task returns. A nil store disables them.
func newModelActions(ui bridge, w fyne.Window, prefs fyne.Preferences, store *models.Store, task func() Task) *modelActions {
	return &modelActions{ui: ui, win: w, prefs: prefs, store: store, task: task}
}

// menu returns the Models menu.
func (a *modelActions) menu() *fyne.Menu {
	items := []*fyne.MenuItem{
		fyne.NewMenuItem("Open Model…", a.openModel),
		fyne.NewMenuItem("Save Model…", a.saveModel),
		fyne.NewMenuItem("Reset to Bundled Model", a.resetModel),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Model Info", a.showInfo),
	}
	for _, it := range items {
		it.Disabled = a.store == nil && !it.IsSeparator
	}
	return fyne.NewMenu("Models", items...)
}

// taskName returns how dialogs name the current task's model.
func (a *modelActions) taskName() string {
	if a.task() == TaskWatermark {
		return "watermark removal model"
	}
	return "denoising model"
}

// openModel asks for a model file to use for the current task.
func (a *modelActions) openModel() {
	if a.store == nil {
		return
	}
	task := a.task()
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		a.open(task, path)
	}, a.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{modelExtension}))
	d.SetTitleText("Open a " + a.taskName())
	if dir := listable(a.prefs.String(prefModelDir)); dir != nil {
		d.SetLocation(dir)
	}
	d.Show()
}

// open reads the model file at path in the background and makes it the
// model of task, or shows why it cannot.
func (a *modelActions) open(task Task, path string) {
	a.prefs.SetString(prefModelDir, filepath.Dir(path))
	a.jobs.Add(1)
	go func() {
		defer a.jobs.Done()
		err := a.store.Open(string(task), path)
		a.ui.run(func() {
			if err != nil {
				dialog.ShowError(err, a.win)
				return
			}
			a.changed(task)
		})
	}()
}

// saveModel asks for a file to save the current task's model to.
func (a *modelActions) saveModel() {
	if a.store == nil {
		return
	}
	task := a.task()
	if !a.store.Has(string(task)) {
		_, _, err := a.store.Current(string(task))
		dialog.ShowError(err, a.win)
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		path := w.URI().Path()
		w.Close()
		a.save(task, path)
	}, a.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{modelExtension}))
	d.SetTitleText("Save the " + a.taskName())
	d.SetFileName(string(task) + modelExtension)
	if dir := listable(a.prefs.String(prefModelDir)); dir != nil {
		d.SetLocation(dir)
	}
	d.Show()
}

// save writes the model of task to path in the background. Fyne's save
// dialog has already asked before replacing a file, and has created the
// file (empty) to hand it over, so the store may overwrite it; the write is
// still atomic. When it fails, the empty file the dialog created is
// removed.
func (a *modelActions) save(task Task, path string) {
	a.prefs.SetString(prefModelDir, filepath.Dir(path))
	a.jobs.Add(1)
	go func() {
		defer a.jobs.Done()
		err := a.store.Save(string(task), path, true)
		if err != nil {
			if info, statErr := os.Stat(path); statErr == nil && info.Size() == 0 {
				os.Remove(path)
			}
		}
		a.ui.run(func() {
			if err != nil {
				dialog.ShowError(err, a.win)
				return
			}
			a.changed(task) // the source now mentions the file
		})
	}()
}

// resetModel goes back to the bundled model of the current task, after
// asking when that would discard a model trained in this session and not
// saved.
func (a *modelActions) resetModel() {
	if a.store == nil {
		return
	}
	task := a.task()
	if !a.store.HasBundled(string(task)) {
		// Without a bundled model this changes nothing and says why.
		dialog.ShowError(a.store.ResetToBundled(string(task)), a.win)
		return
	}
	_, src, _ := a.store.Current(string(task))
	if src.Origin == models.Trained && src.Saved == "" {
		dialog.ShowConfirm("Discard the trained model?",
			"The model trained in this session has not been saved.\nGo back to the bundled model anyway?",
			func(ok bool) {
				if ok {
					a.reset(task)
				}
			}, a.win)
		return
	}
	a.reset(task)
}

// reset makes the bundled model the model of task.
func (a *modelActions) reset(task Task) {
	if err := a.store.ResetToBundled(string(task)); err != nil {
		dialog.ShowError(err, a.win)
		return
	}
	a.changed(task)
}

// showInfo shows a dialog describing the current task's model, in the
// words of "diabolo info".
func (a *modelActions) showInfo() {
	if a.store == nil {
		return
	}
	form := widget.NewForm()
	for _, f := range a.store.Describe(string(a.task())) {
		value := &widget.Label{Text: f.Value, Wrapping: fyne.TextWrapWord}
		form.Append(f.Name, value)
	}
	d := dialog.NewCustom(capitalise(a.taskName()), "Close", container.NewVScroll(form), a.win)
	d.Resize(fyne.NewSize(560, 480))
	d.Show()
}

// changed reports that the model of task was replaced.
func (a *modelActions) changed(task Task) {
	if a.onChanged != nil {
		a.onChanged(task)
	}
}

// capitalise returns s with its first letter in upper case (ASCII).
func capitalise(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// modelSummary returns a one-line description of task's model for the
// Restoration section: its network and where it came from.
func modelSummary(store *models.Store, task Task) string {
	if store == nil {
		return "No model store."
	}
	m, src, _ := store.Current(string(task))
	if m == nil {
		return fmt.Sprintf("No %s model: open one (Models ▸ Open Model…) or train one.", task)
	}
	return fmt.Sprintf("Model: %s, %s", m.Net.Spec().Name, src)
}
