package dataset

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"diabolo/app/picture"
)

// Scan returns the image files under dir, recursively, sorted: files whose
// name passes picture.IsImageName, leaving out hidden files and folders (names
// starting with a dot). Symbolic links to files are included; links to
// folders are not followed. Subfolders that cannot be read are left out
// (Open reports them as skipped). It fails if dir is missing, unreadable or
// not a folder.
func Scan(dir string) ([]string, error) {
	paths, _, err := scan(dir)
	return paths, err
}

// scan is Scan that also returns the subfolders it could not read.
func scan(dir string) ([]string, []Skipped, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("scan %s: %w", dir, err)
	}
	if !info.IsDir() {
		return nil, nil, fmt.Errorf("scan %s: not a folder", dir)
	}
	var paths []string
	var skipped []Skipped
	err = filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			if path == dir {
				return fmt.Errorf("scan %s: %w", dir, err)
			}
			skipped = append(skipped, Skipped{Path: path, Reason: fmt.Sprintf("cannot read folder: %v", unwrapPath(err))})
			if e != nil && e.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if path != dir && strings.HasPrefix(e.Name(), ".") {
			if e.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !e.IsDir() && picture.IsImageName(e.Name()) {
			paths = append(paths, path)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	slices.Sort(paths)
	return paths, skipped, nil
}

// unwrapPath strips the path from a *fs.PathError, since Skipped carries
// the path already.
func unwrapPath(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}
