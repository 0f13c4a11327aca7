package ui

// trainState is where the Training tab is in the life of a run.
//
//	idle ──start──▶ starting ──started──▶ running ◀──pause/resume──▶ paused
//	  ▲                │                     │                          │
//	  │                └───────stop──────────┴──────────stop────────────┤
//	  │                                                                 ▼
//	  └──────────────────────────── end ─────────────────────────── stopping
//
// A run also ends (back to idle) from starting, running or paused when it
// fails or finishes on its own.
type trainState int

// States of the Training tab.
const (
	trainIdle     trainState = iota // no run: the settings can be changed
	trainStarting                   // opening the photos and building the network
	trainRunning                    // training
	trainPaused                     // training suspended
	trainStopping                   // Stop was asked; the run is finishing its step
)

// String names the state, for test messages.
func (s trainState) String() string {
	switch s {
	case trainIdle:
		return "idle"
	case trainStarting:
		return "starting"
	case trainRunning:
		return "running"
	case trainPaused:
		return "paused"
	case trainStopping:
		return "stopping"
	}
	return "unknown"
}

// trainAction moves the Training tab from one state to another.
type trainAction int

// Actions, from the user (start, pause, resume, stop) or from the run
// (started, end).
const (
	actStart   trainAction = iota // the user starts a run
	actStarted                    // the session is training
	actPause                      // the user pauses
	actResume                     // the user resumes
	actStop                       // the user stops
	actEnd                        // the run finished, failed, or never started
)

// next returns the state that action a leads to from s, and false when a is
// not allowed in s (the state is then unchanged).
func (s trainState) next(a trainAction) (trainState, bool) {
	switch {
	case s == trainIdle && a == actStart:
		return trainStarting, true
	case s == trainStarting && a == actStarted, s == trainPaused && a == actResume:
		return trainRunning, true
	case s == trainRunning && a == actPause:
		return trainPaused, true
	case (s == trainStarting || s == trainRunning || s == trainPaused) && a == actStop:
		return trainStopping, true
	case s != trainIdle && a == actEnd:
		return trainIdle, true
	}
	return s, false
}

// trainButtons says which of the Start, Pause, Resume and Stop buttons are
// enabled.
type trainButtons struct {
	start, pause, resume, stop bool
}

// buttons returns the buttons enabled in state s.
func (s trainState) buttons() trainButtons {
	switch s {
	case trainIdle:
		return trainButtons{start: true}
	case trainStarting:
		return trainButtons{stop: true}
	case trainRunning:
		return trainButtons{pause: true, stop: true}
	case trainPaused:
		return trainButtons{resume: true, stop: true}
	}
	return trainButtons{} // stopping: wait for the run to end
}
