package convae

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// SpeedConfig sets up a speed measurement like the PyTorch twin's
// (torch_twin.py): training on random batches of patches with MSE and Adam,
// then inference on one square image.
type SpeedConfig struct {
	Batch, Patch int // training batch size and patch side (16, 64)
	Steps        int // timed training steps, after 2 warm-up steps (20)
	InferSide    int // side of the inference image (512)
	InferRuns    int // timed inference runs, after one warm-up (3)
	Workers      int // goroutines; 0 means one per CPU
}

// DefaultSpeedConfig returns the settings of the PyTorch twin.
func DefaultSpeedConfig() SpeedConfig {
	return SpeedConfig{Batch: 16, Patch: 64, Steps: 20, InferSide: 512, InferRuns: 3}
}

// SpeedResult holds measured throughputs.
type SpeedResult struct {
	Params            int
	TrainPatchesPerS  float64
	InferMPixelsPerS  float64
	TrainStepDuration time.Duration
}

// String formats r as one machine-readable line.
func (r SpeedResult) String() string {
	return fmt.Sprintf("params=%d train_patches_per_s=%.2f infer_mpix_per_s=%.3f", r.Params, r.TrainPatchesPerS, r.InferMPixelsPerS)
}

// MeasureSpeed times training and inference of a network built from spec.
// Inference is one whole-image pass when the image fits a single tile of
// 1024 pixels, as in the twin.
func MeasureSpeed(ctx context.Context, spec Spec, cfg SpeedConfig) (SpeedResult, error) {
	net, err := NewNet(spec, 0)
	if err != nil {
		return SpeedResult{}, err
	}
	if cfg.Workers > 0 {
		net.SetWorkers(cfg.Workers)
	}
	rng := rand.New(rand.NewPCG(0, 1))
	s := Shape{cfg.Batch, spec.In, cfg.Patch, cfg.Patch}
	if err := net.CheckInput(s); err != nil {
		return SpeedResult{}, err
	}
	clean := NewTensor(Shape{cfg.Batch, spec.Out, cfg.Patch, cfg.Patch})
	for i := range clean.Data {
		clean.Data[i] = rng.Float32()
	}
	noisy := NewTensor(s)
	for i := range noisy.Data {
		noisy.Data[i] = clean.Data[i%len(clean.Data)] + 0.1*float32(rng.NormFloat64())
	}
	tr := NewTrainer(net, 1e-3, MSELoss{})
	for i := 0; i < 2; i++ {
		tr.Step(noisy, clean)
	}
	start := time.Now()
	for i := 0; i < cfg.Steps; i++ {
		if err := ctx.Err(); err != nil {
			return SpeedResult{}, err
		}
		tr.Step(noisy, clean)
	}
	train := time.Since(start)
	res := SpeedResult{Params: len(net.Params()), TrainStepDuration: train / time.Duration(max(1, cfg.Steps))}
	res.TrainPatchesPerS = float64(cfg.Steps*cfg.Batch) / train.Seconds()

	side := cfg.InferSide
	img := randomPlanes(rng, spec.In*side*side)
	opts := TileOptions{Tile: 1024}
	if _, err := net.Infer(ctx, img, side, side, opts, nil); err != nil {
		return SpeedResult{}, err
	}
	start = time.Now()
	for i := 0; i < cfg.InferRuns; i++ {
		if _, err := net.Infer(ctx, img, side, side, opts, nil); err != nil {
			return SpeedResult{}, err
		}
	}
	per := time.Since(start).Seconds() / float64(max(1, cfg.InferRuns))
	res.InferMPixelsPerS = float64(side*side) / per / 1e6
	return res, nil
}

func randomPlanes(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = rng.Float32()
	}
	return v
}
