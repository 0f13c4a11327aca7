package session

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"diabolo/app/atomicfile"
	"diabolo/app/dataset"
	"diabolo/app/metrics"
	"diabolo/app/noise"
	"diabolo/app/picture"
	"diabolo/convae"
)

// State is where a session is in its life.
type State int

// States of a session.
const (
	Running State = iota
	PausedState
	Done
)

// Session is a training run on its own goroutine.
type Session struct {
	cfg     Config
	onEvent func(Event)

	mu      sync.Mutex
	state   State
	resume  chan struct{} // closed to wake a paused run
	cancel  context.CancelFunc
	ctx     context.Context
	done    chan struct{}
	result  *convae.Model
	err     error
	stopped bool
}

// Start checks cfg, builds or loads the network and starts training on a
// new goroutine. onEvent receives every event on that goroutine, in order;
// it must return quickly (a window hands the event over to its own
// goroutine). The returned error concerns the setup: a run that fails later
// reports it in its Finished event and from Wait.
func Start(cfg Config, onEvent func(Event)) (*Session, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("training: %w", err)
	}
	r, err := newRun(cfg)
	if err != nil {
		return nil, fmt.Errorf("training: %w", err)
	}
	if onEvent == nil {
		onEvent = func(Event) {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Session{cfg: cfg, onEvent: onEvent, ctx: ctx, cancel: cancel, done: make(chan struct{})}
	r.s = s
	go func() {
		defer close(s.done)
		model, err := r.loop()
		s.mu.Lock()
		s.result, s.err, s.state = model, err, Done
		s.mu.Unlock()
		onEvent(Event{Kind: Finished, Step: r.step, Elapsed: r.elapsed(), Err: err})
	}()
	return s, nil
}

// Pause suspends training after the current step.
func (s *Session) Pause() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == Running {
		s.state = PausedState
		s.resume = make(chan struct{})
	}
}

// Resume continues a paused session.
func (s *Session) Resume() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == PausedState {
		s.state = Running
		close(s.resume)
	}
}

// Stop ends the session after the current step; Wait then returns the
// network as trained so far.
func (s *Session) Stop() {
	s.mu.Lock()
	s.stopped = true
	s.mu.Unlock()
	s.cancel()
}

// State returns whether the session runs, is paused or is done.
func (s *Session) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// Wait blocks until the session ends and returns the trained model, or the
// error that ended it.
func (s *Session) Wait() (*convae.Model, error) {
	<-s.done
	return s.result, s.err
}

// checkPause blocks while the session is paused; it reports false when
// the session was stopped.
func (s *Session) checkPause(r *run) bool {
	s.mu.Lock()
	ch, paused := s.resume, s.state == PausedState
	s.mu.Unlock()
	if paused {
		r.clock.stop()
		s.onEvent(Event{Kind: Paused, Step: r.step, Elapsed: r.elapsed()})
		select {
		case <-ch:
			r.clock.start()
			s.onEvent(Event{Kind: Resumed, Step: r.step, Elapsed: r.elapsed()})
		case <-s.ctx.Done():
			r.clock.start()
		}
	}
	return s.ctx.Err() == nil
}

// stopwatch measures training time, pauses excluded.
type stopwatch struct {
	total time.Duration
	since time.Time
	on    bool
}

func (w *stopwatch) start() {
	if !w.on {
		w.since, w.on = time.Now(), true
	}
}

func (w *stopwatch) stop() {
	if w.on {
		w.total += time.Since(w.since)
		w.on = false
	}
}

func (w *stopwatch) elapsed() time.Duration {
	if w.on {
		return w.total + time.Since(w.since)
	}
	return w.total
}

