// Command diabolo denoises photos and removes visible watermarks with a
// convolutional autoencoder.
//
//	diabolo                  open the window
//	diabolo open PATH...     open the window with photos (files or folders)
//	diabolo COMMAND ...      run a command line command (see "diabolo help")
package main

import (
	"context"
	"fmt"
	"os"
	"runtime"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"diabolo/app/cli"
	"diabolo/app/models"
	"diabolo/app/picture"
	"diabolo/app/restore"
	"diabolo/assets"
	_ "diabolo/internal/locale" // before Fyne reads the locale
	"diabolo/ui"
)

func main() {
	args := os.Args[1:]
	if len(args) > 0 && args[0] != "open" {
		os.Exit(cli.Main(args, os.Stdout, os.Stderr))
	}
	if err := checkDisplay(runtime.GOOS, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "diabolo:", err)
		os.Exit(1)
	}
	store := models.NewStore()
	deps := ui.Deps{Restorer: restorer{store}, Models: store}
	if len(args) > 0 {
		deps.Open = args[1:]
	}

	a := app.NewWithID("io.github.diabolo.app")
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	w := a.NewWindow("Diabolo")
	ui.Create(a, w, deps)
	w.ShowAndRun()
}

// restorer restores the window's photos with the models of the store.
type restorer struct{ store *models.Store }

func (r restorer) Restore(ctx context.Context, task ui.Task, img *picture.Image, opts restore.Options, progress func(float64)) (*picture.Image, error) {
	return r.store.Restore(ctx, string(task), img, opts, progress)
}
