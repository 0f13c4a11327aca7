package ui

import "fyne.io/fyne/v2"

// bridge is the one way the goroutines of this package reach widgets: it
// hands functions to the UI goroutine. A running app uses fyneBridge; tests
// use a bridge that runs the functions on the test's goroutine, which then
// plays the part of the UI goroutine.
type bridge interface {
	// run runs f on the UI goroutine and returns once f has returned.
	run(f func())
	// post runs f on the UI goroutine later, without waiting.
	post(f func())
}

// fyneBridge is the bridge of a running app: fyne.DoAndWait and fyne.Do.
type fyneBridge struct{}

func (fyneBridge) run(f func())  { fyne.DoAndWait(f) }
func (fyneBridge) post(f func()) { fyne.Do(f) }
