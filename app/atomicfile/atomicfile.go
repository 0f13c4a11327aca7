// Package atomicfile writes files so that readers see either the old content
// or the complete new content, never a half-written file: the data goes to a
// temporary file in the same folder, which is synced and then renamed (or
// linked) over the target.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Write calls write with a buffered writer to a temporary file next to path,
// then syncs it, gives it the permissions perm (as given, the umask is not
// consulted) and renames it over path, replacing any existing file.
//
// When write, or any later step, fails, the temporary file is removed and
// path is left untouched. The returned error names path.
func Write(path string, perm os.FileMode, write func(w io.Writer) error) error {
	return writeWith(path, perm, write, os.Rename)
}

// WriteNew is like Write but never replaces an existing file: when path
// exists, it fails with an error wrapping fs.ErrExist and writes nothing.
//
// The final step is a hard link from the temporary file to path, which the
// operating system refuses atomically when path exists. On file systems
// without hard links it falls back to checking for path and renaming; a file
// created at path by another process between the check and the rename is
// then replaced.
func WriteNew(path string, perm os.FileMode, write func(w io.Writer) error) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("write %s: %w", path, fs.ErrExist)
	}
	return writeWith(path, perm, write, linkNew)
}

// writeWith writes a synced temporary file next to path and hands it to
// commit, which must move or link it to path.
func writeWith(path string, perm os.FileMode, write func(w io.Writer) error, commit func(tmp, path string) error) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	closed, committed := false, false
	defer func() {
		// Runs on errors and on a panic in write alike: leave nothing behind.
		if !committed {
			if !closed {
				f.Close()
			}
			os.Remove(tmp)
		}
	}()

	bw := bufio.NewWriterSize(f, 256<<10)
	if err := write(bw); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Chmod(perm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write %s: sync: %w", path, err)
	}
	closed = true
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := commit(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	committed = true
	syncDir(dir)
	return nil
}

// linkNew gives the file tmp the name path unless path exists, then removes
// the name tmp.
func linkNew(tmp, path string) error {
	err := os.Link(tmp, path)
	switch {
	case err == nil:
		os.Remove(tmp) // path is written; a stray temporary name is harmless
		return nil
	case errors.Is(err, fs.ErrExist):
		return fs.ErrExist
	}
	// No hard links here (FAT, some network shares): check, then rename.
	if _, statErr := os.Lstat(path); statErr == nil {
		return fs.ErrExist
	}
	return os.Rename(tmp, path)
}

// syncDir flushes the folder entry of a renamed file to disk, so the new
// name survives a crash. It is best effort: some systems cannot sync a
// folder, and the data itself is already safe.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	d.Sync()
	d.Close()
}
