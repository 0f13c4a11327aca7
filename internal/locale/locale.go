// Package locale gives the process a usable locale before Fyne reads it.
//
// Fyne parses the user's locale when its lang package is initialised and
// logs an error for the POSIX "C" locale (LANG=C, or no LANG at all), which
// is what scripts, CI and minimal containers have. Importing this package
// from main, for its side effect, sets LANG to en_US.UTF-8 in those cases
// only. Go initialises packages in import-path order when they do not
// depend on each other, so "diabolo/..." runs before "fyne.io/...".
package locale

import (
	"os"
	"strings"
)

func init() {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES"} {
		if v, ok := os.LookupEnv(name); ok && !usable(v) {
			os.Unsetenv(name)
		}
	}
	if !usable(os.Getenv("LC_ALL")) && !usable(os.Getenv("LC_MESSAGES")) && !usable(os.Getenv("LANG")) {
		os.Setenv("LANG", "en_US.UTF-8")
	}
}

// usable reports whether a locale variable names a real language.
func usable(v string) bool {
	v = strings.TrimSpace(v)
	return v != "" && v != "C" && v != "POSIX" && !strings.HasPrefix(v, "C.")
}
