package ui

import (
	"fmt"
	"slices"
	"strconv"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"diabolo/app/models"
	"diabolo/convae"
)

// Choices of the Training tab's radio groups.
const (
	dataLibrary = "Photos in the library"
	dataFolder  = "A folder…"
	fromCurrent = "Fine-tune the current model"
	fromScratch = "Start fresh"
	axisSteps   = "Steps"
	axisTime    = "Time"
)

// Settings of the Training tab, with their ranges and defaults.
const (
	minMinutes     = 1
	maxMinutes     = 120
	defaultMinutes = 10
	defaultBatch   = 16
	defaultPatch   = 64
	// valFraction of the photos is held out to measure the network.
	valFraction = 0.1
	// maxWarnings is how many warnings of a run the tab lists.
	maxWarnings = 3
)

// trainingCorruptions lists the corruptions offered for supervised
// training, as specs that app/corruption reads. For denoising: blind
// Gaussian noise rounded to 8 bits, the command line's default, then the
// corruption kinds of the Corruption controls, whose spec builders it
// reuses. For watermark removal: synthetic marks of app/watermark, whose
// strongest opacity the slider sets.
func trainingCorruptions() []corruptionKind {
	kinds := []corruptionKind{{
		name: "Gaussian, any σ up to…", task: TaskDenoise, label: "σ ≤", min: 5, max: 100, step: 1, def: 50,
		spec: func(s float64) string { return "gaussian:0-" + num(s) + "+quantize" },
	}}
	for _, k := range corruptionKinds {
		if k.task == TaskDenoise && k.spec != nil {
			kinds = append(kinds, k)
		}
	}
	mark := func(name, flags string) corruptionKind {
		return corruptionKind{name: name, task: TaskWatermark, label: "opacity ≤", min: 0.3, max: 1, step: 0.05, def: 0.8,
			spec: func(s float64) string { return "watermark:" + flags + "0.2-" + num(round6(s)) }}
	}
	return append(kinds,
		mark("Text and logos, any layout", ""),
		mark("Text", "text,"),
		mark("Logos", "logo,"),
		mark("Tiled across the photo", "tiled,"),
		mark("In a corner", "corner,"),
	)
}

// trainingView is the Training tab: settings on the left; on the right the
// Start, Pause, Resume and Stop buttons, live numbers, the loss chart and
// a preview of a validation crop that improves as the network learns, with
// what the encoder learned (its first filters and its bottleneck's feature
// maps of that crop) in a second tab. The
// session trains on its own goroutines; its events reach the widgets only
// through the bridge, and handling one is cheap (a few labels, a chart
// point, small images converted beforehand).
type trainingView struct {
	ui      bridge
	win     fyne.Window
	prefs   fyne.Preferences
	store   *models.Store
	library *library
	notice  *notice

	source       *widget.RadioGroup
	folderText   *widget.Label
	chooseFolder *widget.Button
	task         *widget.RadioGroup
	selfSup      *widget.Check
	brushOnly    *widget.Check // watermarks: a model for painted marks (session.Config.Brush)
	noiseKind    *widget.Select
	noiseLevel   *widget.Slider
	noiseText    *widget.Label
	preset       *widget.Select
	presetNote   *widget.Label
	from         *widget.RadioGroup
	fromNote     *widget.Label
	minutes      *widget.Slider
	minutesText  *widget.Label
	batch        *widget.Select
	patch        *widget.Select

	start, pause, resume, stop *widget.Button
	progress                   *widget.ProgressBar
	status                     *widget.Label
	warnings                   *widget.Label

	stepValue, lossValue, psnrValue, noisyValue   *widget.Label
	ssimValue, speedValue, elapsedValue, etaValue *widget.Label

	chart         *lossChart
	xAxis         *widget.RadioGroup
	preview       [3]*canvas.Image
	previewTitles [3]*widget.Label
	previewHint   *widget.Label
	encoder       *encoderView
	liveTabs      *container.AppTabs // the preview, and what the encoder learned
	content       fyne.CanvasObject

	folder     string           // the folder to train on, "" until chosen
	kinds      []corruptionKind // the training corruptions of every task
	kind       corruptionKind   // the one chosen
	noiseValue float64          // its strength
	presets    []convae.Preset
	state      trainState
	run        *trainingRun // the current or last run, nil before the first
	opts       trainOptions

	// onModelChanged is called after a finished run installed its model.
	onModelChanged func(Task)

	jobs sync.WaitGroup // setup and end of runs, waited for by tests
}

