package ui

import (
	"fmt"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"diabolo/app/metrics"
	"diabolo/app/picture"
)

// compareKind says what the three panes of the compare view hold.
type compareKind int

const (
	// kindSynthetic: a clean photo, the noise added to it, the restoration.
	kindSynthetic compareKind = iota
	// kindNoisy: a photo that came noisy, the restoration, and the noise
	// removed (amplified).
	kindNoisy
	// kindWatermark: a marked photo, the cleaned one, and what changed.
	kindWatermark
)

// titles returns the pane titles of kind k, left to right.
func (k compareKind) titles() [3]string {
	switch k {
	case kindNoisy:
		return [3]string{"Input", "Output", "Residual"}
	case kindWatermark:
		return [3]string{"Marked", "Cleaned", "Difference"}
	default:
		return [3]string{"Original", "Noisy", "Restored"}
	}
}

// resultPane returns the pane that shows the restoration.
func (k compareKind) resultPane() int {
	if k == kindSynthetic {
		return 2
	}
	return 1
}

// sliderPanes returns the panes that the before/after slider shows left and
// right of its divider.
func (k compareKind) sliderPanes() (before, after int) {
	if k == kindSynthetic {
		return 1, 2
	}
	return 0, 1
}

// Gains applied to the third pane of kindNoisy and kindWatermark, which
// would be nearly black (or grey) otherwise.
const (
	residualGain   = 4
	differenceGain = 3
)

// frame is what the compare view shows of one photo, prepared off the UI
// goroutine by newFrame.
type frame struct {
	kind   compareKind
	width  int
	height int
	panes  [3]*pyramid // nil where there is nothing to show yet
	scores [3]string   // quality line under each pane, may be empty
}

// newFrame prepares the compare view of a photo: original as decoded,
// corrupted the original with synthetic corruption applied (nil without),
// restored the restoration of corrupted (or of original without synthetic
// corruption; nil until restored). It is slow (conversion, pyramids,
// metrics) and meant for a background goroutine.
func newFrame(task Task, original, corrupted, restored *picture.Image) *frame {
	f := &frame{width: original.Width, height: original.Height}
	if restored != nil && !restored.SameSize(original) {
		restored = nil // a stale result of another image; never compare it
	}
	input := original
	if corrupted != nil {
		input = corrupted
	}
	var shown [3]*picture.Image
	switch {
	case task == TaskWatermark:
		f.kind = kindWatermark
		shown = [3]*picture.Image{input, restored, nil}
		if restored != nil {
			shown[2] = residual(input, restored, differenceGain, false)
		}
		if corrupted != nil {
			f.scores[0] = scoreLine(corrupted, original)
			if restored != nil {
				f.scores[1] = scoreLine(restored, original)
			}
		}
	case corrupted == nil:
		f.kind = kindNoisy
		shown = [3]*picture.Image{original, restored, nil}
		if restored != nil {
			shown[2] = residual(original, restored, residualGain, true)
		}
		f.scores[0] = "No clean reference to score against"
	default:
		f.kind = kindSynthetic
		shown = [3]*picture.Image{original, corrupted, restored}
		f.scores[0] = "Reference"
		f.scores[1] = scoreLine(corrupted, original)
		if restored != nil {
			f.scores[2] = scoreLine(restored, original)
		}
	}
	for i, m := range shown {
		f.panes[i] = pyramidOf(m)
	}
	return f
}

// pyramidOf returns the display pyramid of m, or nil for a nil m.
func pyramidOf(m *picture.Image) *pyramid {
	if m == nil {
		return nil
	}
	return newPyramid(m.ToNRGBA())
}

// scoreLine returns the PSNR and SSIM of m against the reference ref.
func scoreLine(m, ref *picture.Image) string {
	psnr := metrics.PSNR(m, ref)
	ssim := metrics.SSIM(m, ref)
	if math.IsInf(psnr, 1) {
		return fmt.Sprintf("PSNR ∞ · SSIM %.3f", ssim)
	}
	return fmt.Sprintf("PSNR %.2f dB · SSIM %.3f", psnr, ssim)
}

