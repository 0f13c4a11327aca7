package ui

import (
	"image"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// dividerGrab is how close to the slider's divider, in logical pixels, a
// drag must start to move the divider rather than pan.
const dividerGrab = 12

// zoomGroup is a set of panes that show their images through one shared
// viewport: zooming or panning any of them moves all of them.
type zoomGroup struct {
	view     *viewport
	panes    []*zoomPane
	onChange func() // called after every zoom or pan, on the UI goroutine
}

// newZoomGroup returns an empty group in Fit mode.
func newZoomGroup() *zoomGroup {
	return &zoomGroup{view: newViewport()}
}

// add makes p a member of g.
func (g *zoomGroup) add(p *zoomPane) {
	p.group = g
	g.panes = append(g.panes, p)
}

// zoomAt zooms by factor about the screen point at, in physical pixels.
func (g *zoomGroup) zoomAt(at point, factor float64) {
	g.view.zoomAt(at, factor)
	g.changed()
}

// zoomBy zooms by factor about the centre of the view.
func (g *zoomGroup) zoomBy(factor float64) {
	g.zoomAt(point{g.view.viewW / 2, g.view.viewH / 2}, factor)
}

// setScale zooms to s about the centre of the view (1 is 100%).
func (g *zoomGroup) setScale(s float64) {
	g.view.setScale(s)
	g.changed()
}

// fit shows whole images.
func (g *zoomGroup) fit() {
	g.view.setFit()
	g.changed()
}

// panBy pans by (dx, dy) physical pixels.
func (g *zoomGroup) panBy(dx, dy float64) {
	g.view.panBy(dx, dy)
	g.changed()
}

// resize sets the view size shared by the panes, in physical pixels.
func (g *zoomGroup) resize(w, h float64) {
	if w == g.view.viewW && h == g.view.viewH {
		return
	}
	g.view.resize(w, h)
	g.changed()
}

// imageChanged tells the group that its panes show images of w×h pixels.
func (g *zoomGroup) imageChanged(w, h int) {
	g.view.setImage(w, h)
	g.changed()
}

func (g *zoomGroup) changed() {
	for _, p := range g.panes {
		p.raster.Refresh()
	}
	if g.onChange != nil {
		g.onChange()
	}
}

// zoomPane shows one image (or, as the before/after slider, two images split
// by a draggable divider) through its group's viewport. Scrolling zooms about
// the pointer and dragging pans; both act on every pane of the group. A pane
// may have a tool (the mask brush) that draws over its image and, while it
// is on, takes its drags and taps instead.
type zoomPane struct {
	widget.BaseWidget

	group  *zoomGroup
	image  *pyramid // shown in the whole pane, or left of the divider
	after  *pyramid // shown right of the divider; nil without a divider
	slider bool     // the pane has a divider
	split  float64  // divider position, as a fraction of the width
	tool   paneTool // nil: drags pan

	raster  *canvas.Raster
	divider *canvas.Rectangle
	handle  *canvas.Circle

	dragging       bool // a drag is in progress
	movingDivider  bool // the drag in progress moves the divider
	painting       bool // the drag in progress is the tool's
	pixelsPerPoint float32
}

// newZoomPane returns an empty pane in group g; with slider set it has a
// before/after divider.
func newZoomPane(g *zoomGroup, slider bool) *zoomPane {
	p := &zoomPane{slider: slider, split: 0.5, pixelsPerPoint: 1}
	p.raster = canvas.NewRaster(p.render)
	p.raster.ScaleMode = canvas.ImageScalePixels
	p.divider = canvas.NewRectangle(theme.Color(theme.ColorNameForeground))
	p.handle = canvas.NewCircle(theme.Color(theme.ColorNameBackground))
	p.handle.StrokeColor = theme.Color(theme.ColorNameForeground)
	p.handle.StrokeWidth = 2
	g.add(p)
	p.ExtendBaseWidget(p)
	return p
}

// setImage sets the image of a single pane, or the image left of the divider.
func (p *zoomPane) setImage(img *pyramid) {
	p.image = img
	p.raster.Refresh()
}

// setImages sets the images either side of the divider.
func (p *zoomPane) setImages(before, after *pyramid) {
	p.image, p.after = before, after
	p.raster.Refresh()
}

// setSplit moves the divider to fraction f of the width.
func (p *zoomPane) setSplit(f float64) {
	p.split = math.Min(math.Max(f, 0), 1)
	p.Refresh()
}

// render draws the visible part of the pane's images at w×h physical pixels.
func (p *zoomPane) render(w, h int) image.Image {
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	v := p.group.view
	if !p.slider {
		p.image.renderInto(dst, v, 0, w)
		if p.tool != nil {
			p.tool.drawOver(dst, v)
		}
		return dst
	}
	cut := int(math.Round(p.split * float64(w)))
	p.image.renderInto(dst, v, 0, cut)
	p.after.renderInto(dst, v, cut, w)
	return dst
}

// Resize resizes the pane and the view of its group.
func (p *zoomPane) Resize(size fyne.Size) {
	p.BaseWidget.Resize(size)
	p.pixelsPerPoint = canvasScale(p)
	p.group.resize(float64(size.Width*p.pixelsPerPoint), float64(size.Height*p.pixelsPerPoint))
}

// Scrolled zooms the group about the pointer.
func (p *zoomPane) Scrolled(ev *fyne.ScrollEvent) {
	s := float64(p.pixelsPerPoint)
	p.group.zoomAt(point{float64(ev.Position.X) * s, float64(ev.Position.Y) * s}, wheelFactor(float64(ev.Scrolled.DY)))
}

// Dragged pans the group, moves the divider when the drag started on it, or
// hands the drag to the pane's tool when the tool takes drags.
func (p *zoomPane) Dragged(ev *fyne.DragEvent) {
	if !p.dragging {
		p.dragging = true
		start := ev.Position.Subtract(ev.Dragged)
		p.movingDivider = p.slider && math.Abs(float64(start.X)-p.split*float64(p.Size().Width)) <= dividerGrab
		p.painting = !p.movingDivider && p.tool != nil && p.tool.takesDrags()
		if p.painting {
			p.tool.strokeStart(p.imagePoint(start))
		}
	}
	if p.painting {
		p.tool.strokeTo(p.imagePoint(ev.Position))
		return
	}
	if p.movingDivider {
		p.setSplit(float64(ev.Position.X / p.Size().Width))
		return
	}
	s := float64(p.pixelsPerPoint)
	p.group.panBy(float64(ev.Dragged.DX)*s, float64(ev.Dragged.DY)*s)
}

// DragEnd ends a drag.
func (p *zoomPane) DragEnd() {
	if p.painting {
		p.tool.strokeEnd()
	}
	p.dragging, p.movingDivider, p.painting = false, false, false
}

// Tapped hands a click to the pane's tool when it takes drags: the brush
// paints one dab.
func (p *zoomPane) Tapped(ev *fyne.PointEvent) {
	if p.tool == nil || !p.tool.takesDrags() {
		return
	}
	at := p.imagePoint(ev.Position)
	p.tool.strokeStart(at)
	p.tool.strokeEnd()
}

// Cursor shows a crosshair while the pane's tool takes drags.
func (p *zoomPane) Cursor() desktop.Cursor {
	if p.tool != nil && p.tool.takesDrags() {
		return desktop.CrosshairCursor
	}
	return desktop.DefaultCursor
}

// imagePoint returns the image point under pos, a position in the pane.
func (p *zoomPane) imagePoint(pos fyne.Position) point {
	s := float64(p.pixelsPerPoint)
	return p.group.view.toImage(point{float64(pos.X) * s, float64(pos.Y) * s})
}

// CreateRenderer implements fyne.Widget.
func (p *zoomPane) CreateRenderer() fyne.WidgetRenderer {
	return &zoomPaneRenderer{p: p}
}

// canvasScale returns the number of physical pixels per logical pixel of the
// canvas that shows o, or 1 before o is shown.
func canvasScale(o fyne.CanvasObject) float32 {
	if app := fyne.CurrentApp(); app != nil {
		if c := app.Driver().CanvasForObject(o); c != nil && c.Scale() > 0 {
			return c.Scale()
		}
	}
	return 1
}

type zoomPaneRenderer struct {
	p *zoomPane
}

func (r *zoomPaneRenderer) Layout(size fyne.Size) {
	p := r.p
	p.raster.Resize(size)
	p.raster.Move(fyne.Position{})
	if !p.slider {
		return
	}
	x := float32(p.split) * size.Width
	p.divider.Resize(fyne.NewSize(2, size.Height))
	p.divider.Move(fyne.NewPos(x-1, 0))
	d := theme.IconInlineSize()
	p.handle.Resize(fyne.NewSquareSize(d))
	p.handle.Move(fyne.NewPos(x-d/2, (size.Height-d)/2))
}

func (r *zoomPaneRenderer) MinSize() fyne.Size {
	return fyne.NewSquareSize(64)
}

func (r *zoomPaneRenderer) Refresh() {
	p := r.p
	p.divider.FillColor = theme.Color(theme.ColorNameForeground)
	p.handle.FillColor = theme.Color(theme.ColorNameBackground)
	p.handle.StrokeColor = theme.Color(theme.ColorNameForeground)
	r.Layout(p.Size())
	canvas.Refresh(p.divider)
	canvas.Refresh(p.handle)
	p.raster.Refresh()
}

func (r *zoomPaneRenderer) Objects() []fyne.CanvasObject {
	if !r.p.slider {
		return []fyne.CanvasObject{r.p.raster}
	}
	return []fyne.CanvasObject{r.p.raster, r.p.divider, r.p.handle}
}

func (r *zoomPaneRenderer) Destroy() {}
