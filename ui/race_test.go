//go:build race

package ui

// raceEnabled reports that the race detector is on: it slows the code down
// several times, so timings are logged but not held to budgets.
const raceEnabled = true