// run is the state of the training goroutine.
type run struct {
	cfg     Config
	s       *Session
	model   *convae.Model
	trainer *convae.Trainer
	sampler samplerFunc
	rng     *rand.Rand
	step    int
	clock   stopwatch
	lrScale float64 // halved after each numerical blow-up

	x, clean *convae.Tensor
	// marks holds the true marks of each training patch, the auxiliary
	// targets of networks that unblend marks; nil otherwise.
	marks *markTargets
	n2n   *neighbor2neighbor // self-supervised mode only
	val   *validation
	good  snapshot // the last state known to be finite
}

// samplerFunc fills n clean patches of side p into dst.
type samplerFunc func(dst []float32, n, p int) error

// snapshot is a copy of the trainable state.
type snapshot struct {
	params, m, v []float32
	step, adam   int
}

func newRun(cfg Config) (*run, error) {
	r := &run{cfg: cfg, lrScale: 1}
	var err error
	switch {
	case cfg.Resume != "":
		r.model, err = loadModel(cfg.Resume)
		if err != nil {
			return nil, err
		}
		if r.model.Optimizer == nil {
			return nil, fmt.Errorf("%s: not a checkpoint (no optimiser state)", cfg.Resume)
		}
		r.step = r.model.Meta.Steps
		r.clock.total = time.Duration(r.model.Meta.TrainSeconds * float64(time.Second))
	case cfg.From != nil:
		r.model = &convae.Model{Net: cfg.From.Net, Meta: cfg.From.Meta}
		r.model.Meta.Notes = "fine-tuned"
	default:
		if err := cfg.Spec.Validate(); err != nil {
			return nil, err
		}
		net, err := convae.NewNet(cfg.Spec, cfg.Seed)
		if err != nil {
			return nil, err
		}
		r.model = &convae.Model{Net: net}
	}
	net := r.model.Net
	if cfg.Workers > 0 {
		net.SetWorkers(cfg.Workers)
	}
	spec := net.Spec()
	if spec.Out != picture.Channels || (spec.In != picture.Channels && spec.In != picture.Channels+1) {
		return nil, fmt.Errorf("network %q maps %d channels to %d; training needs 3 (or 3 and a noise level or mask) to 3", spec.Name, spec.In, spec.Out)
	}
	if m := spec.Multiple(); cfg.Patch%m != 0 || cfg.ValSide%m != 0 {
		return nil, fmt.Errorf("patch %d and validation side %d must be multiples of %d for network %q", cfg.Patch, cfg.ValSide, m, spec.Name)
	}
	loss, err := convae.NewLoss(cfg.Loss)
	if err != nil {
		return nil, err
	}
	r.trainer = convae.NewTrainer(net, cfg.LR, loss)
	if opt := r.model.Optimizer; opt != nil && cfg.Resume != "" {
		m, v, step := opt.State()
		r.trainer.Opt.SetState(m, v, step)
	}
	r.model.Optimizer = r.trainer.Opt
	sampler := cfg.Data.NewSampler(cfg.Seed ^ uint64(r.step)*0x9e3779b97f4a7c15)
	r.sampler = sampler.Fill
	r.rng = rand.New(rand.NewPCG(cfg.Seed, uint64(r.step)+1))
	r.x = convae.NewTensor(convae.Shape{N: cfg.Batch, C: spec.In, H: cfg.Patch, W: cfg.Patch})
	r.clean = convae.NewTensor(convae.Shape{N: cfg.Batch, C: spec.Out, H: cfg.Patch, W: cfg.Patch})
	if cfg.Task == "watermark" {
		r.marks = newMarkTargets(cfg.Batch, cfg.Patch*cfg.Patch)
		if !net.SetMarkTarget(convae.MarkTarget{
			Alpha: r.marks.alpha, Colour: r.marks.colour, Weight: MarkWeight, Only: cfg.Brush && !cfg.PictureLoss,
			Clean: r.clean.Data, FillWeight: FillWeight,
		}) {
			if cfg.Brush {
				return nil, fmt.Errorf("brush training needs a network that unblends marks (such as unet-wm), not %q", spec.Name)
			}
			r.marks = nil
		}
	}
	if cfg.Mode == SelfSupervised {
		if (cfg.Patch/2)%spec.Multiple() != 0 {
			return nil, fmt.Errorf("self-supervised training halves the patch: %d/2 must be a multiple of %d for network %q", cfg.Patch, spec.Multiple(), spec.Name)
		}
		r.n2n = newNeighbor2Neighbor(spec, cfg.Batch, cfg.Patch)
	}
	r.val, err = newValidation(cfg, spec)
	if err != nil {
		return nil, err
	}
	r.good = r.takeSnapshot()
	return r, nil
}

