// Package ui is Diabolo's desktop window, built with Fyne: the photo
// library, the compare view, the corruption and restoration controls, the
// Models menu, and the Training tab, where the network learns from the
// user's photos while a chart and a preview show its progress.
//
// The package never imports fyne.io/fyne/v2/app (only main does), so its
// tests run on Fyne's headless test driver. Work that takes time (decoding,
// thumbnails, restoration, saving, training) runs in goroutines that report
// to the widgets only through fyne.Do or fyne.DoAndWait (see bridge).
package ui

import (
	"context"
	"path/filepath"
	"runtime"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"diabolo/app/models"
	"diabolo/app/picture"
	"diabolo/app/restore"
)

// Task is what a restoration does.
type Task string

// Tasks, named as in the command line's --task flag.
const (
	TaskDenoise   Task = "denoise"
	TaskWatermark Task = "watermark"
)

// Restorer restores photos; the window uses it for its Restore actions.
type Restorer interface {
	// Restore returns the restored version of img for task, without
	// changing img. opts.Sigma is the noise level to remove, as a standard
	// deviation on the 0–255 scale, for denoising models that read one (0
	// asks for an estimate from img); opts.Mask and opts.Shared are the
	// brush mask and the collection's shared mark for watermark removal. It calls progress, if not nil, with
	// the fraction done, possibly from other goroutines. It returns ctx's
	// error when ctx is cancelled.
	Restore(ctx context.Context, task Task, img *picture.Image, opts restore.Options, progress func(done float64)) (*picture.Image, error)
}

// Deps are what the window starts with. The zero value is usable: without a
// Restorer the Restore actions are disabled, without Models the Models menu
// and training are.
type Deps struct {
	// Restorer runs the Restore actions.
	Restorer Restorer
	// Models keeps the model of each task: the Models menu opens, saves and
	// resets them, and training installs the models it trains. The
	// Restorer is expected to restore with these models.
	Models *models.Store
	// Open lists files and folders to add to the library at start.
	Open []string
}

// Default window size, in logical pixels.
const (
	defaultWidth  = 1280
	defaultHeight = 800
)

// Create builds Diabolo's user interface in w: content, main menu,
// keyboard shortcuts and drag and drop. The settings of a, its preferences,
// keep the user's choices between runs.
func Create(a fyne.App, w fyne.Window, d Deps) {
	newMainWindow(a, w, d, fyneBridge{})
}

// mainWindow lays out the views and connects them: the library's selection
// and the corruption settings decide what the workbench shows.
type mainWindow struct {
	ui    bridge
	app   fyne.App
	win   fyne.Window
	prefs fyne.Preferences

	notice      *notice
	library     *library
	corruption  *corruptionControls
	compare     *compareView
	bench       *workbench
	modelMenu   *modelActions
	training    *trainingView
	trainingTab *container.TabItem
	tabs        *container.AppTabs
}

// newMainWindow builds the window's content; background work reaches the
// widgets through ui.
func newMainWindow(a fyne.App, w fyne.Window, d Deps, ui bridge) *mainWindow {
	m := &mainWindow{ui: ui, app: a, win: w, prefs: a.Preferences()}
	m.buildUI(d)
	return m
}

func (m *mainWindow) buildUI(d Deps) {
	m.notice = newNotice()
	m.library = newLibrary(m.win, m.prefs, m.notice, m.ui)
	m.corruption = newCorruptionControls(m.prefs)
	m.compare = newCompareView()
	m.bench = newWorkbench(m.ui, m.win, m.prefs, d.Restorer, d.Models, m.library, m.corruption, m.compare, m.notice)
	m.modelMenu = newModelActions(m.ui, m.win, m.prefs, d.Models, m.currentTask)
	m.training = newTrainingView(m.ui, m.win, m.prefs, d.Models, m.library, m.notice)

	m.library.onSelect = m.bench.show
	m.corruption.onChanged = m.bench.corruptionChanged
	m.compare.onModeChanged = m.onCompareMode
	m.modelMenu.onChanged = m.onModelChanged
	m.training.onModelChanged = m.onModelChanged
	m.bench.onModelInfo = m.modelMenu.showInfo
	m.compare.setMode(m.prefs.StringWithFallback(prefCompareMode, modeSideBySide))
	m.compare.brush.setRadius(m.prefs.FloatWithFallback(prefBrushRadius, defaultBrushRadius))
	m.compare.brush.onRadiusChanged = m.onBrushRadius

	controls := container.NewVScroll(container.NewVBox(m.corruption.content, widget.NewSeparator(), m.bench.content))
	sidebar := container.NewVSplit(m.library.content, controls)
	sidebar.Offset = 0.45
	m.trainingTab = container.NewTabItemWithIcon("Training", theme.ComputerIcon(), m.training.content)
	m.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon("Compare", theme.VisibilityIcon(), m.compare.content),
		m.trainingTab,
	)
	split := container.NewHSplit(sidebar, m.tabs)
	split.Offset = 0.3

	m.win.SetContent(container.NewBorder(container.NewVBox(m.toolbar(), m.notice.content), nil, nil, nil, split))
	m.win.SetMainMenu(m.mainMenu())
	m.addShortcuts()
	m.win.SetOnDropped(m.library.onDropped)
	m.win.Resize(fyne.NewSize(
		float32(m.prefs.FloatWithFallback(prefWindowWidth, defaultWidth)),
		float32(m.prefs.FloatWithFallback(prefWindowHeight, defaultHeight))))
	m.win.SetOnClosed(m.onClosed)

	if len(d.Open) > 0 {
		uris := make([]fyne.URI, len(d.Open))
		for i, p := range d.Open {
			if abs, err := filepath.Abs(p); err == nil {
				p = abs
			}
			uris[i] = storage.NewFileURI(p)
		}
		m.library.add(uris)
	}
}

