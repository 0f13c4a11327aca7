package ui

import (
	"fmt"
	"image"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"diabolo/app/picture"
)

// thumbSide is the side, in pixels, of the square thumbnails fit into.
const thumbSide = 160

// photo is one image of the library.
type photo struct {
	path  string
	name  string
	thumb *image.NRGBA

	// result is the latest restoration of the photo, made with the
	// corruption settings resultOf, the strength setting resultSigma (0:
	// auto) and resultPasses or the Take off setting resultTakeOff, and
	// the photo's brush
	// mask in the state resultMask; nil until restored. mask is what
	// the user painted over the photo's marked image for the watermark
	// remover; nil until the photo is shown for that task. All are only
	// accessed on the UI goroutine.
	result        *picture.Image
	resultOf      corruption
	resultMask    maskState
	resultSigma   float64
	resultPasses  int
	resultTakeOff float64
	mask          *brushMask
}

// library is the left-hand view: thumbnails of the photos the user added,
// by file dialog, folder dialog or drag and drop. Files are decoded and
// thumbnailed in the background; the ones that cannot be read are skipped
// and listed in the window's notice banner.
type library struct {
	win    fyne.Window
	prefs  fyne.Preferences
	notice *notice
	ui     bridge

	photos   []*photo
	paths    map[string]bool // paths of photos, to skip duplicates
	selected int             // index in photos, -1 for none

	// onSelect is called with the selected photo, or nil when the
	// selection is cleared.
	onSelect func(*photo)

	grid    *widget.GridWrap
	status  *widget.Label
	remove  *widget.Button
	empty   *widget.Label
	busy    *widget.Activity
	loading int // batches being loaded
	content fyne.CanvasObject

	jobs sync.WaitGroup // background loads, waited for by tests
}

// newLibrary returns an empty library that reports unreadable files to n
// and whose background loads reach the widgets through ui.
func newLibrary(w fyne.Window, prefs fyne.Preferences, n *notice, ui bridge) *library {
	l := &library{win: w, prefs: prefs, notice: n, ui: ui, paths: map[string]bool{}, selected: -1}
	l.buildUI()
	return l
}

