package ui

import (
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
)

// timedBridge is the test bridge with a stopwatch: for every function
// queued for the UI goroutine it records how long the function waited in
// the queue and how long it ran, and after each it calls after, on the UI
// goroutine.
type timedBridge struct {
	*pumpBridge
	after func()

	mu          sync.Mutex
	calls       int
	longestRun  time.Duration
	longestWait time.Duration
}

func newTimedBridge() *timedBridge { return &timedBridge{pumpBridge: newPumpBridge()} }

func (b *timedBridge) post(f func()) {
	queued := time.Now()
	b.pumpBridge.post(func() {
		start := time.Now()
		f()
		if b.after != nil {
			b.after()
		}
		b.record(start.Sub(queued), time.Since(start))
	})
}

func (b *timedBridge) run(f func()) {
	done := make(chan struct{})
	b.post(func() { f(); close(done) })
	<-done
}

// record notes one function's wait in the queue and its running time.
func (b *timedBridge) record(wait, ran time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls++
	b.longestWait = max(b.longestWait, wait)
	b.longestRun = max(b.longestRun, ran)
}

// uiBudget is the longest the UI goroutine may be kept busy at once.
const uiBudget = 50 * time.Millisecond

// TestTrainingKeepsTheWindowResponsive runs a real training session for a
// couple of seconds through the Training tab, with the UI goroutine played
// by this test: it runs the functions the session's events queue, and
// draws the loss chart at 60 frames a second as the window would. It
// measures the longest any of them kept the UI goroutine busy, and the
// longest gap between two Step events reaching it, beyond the interval at
// which the session sends them; both must stay under 50 ms. Under the race
// detector it checks the threading and only logs the timings.
func TestTrainingKeepsTheWindowResponsive(t *testing.T) {
	b := newTimedBridge()
	m := newTrainingWindow(t, 3, b)
	v := m.training
	const every = 20 * time.Millisecond
	v.opts.eventEvery = every

	var arrivals []time.Time
	lastStep := v.stepValue.Text
	b.after = func() {
		if v.stepValue.Text != lastStep {
			lastStep = v.stepValue.Text
			arrivals = append(arrivals, time.Now())
		}
	}

	// The chart's raster at a large window's size on a high-density
	// screen, as the window's painter would ask for it.
	chart := test.WidgetRenderer(v.chart).(*lossChartRenderer)
	const frameW, frameH = 1800, 700
	var frames int
	var longestFrame time.Duration

	test.Tap(v.start)
	const runFor = 1500 * time.Millisecond
	stopAt := time.Now().Add(runFor)
	lastFrame := time.Now()
	for v.state != trainIdle {
		if v.state == trainRunning && time.Now().After(stopAt) {
			v.onStop()
		}
		if b.drain() {
			continue
		}
		if time.Since(lastFrame) >= time.Second/60 {
			start := time.Now()
			chart.draw(frameW, frameH)
			d := time.Since(start)
			longestFrame = max(longestFrame, d)
			frames++
			lastFrame = time.Now()
			continue
		}
		select {
		case <-b.wake:
		case <-time.After(2 * time.Millisecond):
		}
	}
	m.waitIdle()

	var longestGap time.Duration
	for i := 1; i < len(arrivals); i++ {
		longestGap = max(longestGap, arrivals[i].Sub(arrivals[i-1]))
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	t.Logf("%d UI callbacks: longest ran %v, longest waited %v in the queue", b.calls, b.longestRun, b.longestWait)
	t.Logf("%d chart frames of %d×%d pixels (%d points drawn): longest %v", frames, frameW, frameH,
		v.chart.raw.len()+v.chart.smooth.len()+v.chart.val.len(), longestFrame)
	t.Logf("%d Step events, sent every %v: longest gap between arrivals %v", len(arrivals), every, longestGap)
	t.Logf("%s", v.status.Text)

	if len(arrivals) < 10 {
		t.Fatalf("only %d Step events reached the window in %v", len(arrivals), runFor)
	}
	if raceEnabled {
		t.Skip("timings under the race detector are not held to the budget")
	}
	if b.longestRun >= uiBudget {
		t.Errorf("a UI callback ran %v, want under %v", b.longestRun, uiBudget)
	}
	if longestFrame >= uiBudget {
		t.Errorf("drawing the chart took %v, want under %v", longestFrame, uiBudget)
	}
	if late := longestGap - every; late >= uiBudget {
		t.Errorf("a Step event arrived %v after the previous one, %v late; want under %v", longestGap, late, uiBudget)
	}
}