// newTrainingView returns the Training tab. Trained models go to store;
// without a store, training is not offered. Skipped photos are reported to
// n; background work reaches the widgets through ui.
func newTrainingView(ui bridge, w fyne.Window, prefs fyne.Preferences, store *models.Store, l *library, n *notice) *trainingView {
	v := &trainingView{ui: ui, win: w, prefs: prefs, store: store, library: l, notice: n, opts: defaultTrainOptions()}
	v.buildUI()
	return v
}

func (v *trainingView) buildUI() {
	bold := func(s string) *widget.Label {
		return widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	note := func() *widget.Label {
		return &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.LowImportance, TextStyle: fyne.TextStyle{Italic: true}}
	}

	// Data.
	v.folder = v.prefs.String(prefTrainFolder)
	v.source = &widget.RadioGroup{Options: []string{dataLibrary, dataFolder}, Required: true}
	v.source.SetSelected(dataLibrary)
	v.source.OnChanged = v.onSource
	v.folderText = &widget.Label{Truncation: fyne.TextTruncateEllipsis}
	v.chooseFolder = &widget.Button{Text: "Choose…", Icon: theme.FolderOpenIcon(), OnTapped: v.onChooseFolder}
	v.task = &widget.RadioGroup{Options: []string{taskNames[TaskDenoise], taskNames[TaskWatermark]}, Required: true}
	v.task.SetSelected(taskNames[TaskDenoise])
	v.task.OnChanged = v.onTask
	v.selfSup = &widget.Check{Text: "Photos are noisy: learn from them alone", OnChanged: v.onSelfSupervised}
	v.brushOnly = &widget.Check{Text: "Only marks painted over with the brush",
		OnChanged: func(bool) { unfocus(v.brushOnly) }}

	// Corruption.
	v.kinds = trainingCorruptions()
	v.noiseKind = &widget.Select{}
	v.noiseLevel = &widget.Slider{Orientation: widget.Horizontal}
	v.noiseText = widget.NewLabel("")
	v.setNoiseKind(v.kindsOf(TaskDenoise)[0])
	v.noiseKind.OnChanged = v.onNoiseKind
	v.noiseLevel.OnChanged = v.onNoiseLevel

	// Network.
	v.presets = convae.Presets()
	labels := make([]string, len(v.presets))
	for i, p := range v.presets {
		labels[i] = presetLabel(p.Spec)
	}
	v.preset = &widget.Select{Options: labels}
	v.presetNote = note()
	v.preset.OnChanged = v.onPreset
	v.preset.SetSelected(labels[v.presetIndex(v.prefs.StringWithFallback(prefTrainPreset, "unet-m"))])
	v.from = &widget.RadioGroup{Options: []string{fromCurrent, fromScratch}, Required: true}
	v.from.SetSelected(fromCurrent)
	v.from.OnChanged = v.onFrom
	v.fromNote = note()

	v.minutes = &widget.Slider{Min: minMinutes, Max: maxMinutes, Step: 1, Orientation: widget.Horizontal}
	v.minutes.SetValue(v.prefs.FloatWithFallback(prefTrainMinutes, defaultMinutes))
	v.minutesText = widget.NewLabel("")
	v.minutes.OnChanged = v.onMinutes
	v.onMinutes(v.minutes.Value)
	v.batch = &widget.Select{Options: []string{"4", "8", "16", "32"}}
	v.batch.SetSelected(strconv.Itoa(defaultBatch))
	v.patch = &widget.Select{Options: []string{"32", "48", "64", "96", "128"}}
	v.patch.SetSelected(strconv.Itoa(defaultPatch))

	settings := container.NewVBox(
		bold("Data"),
		v.source,
		container.NewBorder(nil, nil, nil, v.chooseFolder, v.folderText),
		v.selfSup,
		bold("Task"),
		v.task,
		v.brushOnly,
		bold("Corruption to learn to remove"),
		v.noiseKind,
		container.NewBorder(nil, nil, nil, v.noiseText, v.noiseLevel),
		bold("Network"),
		v.from,
		v.fromNote,
		v.preset,
		v.presetNote,
		bold("Time budget"),
		container.NewBorder(nil, nil, nil, v.minutesText, v.minutes),
		widget.NewAccordion(widget.NewAccordionItem("Advanced", widget.NewForm(
			widget.NewFormItem("Batch", v.batch),
			widget.NewFormItem("Patch side", v.patch),
		))),
	)

	// Controls and live numbers.
	v.start = &widget.Button{Text: "Start", Icon: theme.MediaPlayIcon(), Importance: widget.HighImportance, OnTapped: v.onStart}
	v.pause = &widget.Button{Text: "Pause", Icon: theme.MediaPauseIcon(), OnTapped: v.onPause}
	v.resume = &widget.Button{Text: "Resume", Icon: theme.MediaPlayIcon(), OnTapped: v.onResume}
	v.stop = &widget.Button{Text: "Stop", Icon: theme.MediaStopIcon(), OnTapped: v.onStop}
	v.progress = widget.NewProgressBar()
	v.status = &widget.Label{Wrapping: fyne.TextWrapWord}
	v.warnings = &widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.WarningImportance}
	v.warnings.Hide()
	value := func() *widget.Label { return widget.NewLabel("—") }
	v.stepValue, v.lossValue, v.psnrValue, v.noisyValue = value(), value(), value(), value()
	v.ssimValue, v.speedValue, v.elapsedValue, v.etaValue = value(), value(), value(), value()
	numbers := container.NewGridWithColumns(2,
		container.New(layout.NewFormLayout(),
			bold("Step"), v.stepValue, bold("Loss"), v.lossValue,
			bold("Val PSNR"), v.psnrValue, bold("Noisy PSNR"), v.noisyValue),
		container.New(layout.NewFormLayout(),
			bold("Val SSIM"), v.ssimValue, bold("Speed"), v.speedValue,
			bold("Elapsed"), v.elapsedValue, bold("Time left"), v.etaValue),
	)

	// Chart.
	v.chart = newLossChart()
	v.xAxis = &widget.RadioGroup{Options: []string{axisSteps, axisTime}, Horizontal: true, Required: true}
	v.xAxis.SetSelected(v.prefs.StringWithFallback(prefChartAxis, axisSteps))
	v.xAxis.OnChanged = v.onAxis
	v.onAxis(v.xAxis.Selected)
	legend := func(c fyne.ThemeColorName, text string) fyne.CanvasObject {
		swatch := canvas.NewRectangle(theme.Color(c))
		swatch.SetMinSize(fyne.NewSize(18, 3))
		return container.NewHBox(container.NewCenter(swatch), widget.NewLabel(text))
	}
	chartBar := container.NewHBox(bold("Loss"), legend(theme.ColorNamePrimary, "training"),
		legend(theme.ColorNameWarning, "validation"), layout.NewSpacer(), v.xAxis)

	// Preview.
	cells := make([]fyne.CanvasObject, 3)
	for i := range v.preview {
		v.preview[i] = &canvas.Image{FillMode: canvas.ImageFillContain, ScaleMode: canvas.ImageScalePixels}
		v.preview[i].SetMinSize(fyne.NewSquareSize(112))
		v.previewTitles[i] = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{})
		cells[i] = container.NewBorder(v.previewTitles[i], nil, nil, nil, v.preview[i])
	}
	v.previewHint = widget.NewLabelWithStyle("A validation crop, restored by the network, appears here as it learns.",
		fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
	v.setPreviewTitles(true, TaskDenoise)

	top := container.NewVBox(
		container.NewBorder(nil, nil, container.NewHBox(v.start, v.pause, v.resume, v.stop), nil, v.progress),
		v.status, v.warnings, numbers, chartBar,
	)
	v.encoder = newEncoderView()
	v.liveTabs = container.NewAppTabs(
		container.NewTabItem("Validation crop",
			container.NewStack(container.NewGridWithColumns(3, cells...), container.NewCenter(v.previewHint))),
		container.NewTabItem("What the encoder learned", v.encoder.content))
	live := container.NewBorder(top, v.liveTabs, nil, nil, v.chart)
	split := container.NewHSplit(container.NewVScroll(settings), live)
	split.Offset = 0.34
	v.content = split

	v.updateFolderText()
	v.modelChanged()
	v.applyState()
	if v.store == nil {
		v.status.SetText("Training is not available: the window has no model store.")
	}
}

