package main

import "errors"

// errNoDisplay explains why the window cannot open, and what works instead.
var errNoDisplay = errors.New("no display to open the window on (DISPLAY and WAYLAND_DISPLAY are not set): " +
	"start Diabolo from a desktop session, or use a command such as \"diabolo denoise photo.jpg -o out.png\" (see \"diabolo help\")")

// checkDisplay reports errNoDisplay when the window cannot open on the
// operating system goos because no display server is named in the
// environment (read with getenv). The window toolkit would otherwise stop
// with a panic trace instead of a message. Only the Unix desktops, where
// the display is named by the environment, are checked.
func checkDisplay(goos string, getenv func(string) string) error {
	switch goos {
	case "linux", "freebsd", "netbsd", "openbsd", "dragonfly":
	default:
		return nil
	}
	if getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == "" {
		return errNoDisplay
	}
	return nil
}
