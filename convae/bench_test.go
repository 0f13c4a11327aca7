package convae

import (
	"context"
	"math/rand/v2"
	"runtime"
	"testing"
)

// trainBatch returns a noisy input and a clean target like the twin's.
func trainBatch(spec Spec, batch, patch int) (x, target *Tensor) {
	rng := rand.New(rand.NewPCG(0, 1))
	target = NewTensor(Shape{batch, spec.Out, patch, patch})
	for i := range target.Data {
		target.Data[i] = rng.Float32()
	}
	x = NewTensor(Shape{batch, spec.In, patch, patch})
	for i := range x.Data {
		x.Data[i] = target.Data[i%len(target.Data)] + 0.1*float32(rng.NormFloat64())
	}
	return x, target
}

// BenchmarkTrainStep times one training step (batch 16 of 64×64 patches,
// MSE, Adam) of each preset, like torch_twin.py.
func BenchmarkTrainStep(b *testing.B) {
	for _, name := range []string{"ref", "unet-m", "diabolo"} {
		b.Run(name, func(b *testing.B) {
			p, _ := LookupPreset(name)
			net, err := NewNet(p.Spec, 0)
			if err != nil {
				b.Fatal(err)
			}
			x, target := trainBatch(p.Spec, 16, 64)
			tr := NewTrainer(net, 1e-3, MSELoss{})
			tr.Step(x, target)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				tr.Step(x, target)
			}
			b.ReportMetric(float64(16*b.N)/b.Elapsed().Seconds(), "patches/s")
		})
	}
}

// BenchmarkInfer512 times inference on one 512×512 image.
func BenchmarkInfer512(b *testing.B) {
	for _, name := range []string{"ref", "unet-m"} {
		b.Run(name, func(b *testing.B) {
			p, _ := LookupPreset(name)
			net, err := NewNet(p.Spec, 0)
			if err != nil {
				b.Fatal(err)
			}
			img := randomPlanes(rand.New(rand.NewPCG(1, 1)), p.Spec.In*512*512)
			opts := TileOptions{Tile: 1024}
			net.Infer(context.Background(), img, 512, 512, opts, nil)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := net.Infer(context.Background(), img, 512, 512, opts, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(512*512*b.N)/b.Elapsed().Seconds()/1e6, "Mpix/s")
		})
	}
}

// TestTrainStepAllocations checks that a training step allocates next to
// nothing once its buffers exist: a few small objects for the goroutines of
// its parallel sections, never a buffer.
func TestTrainStepAllocations(t *testing.T) {
	net, err := NewNet(RefSpec(8), 0)
	if err != nil {
		t.Fatal(err)
	}
	net.SetWorkers(2)
	x, target := trainBatch(net.Spec(), 4, 32)
	tr := NewTrainer(net, 1e-3, MSELoss{})
	tr.Step(x, target)
	const steps = 5
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < steps; i++ {
		tr.Step(x, target)
	}
	runtime.ReadMemStats(&after)
	bytes := float64(after.TotalAlloc-before.TotalAlloc) / steps
	allocs := float64(after.Mallocs-before.Mallocs) / steps
	t.Logf("per step: %.0f allocations, %.0f bytes", allocs, bytes)
	// The smallest activation of this network is 4×32×8×8×4 = 32 KiB: a
	// step that allocated any buffer would exceed this bound.
	if bytes > 32<<10 {
		t.Errorf("a training step allocates %.0f bytes in %.0f allocations", bytes, allocs)
	}
}

// TestDeterministic checks that training is reproducible for a seed and a
// worker count.
func TestDeterministic(t *testing.T) {
	run := func(workers int) []float32 {
		net, err := NewNet(RefSpec(4), 42)
		if err != nil {
			t.Fatal(err)
		}
		net.SetWorkers(workers)
		x, target := trainBatch(net.Spec(), 4, 16)
		tr := NewTrainer(net, 1e-3, MSELoss{})
		for i := 0; i < 3; i++ {
			tr.Step(x, target)
		}
		return append([]float32(nil), net.Params()...)
	}
	for _, w := range []int{1, 2, 3} {
		a, b := run(w), run(w)
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("workers=%d: parameter %d differs between two runs: %g, %g", w, i, a[i], b[i])
			}
		}
	}
}