// presetLabel describes a network in the preset selector.
func presetLabel(s convae.Spec) string {
	return fmt.Sprintf("%s · %s parameters · %.2f MFLOP/pixel", s.Name, compactCount(s.NumParams()), s.FLOPsPerPixel()/1e6)
}

// compactCount formats n as "950", "12.3k" or "1.2M".
func compactCount(n int) string {
	switch {
	case n >= 1e6:
		return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + "M"
	case n >= 1e4:
		return strconv.FormatFloat(float64(n)/1e3, 'f', 0, 64) + "k"
	case n >= 1e3:
		return strconv.FormatFloat(float64(n)/1e3, 'f', 1, 64) + "k"
	}
	return strconv.Itoa(n)
}

// presetIndex returns the index of the preset called name, or 0.
func (v *trainingView) presetIndex(name string) int {
	return max(0, slices.IndexFunc(v.presets, func(p convae.Preset) bool { return p.Name == name }))
}

// selectedPreset returns the preset chosen in the selector.
func (v *trainingView) selectedPreset() convae.Preset {
	return v.presets[max(0, v.preset.SelectedIndex())]
}

// currentTask returns the task chosen.
func (v *trainingView) currentTask() Task {
	if v.task.Selected == taskNames[TaskWatermark] {
		return TaskWatermark
	}
	return TaskDenoise
}

