package ui

import (
	"errors"
	"fmt"
	"image"
	"math"
	"runtime"
	"strconv"
	"time"

	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	corruptions "diabolo/app/corruption"
	"diabolo/app/dataset"
	"diabolo/app/models"
	"diabolo/app/session"
	"diabolo/convae"
)

// A training run: from the settings to a session, its events to the
// widgets, and its model to the store.

// trainOptions are the settings of a run that the tab does not show. Tests
// shrink them to train in a moment.
type trainOptions struct {
	valEvery, valCrops, valSide int
	steps                       int // step budget; 0 lets the time budget alone end the run
	eventEvery                  time.Duration
	workers                     int
	seed                        uint64
}

// defaultTrainOptions leaves one CPU to the window, so that it stays
// responsive, and validates often enough to watch the preview improve.
func defaultTrainOptions() trainOptions {
	return trainOptions{
		valEvery: 25, valCrops: 8, valSide: 128,
		eventEvery: 250 * time.Millisecond,
		workers:    max(1, runtime.NumCPU()-1),
		seed:       1,
	}
}

// trainRequest is what a run needs, gathered from the settings on the UI
// goroutine; the slow parts (opening the photos, copying the model) are
// done in the background.
type trainRequest struct {
	task     Task
	paths    []string // the library's photos, when training on them
	dir      string   // the folder, when training on one
	fineTune bool
	cfg      session.Config // without Data and From
}

// trainingRun is one run of the tab, from Start to its end. Events of an
// older run are ignored.
type trainingRun struct {
	task     Task
	sess     *session.Session // set once the session has started
	warnings []string
}

// previewImages is a validation preview converted for display, off the UI
// goroutine. clean is nil when the photos have no clean version.
type previewImages struct {
	clean, noisy, restored *image.NRGBA
}

// errNoPhotos is the refusal to start without photos.
var errNoPhotos = errors.New("there are no photos to train on: add photos to the library, or choose a folder")

// request gathers the settings into a trainRequest, or says why training
// cannot start.
func (v *trainingView) request() (trainRequest, error) {
	r := trainRequest{task: v.currentTask()}
	if v.source.Selected == dataFolder {
		if v.folder == "" {
			return r, errors.New("choose a folder of photos to train on")
		}
		r.dir = v.folder
	} else {
		for _, p := range v.library.photos {
			r.paths = append(r.paths, p.path)
		}
		if len(r.paths) == 0 {
			return r, errNoPhotos
		}
	}
	cfg := session.Config{
		Task: string(r.task), Mode: session.Supervised,
		Duration: time.Duration(v.minutes.Value * float64(time.Minute)), Steps: v.opts.steps,
		ValEvery: v.opts.valEvery, ValCrops: v.opts.valCrops, ValSide: v.opts.valSide,
		EventEvery: v.opts.eventEvery, Workers: v.opts.workers, Seed: v.opts.seed,
	}
	cfg.Batch, _ = strconv.Atoi(v.batch.Selected)
	cfg.Patch, _ = strconv.Atoi(v.patch.Selected)
	if v.selfSup.Checked {
		// No clean photos to validate on: validation shows the output.
		cfg.Mode = session.SelfSupervised
	} else {
		nm, err := corruptions.Parse(v.noiseSpec())
		if err != nil {
			return r, err
		}
		cfg.Noise = nm
	}
	cfg.Brush = v.brushOnly.Checked && r.task == TaskWatermark
	r.fineTune = v.from.Selected == fromCurrent
	if !r.fineTune {
		cfg.Spec = v.selectedPreset().Spec
	}
	r.cfg = cfg
	return r, nil
}

// onStart starts a run with the current settings, or says why it cannot.
// It asks first when the run would replace a model trained earlier and not
// saved.
func (v *trainingView) onStart() {
	if v.state != trainIdle || v.store == nil {
		return
	}
	req, err := v.request()
	if err != nil {
		v.setStatus("Cannot start: "+err.Error()+".", widget.DangerImportance)
		return
	}
	if _, src, _ := v.store.Current(string(req.task)); src.Origin == models.Trained && src.Saved == "" {
		dialog.ShowConfirm("Replace the trained model?",
			"The model trained earlier in this session has not been saved,\nand the new run will replace it. Start anyway?",
			func(ok bool) {
				if ok {
					v.begin(req)
				}
			}, v.win)
		return
	}
	v.begin(req)
}

// begin starts a run of req.
func (v *trainingView) begin(req trainRequest) {
	if v.state != trainIdle {
		return
	}
	tr := &trainingRun{task: req.task}
	v.run = tr
	v.transition(actStart)
	v.resetLive()
	v.setStatus("Opening the photos and preparing the network…", widget.MediumImportance)
	v.jobs.Add(1)
	go v.setup(tr, req)
}

