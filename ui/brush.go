package ui

import (
	"fmt"
	"image"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Brush sizes, as radii in image pixels.
const (
	minBrushRadius     = 1
	maxBrushRadius     = 200
	defaultBrushRadius = 12
)

// brushSliderWidth is the width of the brush size slider, in logical pixels.
const brushSliderWidth = 140

// paneTool takes over the drags of a pane (which otherwise pan the view)
// and draws over the pane's image. Points are in image coordinates.
type paneTool interface {
	// takesDrags reports whether a drag starting now is the tool's.
	takesDrags() bool
	// strokeStart, strokeTo and strokeEnd follow a drag the tool took.
	strokeStart(at point)
	strokeTo(at point)
	strokeEnd()
	// drawOver draws the tool's layer over dst, the pane as the viewport v
	// shows it.
	drawOver(dst *image.NRGBA, v *viewport)
}

// brushSizeStep is the factor by which the [ and ] keys change the brush
// radius.
const brushSizeStep = 1.25

// brushTool is the mask brush of the watermark remover: a toggle, an
// eraser, a size control and a Clear button above the compare view, and
// the painting of strokes on the marked pane into the brush mask of the
// photo shown. With the brush on, drags on that pane paint (or erase)
// rather than pan.
type brushTool struct {
	toggle    *widget.Check
	erase     *widget.Check
	size      *widget.Slider
	sizeText  *widget.Label
	clearMask *widget.Button
	content   *fyne.Container // the controls; hidden when unavailable

	pane      *zoomPane  // the pane painted on
	mask      *brushMask // the mask of the photo shown; nil: nothing to paint on
	available bool       // the task takes a mask

	// onChanged is called after a stroke, a clear or an undo changed the
	// mask.
	onChanged func()
	// onRadiusChanged is called with the new radius when the user sets
	// the brush size.
	onRadiusChanged func(radius float64)
	// onEnabled is called when the user turns the brush on.
	onEnabled func()
}

// newBrushTool returns the brush, hidden until setAvailable(true).
func newBrushTool() *brushTool {
	t := &brushTool{}
	t.buildUI()
	return t
}

// buildUI makes the brush's controls.
func (t *brushTool) buildUI() {
	t.toggle = &widget.Check{Text: "Brush", OnChanged: t.onToggle}
	t.erase = &widget.Check{Text: "Erase", OnChanged: t.onEraseToggle}
	t.size = &widget.Slider{Min: minBrushRadius, Max: maxBrushRadius, Step: 1, Orientation: widget.Horizontal}
	t.size.Value = defaultBrushRadius
	t.size.OnChanged = t.onSizeMoved
	t.size.OnChangeEnded = t.onSizeSet
	t.sizeText = widget.NewLabel("")
	t.clearMask = &widget.Button{Text: "Clear mask", Icon: theme.ContentClearIcon(), Importance: widget.LowImportance, OnTapped: t.clear}
	t.updateSizeText()
	t.content = container.NewHBox(
		t.toggle,
		t.erase,
		widget.NewLabel("Size"),
		container.New(layout.NewGridWrapLayout(fyne.NewSize(brushSliderWidth, t.size.MinSize().Height)), t.size),
		t.sizeText,
		t.clearMask,
		widget.NewLabelWithStyle("Paint on Marked · E erases · Ctrl+Z undoes", fyne.TextAlignLeading, fyne.TextStyle{Italic: true}),
	)
	t.content.Hide()
}

// attach makes p the pane that the brush paints on.
func (t *brushTool) attach(p *zoomPane) {
	t.pane = p
	p.tool = t
}

// setAvailable shows the brush (for the watermark task) or hides it and
// turns it off. It reports whether that changed anything.
func (t *brushTool) setAvailable(ok bool) bool {
	if ok == t.available {
		return false
	}
	t.available = ok
	if !ok {
		t.toggle.SetChecked(false)
		t.content.Hide()
		return true
	}
	t.content.Show()
	return true
}

// setMask makes m, the mask of the photo shown (nil for none), the one
// painted on and shown over the marked pane.
func (t *brushTool) setMask(m *brushMask) {
	if t.mask == m {
		return
	}
	if t.mask != nil {
		t.mask.endStroke()
	}
	t.mask = m
	t.refresh()
}

// radius returns the brush radius, in image pixels.
func (t *brushTool) radius() float64 { return t.size.Value }

// setRadius sets the brush radius, in image pixels, within the allowed
// range.
func (t *brushTool) setRadius(r float64) {
	t.size.SetValue(min(max(r, minBrushRadius), maxBrushRadius))
	t.updateSizeText()
}

// resize multiplies the brush radius by factor (at least one pixel of
// change), as the [ and ] keys do, when the brush is available, and
// reports the new radius as a set size.
func (t *brushTool) resize(factor float64) {
	if !t.available {
		return
	}
	r := t.radius()
	next := math.Round(r * factor)
	if next == r {
		next = r + math.Copysign(1, factor-1)
	}
	t.setRadius(next)
	t.onSizeSet(t.radius())
}

// toggleErase switches between painting and erasing, as the E key does,
// when the brush is available.
func (t *brushTool) toggleErase() {
	if t.available {
		t.erase.SetChecked(!t.erase.Checked)
	}
}

// active reports whether the brush is on.
func (t *brushTool) active() bool { return t.available && t.toggle.Checked }

// takesDrags implements paneTool: with the brush on and a mask to paint,
// drags paint.
func (t *brushTool) takesDrags() bool { return t.active() && t.mask != nil }

// strokeStart implements paneTool.
func (t *brushTool) strokeStart(at point) {
	if t.mask != nil {
		t.mask.beginStroke(at, t.radius(), t.erase.Checked)
		t.refresh()
	}
}

// strokeTo implements paneTool.
func (t *brushTool) strokeTo(at point) {
	if t.mask != nil {
		t.mask.extendStroke(at, t.radius(), t.erase.Checked)
		t.refresh()
	}
}

// strokeEnd implements paneTool.
func (t *brushTool) strokeEnd() {
	if t.mask != nil && t.mask.endStroke() {
		t.changed()
	}
}

// drawOver implements paneTool: the painted pixels, tinted.
func (t *brushTool) drawOver(dst *image.NRGBA, v *viewport) {
	if t.available && t.mask != nil {
		t.mask.drawOver(dst, v)
	}
}

// clear unpaints the mask of the photo shown.
func (t *brushTool) clear() {
	if t.mask != nil && t.mask.clear() {
		t.refresh()
		t.changed()
	}
}

// undo reverts the last stroke (or clear) of the mask of the photo shown,
// when the brush is available.
func (t *brushTool) undo() {
	if t.available && t.mask != nil && t.mask.undo() {
		t.refresh()
		t.changed()
	}
}

// changed reports a change of the mask.
func (t *brushTool) changed() {
	if t.onChanged != nil {
		t.onChanged()
	}
}

// refresh redraws the pane painted on.
func (t *brushTool) refresh() {
	if t.pane != nil {
		t.pane.raster.Refresh()
	}
}

// onToggle follows the brush toggle; turning the brush on shows the panes
// side by side, where the marked pane is painted on.
func (t *brushTool) onToggle(on bool) {
	unfocus(t.toggle)
	if on && t.onEnabled != nil {
		t.onEnabled()
	}
}

// onEraseToggle follows the eraser toggle: choosing to erase (or paint)
// turns the brush on.
func (t *brushTool) onEraseToggle(bool) {
	unfocus(t.erase)
	if !t.toggle.Checked {
		t.toggle.SetChecked(true)
	}
}

// onSizeMoved follows the size slider while it is dragged.
func (t *brushTool) onSizeMoved(float64) { t.updateSizeText() }

// onSizeSet reports the size once the slider is released.
func (t *brushTool) onSizeSet(r float64) {
	t.updateSizeText()
	unfocus(t.size)
	if t.onRadiusChanged != nil {
		t.onRadiusChanged(r)
	}
}

// updateSizeText shows the brush radius next to its slider.
func (t *brushTool) updateSizeText() {
	t.sizeText.SetText(fmt.Sprintf("%.0f px", t.size.Value))
}

// unfocus takes the keyboard focus away from o, so that the keys the window
// handles when nothing has the focus (zoom, Space) keep working.
func unfocus(o fyne.CanvasObject) {
	if app := fyne.CurrentApp(); app != nil {
		if c := app.Driver().CanvasForObject(o); c != nil {
			c.Unfocus()
		}
	}
}