func (v *trainingView) onSource(string) {
	if v.source.Selected == dataFolder && v.folder == "" {
		v.onChooseFolder()
	}
	v.updateSettings()
}

// onChooseFolder asks for the folder to train on.
func (v *trainingView) onChooseFolder() {
	d := dialog.NewFolderOpen(v.onFolderChosen, v.win)
	if dir := listable(v.folder); dir != nil {
		d.SetLocation(dir)
	}
	d.Show()
}

func (v *trainingView) onFolderChosen(dir fyne.ListableURI, err error) {
	if err != nil || dir == nil {
		if v.folder == "" {
			v.source.SetSelected(dataLibrary)
		}
		return
	}
	v.setFolder(dir.Path())
}

// setFolder makes dir the folder to train on.
func (v *trainingView) setFolder(dir string) {
	v.folder = dir
	v.prefs.SetString(prefTrainFolder, dir)
	v.source.SetSelected(dataFolder)
	v.updateFolderText()
}

func (v *trainingView) updateFolderText() {
	if v.folder == "" {
		v.folderText.SetText("No folder chosen")
		return
	}
	v.folderText.SetText(v.folder)
}

func (v *trainingView) onTask(string) {
	unfocus(v.task) // leave Space to start and pause training
	task := v.currentTask()
	v.setNoiseKind(v.kindsOf(task)[0])
	if task == TaskWatermark {
		v.selfSup.SetChecked(false) // marks cannot be learned from marked photos alone
	}
	v.modelChanged()
}

// kindsOf returns the training corruptions of task t.
func (v *trainingView) kindsOf(t Task) []corruptionKind {
	var kinds []corruptionKind
	for _, k := range v.kinds {
		if k.task == t {
			kinds = append(kinds, k)
		}
	}
	return kinds
}

func (v *trainingView) onSelfSupervised(bool) {
	v.updateSettings()
}

// setNoiseKind shows kind k, among those of its task, and resets the
// strength slider to its range.
func (v *trainingView) setNoiseKind(k corruptionKind) {
	v.kind = k
	v.noiseKind.Options = v.noiseKind.Options[:0]
	for _, o := range v.kindsOf(k.task) {
		v.noiseKind.Options = append(v.noiseKind.Options, o.name)
	}
	v.noiseKind.Selected = k.name
	v.noiseKind.Refresh()
	v.noiseLevel.Min, v.noiseLevel.Max, v.noiseLevel.Step = k.min, k.max, k.step
	v.noiseLevel.Value = k.def
	v.noiseLevel.Refresh()
	v.noiseValue = k.def
	v.updateNoiseText()
}

func (v *trainingView) onNoiseKind(name string) {
	for _, k := range v.kindsOf(v.currentTask()) {
		if k.name == name {
			v.setNoiseKind(k)
		}
	}
}