// resetLive clears the numbers, chart and preview of the previous run.
func (v *trainingView) resetLive() {
	for _, l := range []*widget.Label{v.stepValue, v.lossValue, v.psnrValue, v.noisyValue, v.ssimValue, v.speedValue, v.elapsedValue, v.etaValue} {
		l.SetText("—")
	}
	v.progress.SetValue(0)
	v.warnings.SetText("")
	v.warnings.Hide()
	v.chart.reset()
	for _, img := range v.preview {
		img.Image = nil
		img.Refresh()
	}
	v.previewHint.Show()
	v.encoder.clear()
}

// setup opens the data, copies the model to fine-tune and starts the
// session. It runs in its own goroutine; once the session runs, a second
// goroutine waits for its end.
func (v *trainingView) setup(tr *trainingRun, req trainRequest) {
	defer v.jobs.Done()
	cfg := req.cfg
	opts := dataset.Options{Patch: cfg.Patch, ValFraction: valFraction, Seed: cfg.Seed, OnSkip: v.onSkip}
	var err error
	if req.dir != "" {
		cfg.Data, err = dataset.Open(req.dir, opts)
	} else {
		cfg.Data, err = dataset.FromPaths(req.paths, opts)
	}
	if err == nil && req.fineTune {
		cfg.From, err = v.store.Clone(string(req.task))
	}
	var sess *session.Session
	if err == nil {
		sess, err = session.Start(cfg, func(ev session.Event) { v.onEvent(tr, ev) })
	}
	v.ui.post(func() { v.setupDone(tr, sess, err) })
	if err != nil {
		return
	}
	v.jobs.Add(1)
	go func() {
		defer v.jobs.Done()
		model, err := sess.Wait()
		v.ui.post(func() { v.finished(tr, model, err) })
	}()
}

// onSkip reports a photo that training could not use. It may be called on
// any goroutine.
func (v *trainingView) onSkip(s dataset.Skipped) {
	line := s.Path + ": " + s.Reason
	v.ui.post(func() { v.notice.report("could not be used for training", []string{line}) })
}

// setupDone runs on the UI goroutine once the session started, or failed
// to.
func (v *trainingView) setupDone(tr *trainingRun, sess *session.Session, err error) {
	if v.run != tr {
		return
	}
	if err != nil {
		v.transition(actEnd)
		v.setStatus("Could not start training: "+err.Error(), widget.DangerImportance)
		return
	}
	tr.sess = sess
	if v.state == trainStopping { // Stop was tapped while starting
		sess.Stop()
		return
	}
	v.transition(actStarted)
}

// onEvent receives the session's events on its goroutine: it converts a
// preview, filters and feature maps to images there, then hands the event
// to the UI goroutine.
func (v *trainingView) onEvent(tr *trainingRun, ev session.Event) {
	var pv *previewImages
	if ev.Preview != nil {
		pv = newPreviewImages(ev.Preview)
	}
	enc := newEncoderImages(ev.Step, ev.Filters, ev.Features)
	v.ui.post(func() { v.handle(tr, ev, pv, enc) })
}

// newPreviewImages converts a session preview for display.
func newPreviewImages(p *session.Preview) *previewImages {
	return &previewImages{
		clean:    planarImage(p.Side, p.Clean),
		noisy:    planarImage(p.Side, p.Noisy),
		restored: planarImage(p.Side, p.Restored),
	}
}

// planarImage converts side×side planar RGB values in [0, 1] to an image;
// nil for nil values.
func planarImage(side int, pix []float32) *image.NRGBA {
	n := side * side
	if pix == nil || len(pix) < 3*n {
		return nil
	}
	img := image.NewNRGBA(image.Rect(0, 0, side, side))
	for i := range n {
		for c := range 3 {
			img.Pix[4*i+c] = uint8(math.Round(float64(min(max(pix[c*n+i], 0), 1)) * 255))
		}
		img.Pix[4*i+3] = 255
	}
	return img
}

// handle shows an event of run tr on the UI goroutine, with its preview
// and encoder images when it has them.
func (v *trainingView) handle(tr *trainingRun, ev session.Event, pv *previewImages, enc *encoderImages) {
	if v.run != tr {
		return
	}
	switch ev.Kind {
	case session.Started:
		v.setStatus("Training "+ev.Message+".", widget.MediumImportance)
	case session.Step:
		v.chart.addStep(ev.Step, ev.Elapsed, ev.Loss)
		v.showStep(ev)
	case session.Validation:
		v.chart.addValidation(ev.Step, ev.Elapsed, ev.ValLoss)
		v.showValidation(ev, pv)
		if enc != nil {
			v.encoder.show(enc)
		}
	case session.Warning:
		tr.warnings = append(tr.warnings, ev.Message)
		if len(tr.warnings) > maxWarnings {
			tr.warnings = tr.warnings[len(tr.warnings)-maxWarnings:]
		}
		text := "Warning: " + tr.warnings[0]
		for _, w := range tr.warnings[1:] {
			text += "\nWarning: " + w
		}
		v.warnings.SetText(text)
		v.warnings.Show()
	case session.Paused:
		v.setStatus(fmt.Sprintf("Paused at step %d.", ev.Step), widget.MediumImportance)
	case session.Resumed:
		v.setStatus("Training…", widget.MediumImportance)
	}
}