// compareView shows a photo at three stages side by side (or two of them
// under a before/after slider), all panes zoomed and panned together. For
// watermark removal its brush paints a mask over the first pane.
type compareView struct {
	group  *zoomGroup
	panes  [3]*zoomPane
	titles [3]*widget.Label
	scores [3]*widget.Label
	brush  *brushTool

	slider       *zoomPane
	sliderTitle  *widget.Label
	sliderScores *widget.Label

	mode      *widget.RadioGroup
	zoomLabel *widget.Label
	hint      *widget.Label
	body      *fyne.Container // the side-by-side grid or the slider
	triptych  fyne.CanvasObject
	sliderBox fyne.CanvasObject
	content   fyne.CanvasObject

	frame *frame
	stale string // why the restoration shown is out of date; "" when it is not
	// onModeChanged is called with the new mode when the user switches
	// between side by side and slider.
	onModeChanged func(mode string)
}

// Compare modes, as shown in the mode selector.
const (
	modeSideBySide = "Side by side"
	modeSlider     = "Before / after"
)

// newCompareView returns an empty compare view.
func newCompareView() *compareView {
	c := &compareView{group: newZoomGroup()}
	c.buildUI()
	return c
}

func (c *compareView) buildUI() {
	c.group.onChange = c.updateZoomLabel
	cells := make([]fyne.CanvasObject, 3)
	for i := range c.panes {
		c.panes[i] = newZoomPane(c.group, false)
		c.titles[i] = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
		c.scores[i] = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{})
		cells[i] = container.NewBorder(c.titles[i], c.scores[i], nil, nil, c.panes[i])
	}
	c.triptych = container.NewGridWithColumns(3, cells...)
	c.brush = newBrushTool()
	c.brush.attach(c.panes[0])
	c.brush.onEnabled = c.showSideBySide // the brush paints on a pane of the triptych

	c.slider = newZoomPane(c.group, true)
	c.sliderTitle = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	c.sliderScores = widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{})
	c.sliderBox = container.NewBorder(c.sliderTitle, c.sliderScores, nil, nil, c.slider)

	c.body = container.NewStack(c.triptych)
	c.mode = &widget.RadioGroup{Options: []string{modeSideBySide, modeSlider}, Horizontal: true, Required: true, OnChanged: c.onMode}
	c.zoomLabel = widget.NewLabel("Fit")
	c.hint = widget.NewLabelWithStyle("Select a photo in the library", fyne.TextAlignCenter, fyne.TextStyle{Italic: true})

	bar := container.NewHBox(
		c.mode,
		layout.NewSpacer(),
		&widget.Button{Icon: theme.ZoomOutIcon(), Importance: widget.LowImportance, OnTapped: c.zoomOut},
		c.zoomLabel,
		&widget.Button{Icon: theme.ZoomInIcon(), Importance: widget.LowImportance, OnTapped: c.zoomIn},
		&widget.Button{Text: "Fit", Icon: theme.ZoomFitIcon(), Importance: widget.LowImportance, OnTapped: c.zoomFit},
		&widget.Button{Text: "100%", Importance: widget.LowImportance, OnTapped: c.zoomActual},
	)
	c.content = container.NewBorder(container.NewVBox(bar, c.brush.content), nil, nil, nil, container.NewStack(c.body, container.NewCenter(c.hint)))
	c.mode.SetSelected(modeSideBySide)
	c.setTitles(kindSynthetic)
}