func (l *library) buildUI() {
	l.grid = widget.NewGridWrap(l.length, l.createItem, l.updateItem)
	l.grid.OnSelected = l.onSelected
	l.grid.OnUnselected = l.onUnselected
	l.status = widget.NewLabel("")
	l.busy = widget.NewActivity()
	l.busy.Hide()
	l.remove = &widget.Button{Text: "Remove", Icon: theme.DeleteIcon(), OnTapped: l.removeSelected}
	l.remove.Disable()

	buttons := container.NewHBox(
		&widget.Button{Text: "Add photo…", Icon: theme.FileImageIcon(), OnTapped: l.openFiles},
		&widget.Button{Text: "Add folder…", Icon: theme.FolderOpenIcon(), OnTapped: l.openFolder},
		l.remove,
	)
	l.empty = widget.NewLabelWithStyle("Drop photos or folders here", fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
	l.content = container.NewBorder(
		container.NewVBox(widget.NewLabelWithStyle("Library", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), buttons),
		container.NewHBox(l.status, l.busy),
		nil, nil,
		container.NewStack(container.NewCenter(l.empty), l.grid),
	)
	l.updateStatus()
}

func (l *library) length() int { return len(l.photos) }

func (l *library) createItem() fyne.CanvasObject {
	img := &canvas.Image{FillMode: canvas.ImageFillContain, ScaleMode: canvas.ImageScaleSmooth}
	img.SetMinSize(fyne.NewSquareSize(112))
	name := &widget.Label{Alignment: fyne.TextAlignCenter, Truncation: fyne.TextTruncateEllipsis}
	return container.NewBorder(nil, name, nil, nil, img)
}

func (l *library) updateItem(id widget.GridWrapItemID, o fyne.CanvasObject) {
	if id < 0 || id >= len(l.photos) {
		return
	}
	p := l.photos[id]
	c := o.(*fyne.Container)
	img := c.Objects[0].(*canvas.Image)
	img.Image = p.thumb
	img.Refresh()
	c.Objects[1].(*widget.Label).SetText(p.name)
}

func (l *library) onSelected(id widget.GridWrapItemID) {
	l.selected = id
	l.remove.Enable()
	if l.onSelect != nil {
		l.onSelect(l.photos[id])
	}
}

func (l *library) onUnselected(id widget.GridWrapItemID) {
	if l.selected == id {
		l.selected = -1
		l.remove.Disable()
	}
}

// current returns the selected photo, or nil.
func (l *library) current() *photo {
	if l.selected < 0 || l.selected >= len(l.photos) {
		return nil
	}
	return l.photos[l.selected]
}

// removeSelected takes the selected photo out of the library (the file is
// left alone).
func (l *library) removeSelected() {
	i := l.selected
	if i < 0 || i >= len(l.photos) {
		return
	}
	delete(l.paths, l.photos[i].path)
	l.photos = append(l.photos[:i], l.photos[i+1:]...)
	l.selected = -1
	l.grid.UnselectAll()
	l.remove.Disable()
	l.grid.Refresh()
	l.updateStatus()
	if l.onSelect != nil {
		l.onSelect(nil)
	}
}

// openFiles asks for a photo to add.
func (l *library) openFiles() {
	d := dialog.NewFileOpen(l.onFileChosen, l.win)
	d.SetFilter(storage.NewExtensionFileFilter(picture.Extensions()))
	if dir := listable(l.prefs.String(prefLastFilesDir)); dir != nil {
		d.SetLocation(dir)
	}
	d.Show()
}

func (l *library) onFileChosen(r fyne.URIReadCloser, err error) {
	if err != nil || r == nil {
		return
	}
	uri := r.URI()
	r.Close()
	l.prefs.SetString(prefLastFilesDir, filepath.Dir(uri.Path()))
	l.add([]fyne.URI{uri})
}

// openFolder asks for a folder whose images, sub-folders included, to add.
func (l *library) openFolder() {
	d := dialog.NewFolderOpen(l.onFolderChosen, l.win)
	if dir := listable(filepath.Dir(l.prefs.String(prefLastFolder))); dir != nil {
		d.SetLocation(dir)
	}
	d.Show()
}

func (l *library) onFolderChosen(dir fyne.ListableURI, err error) {
	if err != nil || dir == nil {
		return
	}
	l.prefs.SetString(prefLastFolder, dir.Path())
	l.add([]fyne.URI{dir})
}

// onDropped adds the files and folders dropped on the window.
func (l *library) onDropped(_ fyne.Position, uris []fyne.URI) {
	l.add(uris)
}

// add starts loading files and folders (scanned recursively) in the
// background. It must be called on the UI goroutine.
func (l *library) add(uris []fyne.URI) {
	var paths, bad []string
	for _, u := range uris {
		if u.Scheme() != "file" {
			bad = append(bad, fmt.Sprintf("%s: not a local file", u))
			continue
		}
		paths = append(paths, u.Path())
	}
	l.notice.report("could not be read", bad)
	if len(paths) == 0 {
		return
	}
	l.loading++
	l.busy.Show()
	l.busy.Start()
	l.updateStatus()
	l.jobs.Add(1)
	go l.load(paths)
}

// load reads and thumbnails the images at paths (folders are scanned),
// adding each to the library as soon as it is ready. It runs in its own
// goroutine.
func (l *library) load(paths []string) {
	defer l.jobs.Done()
	files, failed := scan(paths)
	for _, f := range files {
		thumb, err := loadThumbnail(f)
		if err != nil {
			failed = append(failed, err.Error())
			continue
		}
		p := &photo{path: f, name: filepath.Base(f), thumb: thumb}
		l.ui.run(func() { l.insert(p) })
	}
	l.ui.run(func() {
		l.notice.report("could not be read", failed)
		l.loading--
		if l.loading == 0 {
			l.busy.Stop()
			l.busy.Hide()
		}
		l.updateStatus()
	})
}

// insert adds p to the library unless its file is already there. The first
// photo added to an empty selection is selected, so that it is shown.
func (l *library) insert(p *photo) {
	if l.paths[p.path] {
		return
	}
	l.paths[p.path] = true
	l.photos = append(l.photos, p)
	l.grid.Refresh()
	l.updateStatus()
	if l.selected < 0 {
		l.grid.Select(len(l.photos) - 1)
	}
}

func (l *library) updateStatus() {
	n := len(l.photos)
	text := fmt.Sprintf("%d photos", n)
	if n == 1 {
		text = "1 photo"
	}
	if l.loading > 0 {
		text += " · loading…"
	}
	l.status.SetText(text)
	l.empty.Hidden = n > 0
	l.empty.Refresh()
}

// wait blocks until every background load has finished and been shown.
// It is for tests; calling it on the UI goroutine of a running app would
// deadlock.
func (l *library) wait() { l.jobs.Wait() }

// scan expands paths into the image files to load: files are kept as they
// are, folders are walked recursively for files with an image extension.
// Problems (missing paths, unreadable folders) are returned as messages.
func scan(paths []string) (files, failed []string) {
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			failed = append(failed, err.Error())
			continue
		}
		if !info.IsDir() {
			files = append(files, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				failed = append(failed, err.Error()) // and go on with the rest
				return nil
			}
			if !d.IsDir() && picture.IsImageName(path) {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			failed = append(failed, err.Error())
		}
		sort.Strings(found)
		files = append(files, found...)
	}
	return files, failed
}

// loadThumbnail decodes the image at path and returns its thumbnail.
func loadThumbnail(path string) (*image.NRGBA, error) {
	m, err := picture.Load(path, picture.DecodeOptions{})
	if err != nil {
		return nil, err
	}
	return thumbnail(m.ToNRGBA(), thumbSide), nil
}

// listable returns the folder at path as a listable URI, or nil if path is
// empty or no longer a folder.
func listable(path string) fyne.ListableURI {
	if path == "" {
		return nil
	}
	l, err := storage.ListerForURI(storage.NewFileURI(path))
	if err != nil {
		return nil
	}
	return l
}