func loadModel(path string) (*convae.Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := convae.Load(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

func (r *run) elapsed() time.Duration { return r.clock.elapsed() }

// progress returns the fraction of the budget used.
func (r *run) progress() float64 {
	p := 0.0
	if r.cfg.Steps > 0 {
		p = float64(r.step) / float64(r.cfg.Steps)
	}
	if r.cfg.Duration > 0 {
		p = math.Max(p, r.elapsed().Seconds()/r.cfg.Duration.Seconds())
	}
	return math.Min(p, 1)
}

// learningRate follows a cosine from LR down to MinLR over the budget,
// after a short warm-up.
func (r *run) learningRate() float64 {
	p := r.progress()
	lr := r.cfg.MinLR + (r.cfg.LR-r.cfg.MinLR)*0.5*(1+math.Cos(math.Pi*p))
	if warm := 50; r.step < warm && r.cfg.From == nil && r.cfg.Resume == "" {
		lr *= float64(r.step+1) / float64(warm)
	}
	return lr * r.lrScale
}

// loop trains until the budget is spent or the session is stopped.
func (r *run) loop() (*convae.Model, error) {
	cfg := r.cfg
	spec := r.model.Net.Spec()
	r.s.onEvent(Event{Kind: Started, Step: r.step, TotalSteps: cfg.Steps, Message: fmt.Sprintf("%s: %d parameters, %.0f FLOP per pixel", spec.Name, spec.NumParams(), spec.FLOPsPerPixel())})
	r.clock.start()
	lastEvent := time.Now()
	lastCheckpoint := r.elapsed()
	var lossSum float64
	lossN, stepsSinceEvent := 0, 0
	for r.progress() < 1 {
		if !r.s.checkPause(r) {
			break
		}
		if err := r.sampler(r.clean.Data, cfg.Batch, cfg.Patch); err != nil {
			return nil, err
		}
		r.trainer.Opt.LR = r.learningRate()
		var loss float64
		if cfg.Mode == SelfSupervised {
			loss = r.n2n.step(r, r.clean)
		} else {
			corrupt(r.x, r.clean, r.marks, cfg.Noise, r.rng, cfg.Task, paintingFor(cfg, true))
			loss = r.trainer.Step(r.x, r.clean)
		}
		r.step++
		stepsSinceEvent++
		if math.IsNaN(loss) || math.IsInf(loss, 0) || loss > 1e6 {
			r.recover(fmt.Sprintf("loss became %g at step %d", loss, r.step))
			continue
		}
		lossSum += loss
		lossN++
		if r.step%cfg.ValEvery == 0 || r.progress() >= 1 {
			if !r.validate() {
				continue
			}
		}
		if now := time.Now(); now.Sub(lastEvent) >= cfg.EventEvery || r.progress() >= 1 {
			r.emitStep(lossSum/float64(max(lossN, 1)), float64(stepsSinceEvent*cfg.Batch)/now.Sub(lastEvent).Seconds())
			lastEvent, lossSum, lossN, stepsSinceEvent = now, 0, 0, 0
		}
		if cfg.Checkpoint != "" && r.elapsed()-lastCheckpoint >= cfg.CheckpointEvery {
			r.checkpoint()
			lastCheckpoint = r.elapsed()
		}
	}
	r.clock.stop()
	// End on the last state known to be good.
	if !allFinite(r.model.Net.Params()) {
		r.restore(r.good)
	}
	r.model.Meta = r.metadata()
	if cfg.Checkpoint != "" {
		r.checkpoint()
	}
	final := &convae.Model{Net: r.model.Net, Meta: r.model.Meta}
	return final, nil
}

func (r *run) emitStep(loss, patchesPerS float64) {
	p := r.progress()
	var eta time.Duration
	if p > 0 {
		eta = time.Duration(float64(r.elapsed()) * (1 - p) / p)
	}
	r.s.onEvent(Event{Kind: Step, Step: r.step, TotalSteps: r.cfg.Steps, Elapsed: r.elapsed(), Progress: p, ETA: eta,
		Loss: loss, LR: r.trainer.Opt.LR, PatchesPerS: patchesPerS})
}

// validate measures the network on the validation crops and emits the
// result; it returns false when the network had blown up and was rolled
// back.
func (r *run) validate() bool {
	res := r.val.measure(r.model.Net, r.trainer.Loss)
	if math.IsNaN(res.ValLoss) || !allFinite(r.model.Net.Params()) {
		r.recover(fmt.Sprintf("validation loss became %g at step %d", res.ValLoss, r.step))
		return false
	}
	r.good = r.takeSnapshot()
	r.model.Meta.ValPSNR = res.ValPSNR
	res.Kind, res.Step, res.TotalSteps, res.Elapsed, res.Progress = Validation, r.step, r.cfg.Steps, r.elapsed(), r.progress()
	r.s.onEvent(res)
	return true
}

// recover rolls back to the last good state and halves the learning rate.
func (r *run) recover(why string) {
	r.restore(r.good)
	r.lrScale /= 2
	r.s.onEvent(Event{Kind: Warning, Step: r.step, Message: fmt.Sprintf("%s: rolled back to step %d and halved the learning rate", why, r.step)})
}

func (r *run) takeSnapshot() snapshot {
	m, v, adam := r.trainer.Opt.State()
	return snapshot{
		params: append([]float32(nil), r.model.Net.Params()...),
		m:      append([]float32(nil), m...), v: append([]float32(nil), v...),
		step: r.step, adam: adam,
	}
}

func (r *run) restore(s snapshot) {
	copy(r.model.Net.Params(), s.params)
	r.trainer.Opt.SetState(s.m, s.v, s.adam)
	r.step = s.step
}

func (r *run) metadata() convae.Metadata {
	m := r.model.Meta
	m.Task = r.cfg.Task
	m.Brush = r.cfg.Brush
	if r.cfg.Mode == Supervised {
		m.Noise = r.cfg.Noise.String()
	} else {
		m.Noise = "learned from noisy photos"
	}
	m.Mode = r.cfg.Mode
	m.Loss = r.cfg.Loss
	m.Steps = r.step
	m.Patch, m.Batch = r.cfg.Patch, r.cfg.Batch
	m.Data = r.cfg.Data.Describe()
	m.TrainSeconds = r.elapsed().Seconds()
	m.Created = time.Now().UTC().Truncate(time.Second)
	return m
}

// checkpoint writes the model with its optimiser state, atomically.
func (r *run) checkpoint() {
	m := &convae.Model{Net: r.model.Net, Meta: r.metadata(), Optimizer: r.trainer.Opt}
	err := atomicfile.Write(r.cfg.Checkpoint, 0o644, m.Save)
	if err != nil {
		r.s.onEvent(Event{Kind: Warning, Step: r.step, Message: fmt.Sprintf("checkpoint: %v", err)})
		return
	}
	r.s.onEvent(Event{Kind: Checkpoint, Step: r.step, Message: r.cfg.Checkpoint})
}

func allFinite(v []float32) bool {
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return false
		}
	}
	return true
}

