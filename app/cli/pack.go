package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"diabolo/app/atomicfile"
	"diabolo/convae"
)

// runPack writes a model for shipping: its parameters in half precision,
// without optimiser state, optionally with new notes.
func runPack(e *env, args []string) int {
	flags := newFlags(e, "pack", "[FLAGS] MODEL -o OUT\n\nOUT holds MODEL's network and metadata with the parameters in half precision (half the size) and no optimiser state: for bundling or sharing a model, not for resuming its training.")
	out := flags.String("o", "", "output model file (required)")
	notes := flags.String("notes", "", "replace the model's notes")
	overwrite := flags.Bool("overwrite", false, "replace OUT if it exists")
	files, code, ok := parse(e, flags, args)
	if !ok {
		return code
	}
	switch {
	case len(files) != 1:
		return e.usageError("pack", "give one model file, not %d", len(files))
	case *out == "":
		return e.usageError("pack", "-o OUT is required")
	}
	m, err := loadModel(files[0], "")
	if err != nil {
		return e.fail("%v", err)
	}
	m.Optimizer, m.Half = nil, true
	if *notes != "" {
		m.Meta.Notes = *notes
	}
	if err := saveModel(m, *out, *overwrite); err != nil {
		return e.fail("%v", err)
	}
	if fi, err := os.Stat(*out); err == nil {
		fmt.Fprintf(e.stdout, "%s -> %s (%d bytes, half precision)\n", files[0], *out, fi.Size())
	}
	return exitOK
}

// saveModel writes m to path atomically; an existing file is replaced only
// when overwrite is set.
func saveModel(m *convae.Model, path string, overwrite bool) error {
	write := atomicfile.WriteNew
	if overwrite {
		write = atomicfile.Write
	}
	if err := write(path, 0o644, m.Save); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s exists: pass --overwrite to replace it", path)
		}
		return err
	}
	return nil
}