func (v *trainingView) onNoiseLevel(s float64) {
	v.noiseValue = s
	v.updateNoiseText()
}

func (v *trainingView) updateNoiseText() {
	v.noiseText.SetText(fmt.Sprintf("%s %s", v.kind.label, num(v.noiseValue)))
}

// noiseSpec returns the spec of the corruption chosen for supervised
// training.
func (v *trainingView) noiseSpec() string { return v.kind.spec(v.noiseValue) }

func (v *trainingView) onPreset(string) {
	p := v.selectedPreset()
	v.presetNote.SetText(p.Description)
	v.prefs.SetString(prefTrainPreset, p.Name)
}

func (v *trainingView) onFrom(string) {
	v.updateSettings()
}

func (v *trainingView) onMinutes(m float64) {
	v.prefs.SetFloat(prefTrainMinutes, m)
	v.minutesText.SetText(fmt.Sprintf("%.0f min", m))
}

func (v *trainingView) onAxis(axis string) {
	v.prefs.SetString(prefChartAxis, axis)
	v.chart.setTimeAxis(axis == axisTime)
}

// modelChanged updates what the tab says about the current model, after
// the task changed or a model was opened, reset or trained.
func (v *trainingView) modelChanged() {
	var m *convae.Model
	var src models.Source
	if v.store != nil {
		m, src, _ = v.store.Current(string(v.currentTask()))
	}
	if m == nil {
		// Nothing to fine-tune: set the choice without calling onFrom.
		v.from.Selected = fromScratch
		v.from.Refresh()
		v.fromNote.SetText(fmt.Sprintf("There is no %s model to fine-tune yet: a new network is trained.", v.currentTask()))
	} else {
		text := fmt.Sprintf("The current model is %s, %s.", m.Net.Spec().Name, src)
		if m.Meta.Steps > 0 {
			text = fmt.Sprintf("The current model is %s, %s, trained for %d steps.", m.Net.Spec().Name, src, m.Meta.Steps)
		}
		v.fromNote.SetText(text)
	}
	v.showModelEncoder()
	v.updateSettings()
}

// updateSettings enables the settings that can be changed now: none while
// a run goes on, and otherwise those that the other choices leave open.
func (v *trainingView) updateSettings() {
	idle := v.state == trainIdle
	hasModel := v.store != nil && v.store.Has(string(v.currentTask()))
	enable(v.source, idle)
	enable(v.chooseFolder, idle && v.source.Selected == dataFolder)
	enable(v.task, idle)
	enable(v.selfSup, idle && v.currentTask() == TaskDenoise)
	enable(v.brushOnly, idle && v.currentTask() == TaskWatermark)
	enable(v.noiseKind, idle && !v.selfSup.Checked)
	enable(v.noiseLevel, idle && !v.selfSup.Checked)
	enable(v.from, idle && hasModel)
	enable(v.preset, idle)
	fresh := v.from.Selected == fromScratch
	v.preset.Hidden, v.presetNote.Hidden = !fresh, !fresh
	v.preset.Refresh()
	v.presetNote.Refresh()
	enable(v.minutes, idle)
	enable(v.batch, idle)
	enable(v.patch, idle)
	v.fromNote.Hidden = fresh && hasModel
	v.fromNote.Refresh()
}

// enable enables or disables w.
func enable(w fyne.Disableable, on bool) {
	if on {
		w.Enable()
	} else {
		w.Disable()
	}
}

// transition applies action a to the state machine and reports whether it
// was allowed.
func (v *trainingView) transition(a trainAction) bool {
	next, ok := v.state.next(a)
	if ok {
		v.state = next
		v.applyState()
	}
	return ok
}

// applyState sets the buttons and settings for the current state.
func (v *trainingView) applyState() {
	b := v.state.buttons()
	enable(v.start, b.start && v.store != nil)
	enable(v.pause, b.pause)
	enable(v.resume, b.resume)
	enable(v.stop, b.stop)
	v.updateSettings()
}

// toggle is the Space key: it starts, pauses or resumes.
func (v *trainingView) toggle() {
	switch v.state {
	case trainIdle:
		v.onStart()
	case trainRunning:
		v.onPause()
	case trainPaused:
		v.onResume()
	}
}
