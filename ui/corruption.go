package ui

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	corruptionspec "diabolo/app/corruption"
	"diabolo/app/picture"
)

// corruption says how the photos of the library are prepared before being
// restored: for which task, with which synthetic corruption (spec, as
// corruption.Parse reads it; empty for none: the photos come corrupted) and with
// which random seed. It is comparable, so a result can record the
// corruption it was made with.
type corruption struct {
	task Task
	spec string
	seed uint64
}

// apply returns a corrupted copy of img, or nil when c has no synthetic
// corruption. The randomness depends only on the seed and the photo's path,
// so the compare view and "Restore all" corrupt a photo identically.
func (c corruption) apply(img *picture.Image, path string) (*picture.Image, error) {
	if c.spec == "" {
		return nil, nil
	}
	m, err := corruptionspec.Parse(c.spec)
	if err != nil {
		return nil, err
	}
	h := fnv.New64a()
	h.Write([]byte(path))
	out := img.Clone()
	m.Apply(out, rand.New(rand.NewPCG(c.seed, h.Sum64())))
	return out, nil
}

// corruptionKind is one choice of the "Corruption" selector: a kind of
// synthetic corruption and how its strength slider maps to a spec.
type corruptionKind struct {
	name  string // shown in the selector
	task  Task
	label string // what the strength slider sets
	// min, max, step and def bound the slider; def is its initial value.
	min, max, step, def float64
	// spec returns the noise spec for strength s; nil for no corruption.
	spec func(s float64) string
}

// num formats v for a noise spec: plain decimal, shortest exact form.
func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// sigma01 converts a standard deviation on the 0–255 scale to the 0–1 scale.
func sigma01(s float64) float64 { return s / 255 }

// corruptionKinds lists the choices of each task, the first being "none".
// Noise strengths are given as σ on the 0–255 scale at mid-grey, the Level
// of app/noise, so that the kinds are comparable.
var corruptionKinds = []corruptionKind{
	{name: "None: the photos are already noisy", task: TaskDenoise},
	{name: "Gaussian", task: TaskDenoise, label: "σ", min: 1, max: 100, step: 1, def: 25,
		spec: func(s float64) string { return "gaussian:" + num(s) }},
	{name: "Sensor (Poisson-Gaussian)", task: TaskDenoise, label: "σ", min: 1, max: 100, step: 1, def: 25,
		// Variance a·s + b at s = 0.5 equals σ², half shot and half read noise.
		spec: func(s float64) string {
			v := sigma01(s) * sigma01(s)
			return "poisson-gaussian:" + num(round6(v)) + "," + num(round6(v/2))
		}},
	{name: "Salt and pepper", task: TaskDenoise, label: "% pixels", min: 0.5, max: 30, step: 0.5, def: 5,
		spec: func(s float64) string { return "salt-pepper:" + num(s/100) }},
	{name: "Speckle", task: TaskDenoise, label: "σ", min: 1, max: 100, step: 1, def: 25,
		// Level 0.5·√variance equals σ.
		spec: func(s float64) string { return "speckle:" + num(round6(4*sigma01(s)*sigma01(s))) }},
	{name: "JPEG artefacts", task: TaskDenoise, label: "Quality", min: 5, max: 95, step: 1, def: 30,
		spec: func(s float64) string { return "jpeg:" + num(s) }},
	{name: "None: the photos are already marked", task: TaskWatermark},
	{name: "Text", task: TaskWatermark, label: "Opacity %", min: 20, max: 80, step: 5, def: 50,
		spec: func(s float64) string { return "watermark:text,single," + num(s/100) }},
	{name: "Logo", task: TaskWatermark, label: "Opacity %", min: 20, max: 80, step: 5, def: 50,
		spec: func(s float64) string { return "watermark:logo,single," + num(s/100) }},
	{name: "Corner date stamp", task: TaskWatermark, label: "Opacity %", min: 20, max: 80, step: 5, def: 60,
		spec: func(s float64) string { return "watermark:text,corner," + num(s/100) }},
	{name: "Tiled pattern", task: TaskWatermark, label: "Opacity %", min: 20, max: 80, step: 5, def: 35,
		spec: func(s float64) string { return "watermark:mixed,tiled," + num(s/100) }},
}

// round6 rounds v to six significant digits, to keep specs readable.
func round6(v float64) float64 {
	if v == 0 {
		return 0
	}
	p := math.Pow(10, 5-math.Floor(math.Log10(math.Abs(v))))
	return math.Round(v*p) / p
}

// kindsOf returns the names of the corruption kinds of task t.
func kindsOf(t Task) []string {
	var names []string
	for _, k := range corruptionKinds {
		if k.task == t {
			names = append(names, k.name)
		}
	}
	return names
}

// findKind returns the kind of task t called name, or the first kind of t.
func findKind(t Task, name string) corruptionKind {
	first := -1
	for i, k := range corruptionKinds {
		if k.task != t {
			continue
		}
		if k.name == name {
			return k
		}
		if first < 0 {
			first = i
		}
	}
	return corruptionKinds[first]
}

// Task names as shown in the task selector.
var taskNames = map[Task]string{TaskDenoise: "Denoise", TaskWatermark: "Remove watermark"}