// currentTask returns the task chosen in the corruption controls, which
// the Models menu acts on.
func (m *mainWindow) currentTask() Task { return m.corruption.settings().task }

// onModelChanged tells the views that the model of a task was replaced.
func (m *mainWindow) onModelChanged(Task) {
	m.bench.modelChanged()
	m.training.modelChanged()
}

func (m *mainWindow) toolbar() *widget.Toolbar {
	return widget.NewToolbar(
		widget.NewToolbarAction(theme.FileImageIcon(), m.library.openFiles),
		widget.NewToolbarAction(theme.FolderOpenIcon(), m.library.openFolder),
		widget.NewToolbarSeparator(),
		widget.NewToolbarAction(theme.MediaPlayIcon(), m.bench.restoreSelected),
		widget.NewToolbarAction(theme.DocumentSaveIcon(), m.bench.saveCurrent),
		widget.NewToolbarSeparator(),
		widget.NewToolbarAction(theme.ZoomOutIcon(), m.compare.zoomOut),
		widget.NewToolbarAction(theme.ZoomInIcon(), m.compare.zoomIn),
		widget.NewToolbarAction(theme.ZoomFitIcon(), m.compare.zoomFit),
		widget.NewToolbarSpacer(),
		widget.NewToolbarAction(theme.InfoIcon(), m.showAbout),
	)
}

