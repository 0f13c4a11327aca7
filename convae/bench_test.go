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

// BenchmarkConvLayer times the forward and backward passes of single
// convolution layers of RefAE's shapes (batch 16), reporting GFLOP/s of the
// multiply-adds a direct convolution does (so the Winograd path, which
// does fewer, shows as faster). 3×3 size-keeping layers run both ways:
// "winograd" and "direct" (im2col and GEMM).
func BenchmarkConvLayer(b *testing.B) {
	cases := []struct {
		name             string
		transposed       bool
		in, out, k, s, p int
		side             int
	}{
		{"conv3x3_32to32_64px", false, 32, 32, 3, 1, 1, 64},
		{"conv3x3_128to64_32px", false, 128, 64, 3, 1, 1, 32},
		{"conv3x3_32to32_256px", false, 32, 32, 3, 1, 1, 256},
		{"conv3x3_64to64_144px", false, 64, 64, 3, 1, 1, 144},
		{"conv3x3s2_32to64_64px", false, 32, 64, 3, 2, 1, 64},
		{"convT2x2_128to64_16px", true, 128, 64, 2, 2, 0, 16},
	}
	for _, c := range cases {
		l := &convLayer{transposed: c.transposed, out: c.out, k: c.k, s: c.s, p: c.p}
		nw := c.out * c.in * c.k * c.k
		params := randomPlanes(rand.New(rand.NewPCG(1, 2)), nw+c.out)
		l.weight, l.bias, l.bOff = params[:nw], params[nw:], nw
		l.act = activation{kind: OpReLU}
		batch := 16
		if c.side > 64 {
			batch = 2
		}
		x := &Tensor{Shape: Shape{batch, c.in, c.side, c.side}}
		x.Data = randomPlanes(rand.New(rand.NewPCG(3, 4)), x.Len())
		y := NewTensor(l.outShape([]Shape{x.Shape}))
		macs := float64(nw) * float64(batch*y.H*y.W)
		if c.transposed {
			macs = float64(nw) * float64(batch*c.side*c.side)
		}
		ws := []*worker{{grads: make([]float32, len(params))}, {grads: make([]float32, len(params))}}
		paths := []string{""}
		if l.sameSize() && c.k == 3 {
			paths = []string{"/winograd", "/direct"}
		}
		for _, path := range paths {
			l.direct = path == "/direct"
			b.Run(c.name+path+"/forward", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					l.forward(ws, []*Tensor{x}, y)
				}
				b.ReportMetric(2*macs*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
			dy := NewTensor(y.Shape)
			dx := NewTensor(x.Shape)
			b.Run(c.name+path+"/backward", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					copy(dy.Data, y.Data)
					l.backward(ws, []*Tensor{x}, y, dy, []*Tensor{dx})
				}
				b.ReportMetric(4*macs*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