// corruptionControls choose the task and the synthetic corruption applied to
// the photos before restoring them, and the seed of its randomness.
type corruptionControls struct {
	prefs fyne.Preferences

	task     *widget.RadioGroup
	kind     *widget.Select
	strength *widget.Slider
	value    *widget.Label
	reroll   *widget.Button
	content  fyne.CanvasObject

	current corruption
	kindOf  corruptionKind
	// onChanged is called after every change of the settings.
	onChanged func(corruption)
}

// newCorruptionControls returns the controls, set as last saved in prefs.
func newCorruptionControls(prefs fyne.Preferences) *corruptionControls {
	c := &corruptionControls{prefs: prefs}
	c.buildUI()
	return c
}

func (c *corruptionControls) buildUI() {
	c.task = &widget.RadioGroup{
		Options:    []string{taskNames[TaskDenoise], taskNames[TaskWatermark]},
		Horizontal: true,
		Required:   true,
	}
	c.kind = &widget.Select{}
	c.strength = &widget.Slider{Orientation: widget.Horizontal}
	c.value = widget.NewLabel("")
	c.reroll = &widget.Button{Text: "Re-roll", Icon: theme.ViewRefreshIcon(), OnTapped: c.onReroll}

	// Restore the saved settings before the callbacks are set, so that
	// building the UI does not report changes.
	t := Task(c.prefs.StringWithFallback(prefTask, string(TaskDenoise)))
	if _, ok := taskNames[t]; !ok {
		t = TaskDenoise
	}
	c.current = corruption{task: t, seed: uint64(c.prefs.IntWithFallback(prefSeed, 1))}
	c.task.SetSelected(taskNames[t])
	c.setKind(findKind(t, c.prefs.StringWithFallback(prefNoiseKind, "Gaussian")))
	if c.kindOf.spec != nil {
		if s := c.prefs.FloatWithFallback(prefStrength, c.kindOf.def); s >= c.kindOf.min && s <= c.kindOf.max {
			c.strength.SetValue(s)
		}
	}
	c.update()

	c.task.OnChanged = c.onTask
	c.kind.OnChanged = c.onKind
	c.strength.OnChanged = c.onStrengthMoved
	c.strength.OnChangeEnded = c.onStrength

	form := widget.NewForm(
		widget.NewFormItem("Task", c.task),
		widget.NewFormItem("Corruption", c.kind),
		widget.NewFormItem("Strength", container.NewBorder(nil, nil, nil, c.value, c.strength)),
	)
	c.content = container.NewVBox(
		widget.NewLabelWithStyle("Corruption", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		form,
		container.NewHBox(c.reroll),
	)
}

// setKind shows kind k in the selector and resets the slider to k's range.
func (c *corruptionControls) setKind(k corruptionKind) {
	c.kindOf = k
	c.kind.Options = kindsOf(k.task)
	c.kind.Selected = k.name
	c.kind.Refresh()
	if k.spec == nil {
		c.strength.Disable()
		c.reroll.Disable()
		return
	}
	c.strength.Enable()
	c.reroll.Enable()
	c.strength.Min, c.strength.Max, c.strength.Step = k.min, k.max, k.step
	c.strength.Value = k.def
	c.strength.Refresh()
}

// update recomputes the settings from the widgets.
func (c *corruptionControls) update() {
	c.current.spec = ""
	c.value.SetText("")
	if c.kindOf.spec != nil {
		c.current.spec = c.kindOf.spec(c.strength.Value)
		c.value.SetText(fmt.Sprintf("%s %s", c.kindOf.label, num(c.strength.Value)))
	}
}

// settings returns the current settings.
func (c *corruptionControls) settings() corruption {
	return c.current
}

// onTask follows the task selector, then gives the keyboard back to the
// window's keys (Space, zoom), which a focused radio item would swallow.
func (c *corruptionControls) onTask(name string) {
	unfocus(c.task)
	for t, n := range taskNames {
		if n == name {
			c.current.task = t
		}
	}
	c.setKind(findKind(c.current.task, ""))
	c.changed()
}

func (c *corruptionControls) onKind(name string) {
	c.setKind(findKind(c.current.task, name))
	c.changed()
}

// onStrengthMoved follows the slider while it is dragged.
func (c *corruptionControls) onStrengthMoved(float64) {
	c.update()
}

// onStrength applies the strength once the slider is released.
func (c *corruptionControls) onStrength(float64) {
	c.changed()
}

// onReroll draws a new seed, for another sample of the same corruption.
func (c *corruptionControls) onReroll() {
	c.current.seed = rand.Uint64() >> 1 // stored as a non-negative int
	c.changed()
}

// changed saves the settings and reports them.
func (c *corruptionControls) changed() {
	c.update()
	c.prefs.SetString(prefTask, string(c.current.task))
	c.prefs.SetString(prefNoiseKind, c.kindOf.name)
	c.prefs.SetFloat(prefStrength, c.strength.Value)
	c.prefs.SetInt(prefSeed, int(c.current.seed))
	if c.onChanged != nil {
		c.onChanged(c.current)
	}
}
