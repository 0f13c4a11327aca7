package ui

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"diabolo/app/models"
	"diabolo/app/noise"
	"diabolo/app/picture"
	"diabolo/app/restore"
)

// Output formats offered for saving results.
const (
	formatPNG  = "PNG"
	formatJPEG = "JPEG"
)

// resultSuffix is added to a photo's name when its result is saved, as the
// command line does.
var resultSuffix = map[Task]string{TaskDenoise: "_denoised", TaskWatermark: "_clean"}

// The range of the Take off control, in percent of the change the
// watermark model makes: below 100 for a dark or coloured halo where a
// mark was, above for a ghost of it left behind. The network cannot
// always tell how opaque a mark is.
const (
	minTakeOff = 50
	maxTakeOff = 150
)

// maxSigma is the strongest noise level, σ on the 0–255 scale, that the
// strength control offers; its left end, 0, is "auto".
const maxSigma = 75

// workbench prepares what the compare view shows of the selected photo,
// runs restorations (of the selected photo or of the whole library) with
// progress and cancellation, and saves results. Its Restoration section
// names the model in use and sets the strength of denoising: a noise level
// σ, or "auto", which estimates it on each photo. For watermark removal it
// hands the compare view's brush the mask of the photo shown, passes the
// masks to the restorer, and offers collection mode (see collection.go).
type workbench struct {
	ui         bridge
	win        fyne.Window
	prefs      fyne.Preferences
	restorer   Restorer
	models     *models.Store // may be nil
	library    *library
	corruption *corruptionControls
	compare    *compareView
	notice     *notice

	shown         *photo             // photo in the compare view
	stopPreparing context.CancelFunc // cancels the preparation of shown
	stopRestoring context.CancelFunc // cancels the restoration running, if any
	estimate      float64            // σ estimated on the shown photo, 0–255; NaN when unknown
	maskSerial    uint64             // serial of the latest brush mask made

	modelText   *widget.Label
	modelInfo   *widget.Button
	modelRow    *fyne.Container
	sigma       *widget.Slider
	sigmaText   *widget.Label
	noiseText   *widget.Label  // the noise measured on the shown photo
	passes      *widget.Select // how many passes the denoiser makes
	sigmaRow    *widget.Form
	takeOff     *widget.Slider // share of the marks taken off, percent
	takeOffText *widget.Label
	takeOffRow  *widget.Form
	collection  *widget.Check // collection mode, for watermark removal
	restoreOne  *widget.Button
	restoreAll  *widget.Button
	stop        *widget.Button
	progress    *widget.ProgressBar
	status      *widget.Label
	format      *widget.Select
	quality     *widget.Slider
	qualityText *widget.Label
	saveOne     *widget.Button
	saveEvery   *widget.Button
	content     fyne.CanvasObject

	// onModelInfo is called when the user asks about the model in use.
	onModelInfo func()

	jobs sync.WaitGroup // background work, waited for by tests
}

// newWorkbench returns the workbench and its controls. A nil restorer
// disables restoration; store, when not nil, tells which model is in use.
// Background work reaches the widgets through ui.
func newWorkbench(ui bridge, w fyne.Window, prefs fyne.Preferences, r Restorer, store *models.Store, l *library, c *corruptionControls, v *compareView, n *notice) *workbench {
	b := &workbench{ui: ui, win: w, prefs: prefs, restorer: r, models: store, library: l, corruption: c, compare: v, notice: n, estimate: math.NaN()}
	b.buildUI()
	return b
}

