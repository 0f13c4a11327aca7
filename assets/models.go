package assets

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
)

//go:embed models
var models embed.FS

// ErrNoBundledModel reports that no model is bundled for a task.
var ErrNoBundledModel = errors.New("no bundled model")

// Model returns the model file bundled for task ("denoise" or
// "watermark"), or an error wrapping ErrNoBundledModel.
func Model(task string) ([]byte, error) {
	b, err := models.ReadFile("models/" + task + ".dae")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w for task %q", ErrNoBundledModel, task)
	}
	return b, err
}