// Shortcuts, also shown in the menus.
var (
	shortcutOpenFiles  = &desktop.CustomShortcut{KeyName: fyne.KeyO, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutOpenFolder = &desktop.CustomShortcut{KeyName: fyne.KeyO, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}
	shortcutSave       = &desktop.CustomShortcut{KeyName: fyne.KeyS, Modifier: fyne.KeyModifierShortcutDefault}
)

func (m *mainWindow) mainMenu() *fyne.MainMenu {
	item := func(label string, action func(), s fyne.Shortcut) *fyne.MenuItem {
		i := fyne.NewMenuItem(label, action)
		i.Shortcut = s
		return i
	}
	return fyne.NewMainMenu(
		fyne.NewMenu("File",
			item("Add Photo…", m.library.openFiles, shortcutOpenFiles),
			item("Add Folder…", m.library.openFolder, shortcutOpenFolder),
			fyne.NewMenuItemSeparator(),
			item("Save Result…", m.bench.saveCurrent, shortcutSave),
			fyne.NewMenuItem("Save All Results…", m.bench.saveAll),
		),
		m.modelMenu.menu(),
		fyne.NewMenu("View",
			fyne.NewMenuItem("Zoom In (+)", m.compare.zoomIn),
			fyne.NewMenuItem("Zoom Out (−)", m.compare.zoomOut),
			fyne.NewMenuItem("Fit (0)", m.compare.zoomFit),
			fyne.NewMenuItem("100% (1)", m.compare.zoomActual),
			fyne.NewMenuItem("200% (2)", m.compare.zoomDouble),
			fyne.NewMenuItemSeparator(),
			fyne.NewMenuItem(modeSideBySide, m.compare.showSideBySide),
			fyne.NewMenuItem(modeSlider, m.compare.showSlider),
		),
		fyne.NewMenu("Help",
			fyne.NewMenuItem("Keyboard Shortcuts", m.showKeys),
			fyne.NewMenuItem("About Diabolo", m.showAbout),
		),
	)
}

// addShortcuts registers the keyboard shortcuts: Ctrl+O, Ctrl+Shift+O,
// Ctrl+S and Ctrl+Z (undo the last brush stroke, unless a text entry has
// the focus), and, when no widget has the focus, the zoom keys (+, −, 0
// fit, 1 100%, 2 200%), the brush keys (E erase or paint, [ and ] smaller
// and larger) and Space, which starts, pauses or resumes training on the
// Training tab.
func (m *mainWindow) addShortcuts() {
	c := m.win.Canvas()
	for _, s := range []fyne.Shortcut{shortcutOpenFiles, shortcutOpenFolder, shortcutSave} {
		c.AddShortcut(s, m.onShortcut)
	}
	// The driver reports Ctrl+Z (Cmd+Z on macOS) as ShortcutUndo; a focused
	// text entry gets it first, for its own undo.
	c.AddShortcut(&fyne.ShortcutUndo{}, m.onUndo)
	c.SetOnTypedRune(m.onTypedRune)
}

// onUndo undoes the last brush stroke of the photo shown, when the
// compare view is the tab shown.
func (m *mainWindow) onUndo(fyne.Shortcut) {
	if m.tabs.Selected() != m.trainingTab {
		m.compare.brush.undo()
	}
}

// onShortcut handles the keyboard shortcuts.
func (m *mainWindow) onShortcut(s fyne.Shortcut) {
	switch s {
	case shortcutOpenFiles:
		m.library.openFiles()
	case shortcutOpenFolder:
		m.library.openFolder()
	case shortcutSave:
		m.bench.saveCurrent()
	}
}

// onTypedRune handles the zoom keys, the brush keys and Space.
func (m *mainWindow) onTypedRune(r rune) {
	switch r {
	case ' ':
		if m.tabs.Selected() == m.trainingTab {
			m.training.toggle()
		}
	case '+', '=':
		m.compare.zoomIn()
	case '-', '−':
		m.compare.zoomOut()
	case '0':
		m.compare.zoomFit()
	case '1':
		m.compare.zoomActual()
	case '2':
		m.compare.zoomDouble()
	case 'e', 'E', '[', ']':
		if m.tabs.Selected() != m.trainingTab {
			m.onBrushKey(r)
		}
	}
}

// onBrushKey handles the brush keys: E erases or paints, [ and ] make the
// brush smaller and larger.
func (m *mainWindow) onBrushKey(r rune) {
	switch r {
	case 'e', 'E':
		m.compare.brush.toggleErase()
	case '[':
		m.compare.brush.resize(1 / brushSizeStep)
	case ']':
		m.compare.brush.resize(brushSizeStep)
	}
}

func (m *mainWindow) onCompareMode(mode string) {
	m.prefs.SetString(prefCompareMode, mode)
}

// onBrushRadius remembers the brush size.
func (m *mainWindow) onBrushRadius(radius float64) {
	m.prefs.SetFloat(prefBrushRadius, radius)
}

// onClosed remembers the window size.
func (m *mainWindow) onClosed() {
	m.bench.cancel()
	m.training.cancel()
	size := m.win.Canvas().Size()
	m.prefs.SetFloat(prefWindowWidth, float64(size.Width))
	m.prefs.SetFloat(prefWindowHeight, float64(size.Height))
}

// keyHelp returns the keyboard shortcuts as Help ▸ Keyboard Shortcuts
// lists them: keys and what they do, with the platform's name for the
// modifier of shortcuts (goos as runtime.GOOS).
func keyHelp(goos string) [][2]string {
	mod := "Ctrl"
	if goos == "darwin" {
		mod = "Cmd"
	}
	return [][2]string{
		{mod + "+O", "Add photos"},
		{mod + "+Shift+O", "Add a folder of photos"},
		{mod + "+S", "Save the result shown"},
		{"+  −", "Zoom in, out"},
		{"0  1  2", "Fit, 100%, 200%"},
		{"Drag", "Pan; with the brush on, paint on the marked pane"},
		{"E", "Brush: erase, or paint again"},
		{"[  ]", "Brush: smaller, larger"},
		{mod + "+Z", "Undo the last brush stroke"},
		{"Space", "Training tab: start, pause, resume"},
	}
}

// showKeys shows the keyboard shortcuts.
func (m *mainWindow) showKeys() {
	grid := container.NewGridWithColumns(2)
	for _, k := range keyHelp(runtime.GOOS) {
		grid.Add(widget.NewLabelWithStyle(k[0], fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}))
		grid.Add(widget.NewLabel(k[1]))
	}
	dialog.ShowCustom("Keyboard Shortcuts", "Close", grid, m.win)
}

// showAbout shows the version and what Diabolo does.
func (m *mainWindow) showAbout() {
	meta := m.app.Metadata()
	version := meta.Version
	if version == "" {
		version = "development build"
	}
	dialog.ShowInformation("About Diabolo",
		"Diabolo "+version+"\n\nDenoises photos and removes visible watermarks\nwith a convolutional autoencoder.", m.win)
}
