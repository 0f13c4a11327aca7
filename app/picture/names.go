package picture

import (
	"path/filepath"
	"slices"
	"strings"
)

// Extensions returns the file name extensions of the formats Decode reads,
// lower case with their dot, in a new slice: folder scans pick these files
// up and file dialogs offer them.
func Extensions() []string {
	return []string{".bmp", ".gif", ".jpeg", ".jpg", ".png", ".tif", ".tiff", ".webp"}
}

// IsImageName reports whether name ends in one of Extensions, in any case.
func IsImageName(name string) bool {
	return slices.Contains(Extensions(), strings.ToLower(filepath.Ext(name)))
}
