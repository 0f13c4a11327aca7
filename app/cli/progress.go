package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progressBar draws a one-line progress bar on a terminal, and nothing on
// anything else (a file, a pipe, a test's buffer).
type progressBar struct {
	w    io.Writer
	tty  bool
	last time.Time
}

func newProgressBar(w io.Writer) *progressBar {
	tty := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progressBar{w: w, tty: tty}
}

// set shows fraction done (0..1) with a label, at most ten times a second.
func (p *progressBar) set(label string, done float64) {
	if !p.tty || time.Since(p.last) < 100*time.Millisecond && done < 1 {
		return
	}
	p.last = time.Now()
	const width = 30
	n := int(done*width + 0.5)
	n = max(0, min(n, width))
	fmt.Fprintf(p.w, "\r[%s%s] %3.0f%% %s\x1b[K", strings.Repeat("#", n), strings.Repeat(".", width-n), done*100, label)
}

// clear erases the bar.
func (p *progressBar) clear() {
	if p.tty {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