// show displays f (nil clears the view). It must be called on the UI
// goroutine.
func (c *compareView) show(f *frame) {
	c.frame = f
	c.stale = ""
	if f == nil {
		for _, p := range c.panes {
			p.setImage(nil)
		}
		c.slider.setImages(nil, nil)
		for _, s := range c.scores {
			s.SetText("")
		}
		c.sliderScores.SetText("")
		c.hint.Show()
		return
	}
	c.hint.Hide()
	c.setTitles(f.kind)
	for i, p := range c.panes {
		p.setImage(f.panes[i])
		text := f.scores[i]
		if f.panes[i] == nil {
			text = "Not restored yet"
		}
		c.scores[i].SetText(text)
	}
	b, a := f.kind.sliderPanes()
	c.slider.setImages(f.panes[b], f.panes[a])
	c.sliderScores.SetText(f.scores[a])
	c.group.imageChanged(f.width, f.height)
}

// setBrushAvailable offers the brush (for watermark removal) or hides it.
func (c *compareView) setBrushAvailable(ok bool) {
	if c.brush.setAvailable(ok) {
		c.content.Refresh() // lays the bar of the brush out, or takes it away
	}
}

// The quality lines of a restoration made with other settings than the
// current ones.
const (
	staleScore        = "Out of date: the mask changed; restore again"
	staleSigmaScore   = "Out of date: the strength changed; restore again"
	stalePassesScore  = "Out of date: Passes changed; restore again"
	staleTakeOffScore = "Out of date: Take off changed; restore again"
)

// setStale says why the restoration shown is out of date (staleScore,
// staleSigmaScore, stalePassesScore, staleTakeOffScore), or that it is
// not (""); its quality line then says so.
func (c *compareView) setStale(reason string) {
	if c.stale == reason || c.frame == nil {
		return
	}
	i := c.frame.kind.resultPane()
	if c.frame.panes[i] == nil {
		return // nothing restored to mark
	}
	c.stale = reason
	text := c.frame.scores[i]
	if reason != "" {
		text = reason
	}
	c.scores[i].SetText(text)
	if _, a := c.frame.kind.sliderPanes(); a == i {
		c.sliderScores.SetText(text)
	}
}

func (c *compareView) setTitles(k compareKind) {
	t := k.titles()
	for i, l := range c.titles {
		l.SetText(t[i])
	}
	b, a := k.sliderPanes()
	c.sliderTitle.SetText(t[b] + "  |  " + t[a])
}

// setMode switches to modeSlider, or to modeSideBySide for any other value.
func (c *compareView) setMode(mode string) {
	if mode != modeSlider {
		mode = modeSideBySide
	}
	c.mode.SetSelected(mode)
}

// showSideBySide shows the three panes side by side.
func (c *compareView) showSideBySide() { c.setMode(modeSideBySide) }

// showSlider shows the before/after slider.
func (c *compareView) showSlider() { c.setMode(modeSlider) }

func (c *compareView) onMode(mode string) {
	content := c.triptych
	if mode == modeSlider {
		content = c.sliderBox
	}
	c.body.Objects = []fyne.CanvasObject{content}
	c.body.Refresh()
	// The selector keeps no keyboard focus, so that the zoom keys, which the
	// window handles when nothing has the focus, keep working.
	if cnv := fyne.CurrentApp().Driver().CanvasForObject(c.mode); cnv != nil {
		cnv.Unfocus()
	}
	if c.onModeChanged != nil {
		c.onModeChanged(mode)
	}
}

func (c *compareView) zoomIn()     { c.group.zoomBy(zoomStep) }
func (c *compareView) zoomOut()    { c.group.zoomBy(1 / zoomStep) }
func (c *compareView) zoomFit()    { c.group.fit() }
func (c *compareView) zoomActual() { c.group.setScale(1) }
func (c *compareView) zoomDouble() { c.group.setScale(2) }

func (c *compareView) updateZoomLabel() {
	text := fmt.Sprintf("%.0f%%", c.group.view.scale*100)
	if c.group.view.fit {
		text = "Fit (" + text + ")"
	}
	c.zoomLabel.SetText(text)
}