// validation holds fixed corrupted crops to measure a network on.
type validation struct {
	x, clean  *convae.Tensor
	noisyPSNR float64
}

func newValidation(cfg Config, spec convae.Spec) (*validation, error) {
	data := cfg.Data
	if cfg.ValData != nil {
		data = cfg.ValData
	}
	// Small photos get smaller crops rather than no validation at all.
	crops, err := data.ValCrops(cfg.ValCrops, cfg.ValSide, cfg.Seed+1)
	for side := cfg.ValSide / 2; errors.Is(err, dataset.ErrTooSmall) && side >= cfg.Patch && side%spec.Multiple() == 0; side /= 2 {
		crops, err = data.ValCrops(cfg.ValCrops, side, cfg.Seed+1)
	}
	if err != nil {
		return nil, err
	}
	n, side := len(crops), crops[0].Width
	v := &validation{
		x:     convae.NewTensor(convae.Shape{N: n, C: spec.In, H: side, W: side}),
		clean: convae.NewTensor(convae.Shape{N: n, C: spec.Out, H: side, W: side}),
	}
	for i, c := range crops {
		copy(v.clean.Item(i), c.Pix)
	}
	if cfg.Noise == nil {
		// The crops are noisy photos: show what the network makes of them.
		corrupt(v.x, v.clean, nil, noise.None{}, nil, cfg.Task, painting{})
		v.clean = nil
		return v, nil
	}
	corrupt(v.x, v.clean, nil, cfg.Noise, rand.New(rand.NewPCG(cfg.Seed, 12345)), cfg.Task, paintingFor(cfg, false))
	for i := range crops {
		v.noisyPSNR += metrics.PSNR(v.view(v.x, i), v.view(v.clean, i)) / float64(n)
	}
	return v, nil
}