func (b *workbench) buildUI() {
	b.modelText = &widget.Label{Wrapping: fyne.TextWrapWord}
	b.modelInfo = &widget.Button{Icon: theme.InfoIcon(), Importance: widget.LowImportance, OnTapped: b.showModelInfo}
	b.modelRow = container.NewBorder(nil, nil, nil, b.modelInfo, b.modelText)
	b.modelRow.Hidden = b.models == nil

	b.sigma = &widget.Slider{Min: 0, Max: maxSigma, Step: 1, Orientation: widget.Horizontal}
	if s := b.prefs.FloatWithFallback(prefSigma, 0); s >= 0 && s <= maxSigma {
		b.sigma.SetValue(s)
	}
	b.sigma.OnChanged = b.onSigma
	b.sigmaText = widget.NewLabel("")
	b.noiseText = &widget.Label{Wrapping: fyne.TextWrapWord} // long for camera noise: wrap, not widen the panel
	b.passes = &widget.Select{Options: passesLabels()}
	b.passes.SetSelected(passesLabel(b.prefs.IntWithFallback(prefPasses, 1)))
	b.passes.OnChanged = b.onPasses
	b.sigmaRow = widget.NewForm(
		widget.NewFormItem("Strength", container.NewBorder(nil, nil, nil, b.sigmaText, b.sigma)),
		widget.NewFormItem("Measured", b.noiseText),
		widget.NewFormItem("Passes", b.passes))

	b.takeOff = &widget.Slider{Min: minTakeOff, Max: maxTakeOff, Step: 5, Orientation: widget.Horizontal}
	b.takeOff.SetValue(100)
	if s := b.prefs.FloatWithFallback(prefTakeOff, 100); s >= minTakeOff && s <= maxTakeOff {
		b.takeOff.SetValue(s)
	}
	b.takeOff.OnChanged = b.onTakeOff
	b.takeOffText = widget.NewLabel("")
	b.takeOffRow = widget.NewForm(widget.NewFormItem("Take off", container.NewBorder(nil, nil, nil, b.takeOffText, b.takeOff)))
	b.showTakeOff()

	b.collection = &widget.Check{Text: "These photos share one watermark (collection mode)"}
	b.collection.SetChecked(b.prefs.Bool(prefCollection))
	b.collection.OnChanged = b.onCollection

	b.restoreOne = &widget.Button{Text: "Restore", Icon: theme.MediaPlayIcon(), Importance: widget.HighImportance, OnTapped: b.restoreSelected}
	b.restoreAll = &widget.Button{Text: "Restore all", OnTapped: b.restoreLibrary}
	b.stop = &widget.Button{Text: "Cancel", Icon: theme.CancelIcon(), OnTapped: b.cancelRestore}
	b.stop.Disable()
	b.progress = widget.NewProgressBar()
	b.status = &widget.Label{Wrapping: fyne.TextWrapWord}
	if b.restorer == nil {
		b.restoreOne.Disable()
		b.restoreAll.Disable()
		b.status.SetText("No restoration model is available.")
	}

	b.format = &widget.Select{Options: []string{formatPNG, formatJPEG}}
	b.format.SetSelected(b.prefs.StringWithFallback(prefSaveFormat, formatPNG))
	b.format.OnChanged = b.onFormat
	b.quality = &widget.Slider{Min: 50, Max: 100, Step: 1, Orientation: widget.Horizontal}
	b.quality.SetValue(float64(b.prefs.IntWithFallback(prefSaveQuality, 92)))
	b.quality.OnChanged = b.onQuality
	b.qualityText = widget.NewLabel("")
	b.onQuality(b.quality.Value)
	b.onFormat(b.format.Selected)
	b.saveOne = &widget.Button{Text: "Save result…", Icon: theme.DocumentSaveIcon(), OnTapped: b.saveCurrent}
	b.saveEvery = &widget.Button{Text: "Save all…", OnTapped: b.saveAll}

	b.content = container.NewVBox(
		widget.NewLabelWithStyle("Restoration", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		b.modelRow,
		b.sigmaRow,
		b.takeOffRow,
		b.collection,
		container.NewHBox(b.restoreOne, b.restoreAll, b.stop),
		b.progress,
		b.status,
		widget.NewLabelWithStyle("Results", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewBorder(nil, nil, b.format, b.qualityText, b.quality),
		container.NewHBox(b.saveOne, b.saveEvery),
	)
	b.compare.brush.onChanged = b.maskChanged
	b.modelChanged()
}

// modelChanged shows which model the current task uses and whether the
// strength control applies to it, after the task or the model changed.
func (b *workbench) modelChanged() {
	task := b.corruption.settings().task
	b.modelText.SetText(modelSummary(b.models, task))
	b.updateSigma()
	b.showRow(b.takeOffRow, task == TaskWatermark)
	b.showRow(b.collection, task == TaskWatermark)
	b.compare.setBrushAvailable(task == TaskWatermark)
}

// showRow shows or hides a row of the panel, and lays the panel out again
// when that changes anything: the rows under it move.
func (b *workbench) showRow(row fyne.CanvasObject, show bool) {
	if row.Visible() == show {
		return
	}
	if show {
		row.Show()
	} else {
		row.Hide()
	}
	if b.content != nil {
		b.content.Refresh()
	}
}

func (b *workbench) showModelInfo() {
	if b.onModelInfo != nil {
		b.onModelInfo()
	}
}

// sigmaSetting returns the noise level to remove, σ on the 0–255 scale, or
// 0 for "auto": estimated on each photo.
func (b *workbench) sigmaSetting() float64 { return b.sigma.Value }

// passChoice is a number of passes the denoiser can make (see
// restore.Options.Passes), with what the Passes control says of it.
type passChoice struct {
	passes int
	label  string
}

// passChoices returns the choices of the Passes control, in its order.
func passChoices() []passChoice {
	return []passChoice{
		{1, "1: fastest"},
		{2, "2: finer, twice the time"},
		{4, "4: finer still, 4× the time"},
		{8, "8: finest, 8× the time"},
	}
}

// passesLabels returns the Passes control's options.
func passesLabels() []string {
	var labels []string
	for _, c := range passChoices() {
		labels = append(labels, c.label)
	}
	return labels
}

// passesLabel returns the option of the Passes control for n passes: the
// first (one pass) when n is not offered.
func passesLabel(n int) string {
	choices := passChoices()
	for _, c := range choices {
		if c.passes == n {
			return c.label
		}
	}
	return choices[0].label
}

// passesSetting returns how many passes the denoiser makes.
func (b *workbench) passesSetting() int {
	for _, c := range passChoices() {
		if c.label == b.passes.Selected {
			return c.passes
		}
	}
	return 1
}

func (b *workbench) onPasses(string) {
	b.prefs.SetInt(prefPasses, b.passesSetting())
	b.updateStale()
}

// takeOffSetting returns how much of the change the watermark model makes
// to apply: 1 for all of it (restore.Options.Strength).
func (b *workbench) takeOffSetting() float64 { return b.takeOff.Value / 100 }

func (b *workbench) onTakeOff(float64) {
	b.prefs.SetFloat(prefTakeOff, b.takeOff.Value)
	b.showTakeOff()
	b.updateStale()
}

// showTakeOff writes the Take off setting beside its slider.
func (b *workbench) showTakeOff() {
	b.takeOffText.SetText(fmt.Sprintf("%.0f%%", b.takeOff.Value))
}

func (b *workbench) onSigma(s float64) {
	b.prefs.SetFloat(prefSigma, s)
	b.updateSigma()
	b.updateStale()
}

// setEstimate records the noise estimated on the photo shown: σ on the
// 0–255 scale (NaN: none) and, when ok, its signal-dependent (camera)
// model, variance a·signal + b.
func (b *workbench) setEstimate(sigma float64, sensor noise.PoissonGaussianParams, ok bool) {
	b.estimate = sigma
	b.noiseText.SetText(describeNoise(sigma, sensor, ok))
	b.updateSigma()
}

// describeNoise says what was measured on a photo, for the Measured row.
func describeNoise(sigma float64, sensor noise.PoissonGaussianParams, ok bool) string {
	switch {
	case math.IsNaN(sigma):
		return "–"
	case !ok:
		return fmt.Sprintf("σ≈%.1f", sigma)
	case sensor.A == 0:
		return fmt.Sprintf("σ≈%.1f, the same at every brightness", sigma)
	}
	return fmt.Sprintf("σ≈%.1f; camera noise: variance %.4f·signal + %.5f", sigma, sensor.A, sensor.B)
}

// updateSigma shows the strength control for denoising, and only as far as
// the model uses it: "auto (σ≈23)", "σ 30", or "set by the model" for
// models that read no noise level.
func (b *workbench) updateSigma() {
	if b.corruption.settings().task != TaskDenoise {
		b.showRow(b.sigmaRow, false)
		return
	}
	b.showRow(b.sigmaRow, true)
	if !b.sigmaMatters() {
		b.sigma.Disable()
		b.sigmaText.SetText("set by the model")
		return
	}
	b.sigma.Enable()
	switch {
	case b.sigma.Value > 0:
		b.sigmaText.SetText(fmt.Sprintf("σ %.0f", b.sigma.Value))
	case math.IsNaN(b.estimate):
		b.sigmaText.SetText("auto")
	default:
		b.sigmaText.SetText(fmt.Sprintf("auto (σ≈%.0f)", b.estimate))
	}
}

// sigmaMatters reports whether the strength control applies: unless the
// denoising model in use reads no noise level.
func (b *workbench) sigmaMatters() bool {
	return b.models == nil || !b.models.Has(string(TaskDenoise)) || b.models.TakesNoiseLevel(string(TaskDenoise))
}

func (b *workbench) onFormat(f string) {
	b.prefs.SetString(prefSaveFormat, f)
	if f == formatJPEG {
		b.quality.Enable()
	} else {
		b.quality.Disable()
	}
}

func (b *workbench) onQuality(q float64) {
	b.prefs.SetInt(prefSaveQuality, int(q))
	b.qualityText.SetText(fmt.Sprintf("Quality %d", int(q)))
}

// show displays photo p (nil clears the view) with the current corruption.
// The photo is decoded and corrupted in the background.
func (b *workbench) show(p *photo) {
	if b.stopPreparing != nil {
		b.stopPreparing()
		b.stopPreparing = nil
	}
	b.shown = p
	b.compare.brush.setMask(nil) // until the photo's frame is shown
	if p == nil {
		b.compare.show(nil)
		b.setEstimate(math.NaN(), noise.PoissonGaussianParams{}, false)
		return
	}
	c := b.corruption.settings()
	var restored *picture.Image
	if p.result != nil && p.resultOf == c {
		restored = p.result
	}
	ctx, cancel := context.WithCancel(context.Background())
	b.stopPreparing = cancel
	b.jobs.Add(1)
	go b.prepare(ctx, p, c, restored)
}

// corruptionChanged shows the current photo again with new settings. The
// brush masks painted on images these settings no longer make are dropped.
func (b *workbench) corruptionChanged(c corruption) {
	b.dropStaleMasks(c)
	b.modelChanged()
	b.show(b.shown)
}

// prepare decodes and corrupts photo p, estimates its noise level and hands
// the compare view its frame (and the brush p's mask), unless ctx was
// cancelled meanwhile. It runs in its own goroutine.
func (b *workbench) prepare(ctx context.Context, p *photo, c corruption, restored *picture.Image) {
	defer b.jobs.Done()
	original, corrupted, err := loadCorrupted(p.path, c)
	if err != nil {
		b.ui.run(func() { b.notice.report("could not be shown", []string{err.Error()}) })
		return
	}
	if ctx.Err() != nil {
		return
	}
	f := newFrame(c.task, original, corrupted, restored)
	input := original
	if corrupted != nil {
		input = corrupted
	}
	sigma := noise.EstimateStrength(input) * 255
	sensor, ok := noise.EstimatePoissonGaussian(input)
	b.ui.run(func() {
		if ctx.Err() == nil {
			b.compare.show(f)
			b.attachMask(p, c, f.width, f.height)
			b.setEstimate(sigma, sensor, ok)
		}
	})
}

// loadCorrupted decodes the photo at path and applies c to a copy.
func loadCorrupted(path string, c corruption) (original, corrupted *picture.Image, err error) {
	original, err = picture.Load(path, picture.DecodeOptions{})
	if err != nil {
		return nil, nil, err
	}
	corrupted, err = c.apply(original, path)
	return original, corrupted, err
}

// restoreSelected restores the photo in the compare view.
func (b *workbench) restoreSelected() {
	if b.shown == nil {
		b.status.SetText("Select a photo to restore.")
		return
	}
	b.restore([]*photo{b.shown}, false)
}

// restoreLibrary restores every photo of the library; in collection mode,
// it first estimates the watermark they share.
func (b *workbench) restoreLibrary() {
	if len(b.library.photos) == 0 {
		b.status.SetText("Add photos to restore.")
		return
	}
	b.restore(append([]*photo(nil), b.library.photos...), b.collectionMode())
}

// restoreJob is what a restoration works on, taken on the UI goroutine
// when it starts.
type restoreJob struct {
	photos []*photo
	// masks holds the brush mask of each photo (as brushMask.snapshot
	// returns it: nil when nothing is painted), and maskStates its state.
	masks      [][]uint8
	maskStates []maskState
	c          corruption
	sigma      float64 // 0–255; 0 for auto
	passes     int     // passes of the denoiser; 0 when removing watermarks
	takeOff    float64 // share of the marks' removal applied; 0 when denoising
	// collection asks to estimate the watermark the photos share first.
	collection bool
}

// restore starts restoring photos in the background, one after the other;
// with collection set, after estimating the watermark they share.
func (b *workbench) restore(photos []*photo, collection bool) {
	if b.restorer == nil || b.stopRestoring != nil {
		return
	}
	c := b.corruption.settings()
	job := restoreJob{photos: photos, c: c, collection: collection && c.task == TaskWatermark}
	if c.task == TaskDenoise {
		job.sigma, job.passes = b.sigmaSetting(), b.passesSetting()
	} else {
		job.takeOff = b.takeOffSetting()
	}
	job.masks, job.maskStates = masksOf(photos, c)
	if b.models != nil {
		model, _, err := b.models.Current(string(c.task))
		if err != nil {
			b.status.SetText(capitalise(err.Error()) + ".")
			return
		}
		if model.Meta.Brush && !job.collection && !anyPainted(job.masks) {
			b.status.SetText(paintFirst)
			return
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	b.stopRestoring = cancel
	b.setRunning(true)
	b.progress.SetValue(0)
	b.status.SetText(fmt.Sprintf("Restoring %s…", count(len(photos), "photo")))
	b.jobs.Add(1)
	go b.runRestore(ctx, job)
}

// runRestore is the body of a restoration job: it restores the job's photos
// with its corruption, noise level and masks, and in collection mode first
// estimates the watermark they share.
func (b *workbench) runRestore(ctx context.Context, job restoreJob) {
	defer b.jobs.Done()
	photos, c := job.photos, job.c
	var shared sharedEstimate
	if job.collection {
		shared = b.estimateShared(ctx, photos, c)
		b.ui.run(func() {
			b.notice.remark(shared.note, nil)
			if ctx.Err() == nil { // else the status says the job is cancelling
				b.status.SetText(fmt.Sprintf("Restoring %s…", count(len(photos), "photo")))
			}
		})
	}
	var failed, otherSize []string
	done, cleaned := 0, 0
	n := float64(len(photos))
	for i, p := range photos {
		if ctx.Err() != nil {
			break
		}
		original, corrupted, err := loadCorrupted(p.path, c)
		if err != nil {
			failed = append(failed, err.Error())
			continue
		}
		input := original
		if corrupted != nil {
			input = corrupted
		}
		opts := restore.Options{Sigma: job.sigma, Passes: job.passes, Strength: job.takeOff}
		if m := job.masks[i]; len(m) == input.Width*input.Height {
			opts.Mask = maskValues(m)
		}
		if shared.mark != nil {
			if shared.fits(input) {
				opts.Shared = shared.mark
			} else {
				otherSize = append(otherSize, fmt.Sprintf("%s: %d×%d", p.path, input.Width, input.Height))
			}
		}
		out, err := b.restorer.Restore(ctx, c.task, input, opts, func(f float64) {
			b.ui.post(func() { b.progress.SetValue((float64(i) + f) / n) })
		})
		if err != nil {
			if ctx.Err() == nil {
				failed = append(failed, fmt.Sprintf("%s: %v", p.path, err))
			}
			continue
		}
		done++
		if opts.Shared != nil {
			cleaned++
		}
		var shown bool
		b.ui.run(func() {
			p.result, p.resultOf, p.resultMask = out, c, job.maskStates[i]
			p.resultSigma, p.resultPasses, p.resultTakeOff = job.sigma, job.passes, job.takeOff
			b.progress.SetValue(float64(i+1) / n)
			shown = b.shown == p && b.corruption.settings() == c
		})
		if shown {
			f := newFrame(c.task, original, corrupted, out)
			b.ui.run(func() {
				if b.shown == p && b.corruption.settings() == c {
					b.compare.show(f)
					b.updateStale()
				}
			})
		}
	}
	cancelled := ctx.Err() != nil
	b.ui.run(func() {
		b.stopRestoring = nil
		b.setRunning(false)
		b.notice.report("could not be restored", failed)
		if len(otherSize) > 0 {
			b.notice.remark(shared.otherSizeNote(len(otherSize)), otherSize)
		}
		msg := fmt.Sprintf("Restored %s.", count(done, "photo"))
		if cancelled {
			msg = fmt.Sprintf("Cancelled after %s.", count(done, "photo"))
		}
		if shared.mark != nil {
			msg += fmt.Sprintf(" The shared watermark was taken off %d.", cleaned)
		}
		b.status.SetText(msg)
	})
}

// setRunning switches the buttons between idle and running states.
func (b *workbench) setRunning(running bool) {
	if running {
		b.restoreOne.Disable()
		b.restoreAll.Disable()
		b.stop.Enable()
		return
	}
	b.restoreOne.Enable()
	b.restoreAll.Enable()
	b.stop.Disable()
}

// cancelRestore stops the restoration running, if any.
func (b *workbench) cancelRestore() {
	if b.stopRestoring != nil {
		b.status.SetText("Cancelling…")
		b.stopRestoring()
	}
}

// cancel stops all background work, when the window closes.
func (b *workbench) cancel() {
	b.cancelRestore()
	if b.stopPreparing != nil {
		b.stopPreparing()
	}
}

// saveCurrent asks for a folder and saves the result of the photo shown.
func (b *workbench) saveCurrent() {
	if b.shown == nil || b.shown.result == nil {
		b.status.SetText("Nothing to save yet: restore a photo first.")
		return
	}
	b.chooseFolderAndSave([]*photo{b.shown})
}

// saveAll asks for a folder and saves every result of the library.
func (b *workbench) saveAll() {
	var done []*photo
	for _, p := range b.library.photos {
		if p.result != nil {
			done = append(done, p)
		}
	}
	if len(done) == 0 {
		b.status.SetText("Nothing to save yet: restore photos first.")
		return
	}
	b.chooseFolderAndSave(done)
}

func (b *workbench) chooseFolderAndSave(photos []*photo) {
	d := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil || dir == nil {
			return
		}
		b.prefs.SetString(prefSaveDir, dir.Path())
		b.saveTo(dir.Path(), photos)
	}, b.win)
	d.SetConfirmText("Save here")
	if dir := listable(b.prefs.String(prefSaveDir)); dir != nil {
		d.SetLocation(dir)
	}
	d.Show()
}

// saveTo writes the results of photos into folder dir in the background.
func (b *workbench) saveTo(dir string, photos []*photo) {
	type item struct {
		path   string
		result *picture.Image
		task   Task
	}
	items := make([]item, len(photos))
	for i, p := range photos {
		items[i] = item{p.path, p.result, p.resultOf.task}
	}
	opts := picture.SaveOptions{EncodeOptions: picture.EncodeOptions{Format: picture.PNG}}
	if b.format.Selected == formatJPEG {
		opts.Format, opts.Quality = picture.JPEG, int(b.quality.Value)
	}
	b.status.SetText(fmt.Sprintf("Saving %s…", count(len(items), "result")))
	b.jobs.Add(1)
	go func() {
		defer b.jobs.Done()
		var failed []string
		var last string
		for _, it := range items {
			out, err := saveResult(dir, it.path, resultSuffix[it.task], it.result, opts)
			if err != nil {
				failed = append(failed, err.Error())
				continue
			}
			last = out
		}
		b.ui.run(func() {
			b.notice.report("could not be saved", failed)
			saved := len(items) - len(failed)
			switch {
			case saved == 1:
				b.status.SetText("Saved " + last + ".")
			case saved > 1:
				b.status.SetText(fmt.Sprintf("Saved %s in %s.", count(saved, "result"), dir))
			default:
				b.status.SetText("Nothing was saved.")
			}
		})
	}()
}

// maxNameTries bounds the search for a free output file name.
const maxNameTries = 1000

// saveResult writes result, the restoration of the photo at src, into
// folder dir as NAME+suffix and the format's extension, or
// NAME+suffix-2, -3… when that file exists: it never replaces a file, the
// original included. It returns the path written.
func saveResult(dir, src, suffix string, result *picture.Image, opts picture.SaveOptions) (string, error) {
	base := strings.TrimSuffix(filepath.Base(src), filepath.Ext(src)) + suffix
	ext := opts.Format.Extension()
	opts.Overwrite = false
	for i := 1; i <= maxNameTries; i++ {
		name := base + ext
		if i > 1 {
			name = fmt.Sprintf("%s-%d%s", base, i, ext)
		}
		out := filepath.Join(dir, name)
		if sameFile(out, src) {
			continue
		}
		if _, err := os.Lstat(out); err == nil {
			continue
		}
		err := picture.Save(out, result, opts)
		if errors.Is(err, fs.ErrExist) {
			continue // created meanwhile
		}
		return out, err
	}
	return "", fmt.Errorf("save %s: no free file name in %s", filepath.Base(src), dir)
}

// sameFile reports whether paths a and b name the same file.
func sameFile(a, b string) bool {
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	ia, errA := os.Stat(a)
	ib, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(ia, ib)
}

// count returns "1 photo", "3 photos" and so on.
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