// showStep updates the live numbers from a Step event.
func (v *trainingView) showStep(ev session.Event) {
	step := strconv.Itoa(ev.Step)
	if ev.TotalSteps > 0 {
		step += " of " + strconv.Itoa(ev.TotalSteps)
	}
	v.stepValue.SetText(step)
	if l := v.chart.lastSmoothed(); l > 0 {
		v.lossValue.SetText(strconv.FormatFloat(l, 'g', 4, 64))
	}
	v.speedValue.SetText(fmt.Sprintf("%.0f patches/s", ev.PatchesPerS))
	v.elapsedValue.SetText(clock(ev.Elapsed))
	v.etaValue.SetText(clock(ev.ETA))
	v.progress.SetValue(ev.Progress)
}

// showValidation updates the metrics and the preview from a Validation
// event.
func (v *trainingView) showValidation(ev session.Event, pv *previewImages) {
	if ev.ValPSNR > 0 {
		v.psnrValue.SetText(fmt.Sprintf("%.2f dB", ev.ValPSNR))
		v.noisyValue.SetText(fmt.Sprintf("%.2f dB", ev.NoisyPSNR))
		v.ssimValue.SetText(fmt.Sprintf("%.3f", ev.ValSSIM))
	} else {
		v.psnrValue.SetText("no clean photos")
		v.noisyValue.SetText("—")
		v.ssimValue.SetText("—")
	}
	if pv == nil {
		return
	}
	v.previewHint.Hide()
	v.setPreviewTitles(pv.clean != nil, v.run.task)
	for i, m := range [3]*image.NRGBA{pv.clean, pv.noisy, pv.restored} {
		img := v.preview[i]
		img.Image, img.Hidden = nil, m == nil
		if m != nil {
			img.Image = m // never a typed nil in the interface
		}
		img.Refresh()
	}
}

// setPreviewTitles names the preview panes: with clean crops, the clean,
// corrupted and restored ones; without, the network's input and output.
func (v *trainingView) setPreviewTitles(clean bool, task Task) {
	titles := [3]string{"Clean", "Noisy", "Restored"}
	switch {
	case !clean:
		titles = [3]string{"", "Input", "Output"}
	case task == TaskWatermark:
		titles = [3]string{"Clean", "Marked", "Cleaned"}
	}
	for i, l := range v.previewTitles {
		l.SetText(titles[i])
	}
}

// finished ends run tr on the UI goroutine: its model, if it trained at
// all, becomes the model in use.
func (v *trainingView) finished(tr *trainingRun, model *convae.Model, err error) {
	if v.run != tr {
		return
	}
	v.transition(actEnd)
	switch {
	case err != nil:
		v.setStatus("Training failed: "+err.Error(), widget.DangerImportance)
		v.showModelEncoder() // back to the model in use
	case model == nil || model.Meta.Steps == 0:
		v.setStatus("Stopped before the first step: the model in use is unchanged.", widget.MediumImportance)
		v.showModelEncoder()
	default:
		if err := v.store.Use(string(tr.task), model, models.Source{Origin: models.Trained}); err != nil {
			v.setStatus("The trained model cannot be used: "+err.Error(), widget.DangerImportance)
			v.showModelEncoder()
			return
		}
		v.encoder.featuresBelongTo(model)
		msg := fmt.Sprintf("Model trained for %d steps", model.Meta.Steps)
		if model.Meta.ValPSNR > 0 {
			msg += fmt.Sprintf(" (val PSNR %.2f dB)", model.Meta.ValPSNR)
		}
		v.setStatus(msg+" is now in use — Save model… to keep it.", widget.SuccessImportance)
		v.modelChanged()
		if v.onModelChanged != nil {
			v.onModelChanged(tr.task)
		}
	}
}

// onPause pauses the run.
func (v *trainingView) onPause() {
	if v.run == nil || v.run.sess == nil || !v.transition(actPause) {
		return
	}
	v.run.sess.Pause()
	v.setStatus("Pausing…", widget.MediumImportance)
}

// onResume resumes the paused run.
func (v *trainingView) onResume() {
	if v.run == nil || v.run.sess == nil || !v.transition(actResume) {
		return
	}
	v.run.sess.Resume()
	v.setStatus("Training…", widget.MediumImportance)
}

// onStop stops the run: its model so far becomes the model in use.
func (v *trainingView) onStop() {
	if v.run == nil || !v.transition(actStop) {
		return
	}
	v.setStatus("Stopping after the current step…", widget.MediumImportance)
	if v.run.sess != nil {
		v.run.sess.Stop()
	}
}

// cancel stops the run, when the window closes.
func (v *trainingView) cancel() {
	if v.run != nil && v.run.sess != nil {
		v.run.sess.Stop()
	}
}

// setStatus shows text in the status line with importance imp.
func (v *trainingView) setStatus(text string, imp widget.Importance) {
	v.status.Importance = imp
	v.status.SetText(text)
}
