// Package assets holds the files bundled into the Diabolo binary: the
// application icon and, later, the pretrained models. It does not depend on
// Fyne; the ui package wraps the bytes into resources.
package assets

import _ "embed"

//go:generate go run ./internal/genicon -o icon.png

// Icon is the application icon, a 512×512 PNG.
//
//go:embed icon.png
var Icon []byte