// view returns the colour planes of item i as an image.
func (v *validation) view(t *convae.Tensor, i int) *picture.Image {
	return &picture.Image{Width: t.W, Height: t.H, Pix: t.Item(i)[:picture.Channels*t.H*t.W]}
}

// measure runs the network on the crops: loss, mean PSNR and SSIM of the
// clamped outputs, the preview of the first crop, the first layer's filters
// and the bottleneck's feature maps of that crop.
func (v *validation) measure(net *convae.Net, loss convae.Loss) Event {
	y := net.Forward(v.x)
	filters, features := inspect(net)
	if v.clean == nil {
		out := v.view(y, 0).Clone()
		out.Clamp()
		return Event{Preview: &Preview{Side: y.W, Noisy: append([]float32(nil), v.view(v.x, 0).Pix...), Restored: out.Pix},
			Filters: filters, Features: features}
	}
	ev := Event{ValLoss: loss.Eval(y.Data, v.clean.Data, nil), NoisyPSNR: v.noisyPSNR, Filters: filters, Features: features}
	n := float64(y.N)
	for i := 0; i < y.N; i++ {
		out := v.view(y, i).Clone()
		out.Clamp()
		ev.ValPSNR += metrics.PSNR(out, v.view(v.clean, i)) / n
		ev.ValSSIM += metrics.SSIM(out, v.view(v.clean, i)) / n
		if i == 0 {
			ev.Preview = &Preview{Side: y.W,
				Clean:    append([]float32(nil), v.view(v.clean, 0).Pix...),
				Noisy:    append([]float32(nil), v.view(v.x, 0).Pix...),
				Restored: out.Pix}
		}
	}
	return ev
}

// inspect returns what net has learned, right after its Forward on the
// validation crops: its first layer's filters and up to MaxFeatureMaps
// channels of its bottleneck for the first crop; nil for what the network
// does not have.
func inspect(net *convae.Net) (*convae.Filters, *FeatureMaps) {
	var filters *convae.Filters
	if f, ok := net.FirstFilters(); ok {
		filters = &f
	}
	b, ok := net.Bottleneck()
	if !ok {
		return filters, nil
	}
	c := min(b.C, MaxFeatureMaps)
	values := append([]float32(nil), b.Item(0)[:c*b.H*b.W]...) // not the whole batch's copy
	return filters, &FeatureMaps{Channels: c, H: b.H, W: b.W, Total: b.C, Values: values}
}
