package picture

import (
	"errors"
	"fmt"
	"io"
	"io/fs"

	"diabolo/app/atomicfile"
)

// ErrExists reports that Save found a file where it was asked not to
// replace one. It wraps fs.ErrExist.
var ErrExists = fmt.Errorf("%w (not replaced)", fs.ErrExist)

// SaveOptions say how Save writes a file.
type SaveOptions struct {
	EncodeOptions
	// Overwrite allows replacing an existing file.
	Overwrite bool
}

// Save writes m to the file path, in opts.Format or, when that is zero, in
// the format named by the extension of path. The file is written
// atomically: on any error an existing file is left as it was and no
// partial file remains. Without opts.Overwrite an existing file is never
// replaced and the error wraps ErrExists. Errors name path.
func Save(path string, m *Image, opts SaveOptions) error {
	enc := opts.EncodeOptions
	if enc.Format == 0 {
		f, err := FormatFromPath(path)
		if err != nil {
			return err
		}
		enc.Format = f
	}
	// Refuse bad options and images before touching the file system.
	if err := enc.check(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := m.checkLayout(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	write := func(w io.Writer) error { return Encode(w, m, enc) }
	if opts.Overwrite {
		return atomicfile.Write(path, 0o644, write)
	}
	err := atomicfile.WriteNew(path, 0o644, write)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s: %w", path, ErrExists)
	}
	return err
}
