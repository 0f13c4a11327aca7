package session

import (
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"diabolo/app/dataset"
	"diabolo/app/noise"
	"diabolo/convae"
)

// TestSubsamplePicksNeighbours checks the sub-images of Neighbor2Neighbor:
// in every cell, g1 and g2 take two different, directly adjacent pixels.
func TestSubsamplePicksNeighbours(t *testing.T) {
	const p = 8
	s := newNeighbor2Neighbor(convae.RefSpec(4), 1, p)
	s.drawCells(rand.New(rand.NewPCG(1, 2)), 1, p/2)
	src := make([]float32, 3*p*p)
	for i := range src {
		src[i] = float32(i) // value = index: the position can be read back
	}
	g1, g2, diff := make([]float32, 3*p*p/4), make([]float32, 3*p*p/4), make([]float32, 3*p*p/4)
	s.subsample(g1, src, 0, p, 3, 0)
	s.subsample(g2, src, 0, p, 3, 1)
	s.subsample(diff, src, 0, p, 3, -1)
	for k := range g1 {
		a, b := int(g1[k]), int(g2[k])
		ch, cell := k/(p*p/4), k%(p*p/4)
		cy, cx := cell/(p/2), cell%(p/2)
		for _, v := range []int{a, b} {
			y, x := (v-ch*p*p)/p, (v-ch*p*p)%p
			if y/2 != cy || x/2 != cx {
				t.Fatalf("value %d of sub-image %d is outside cell (%d,%d)", v, k, cy, cx)
			}
		}
		if d := a - b; d != 1 && d != -1 && d != p && d != -p {
			t.Fatalf("cell %d: pixels %d and %d are not direct neighbours", k, a, b)
		}
		if diff[k] != g1[k]-g2[k] {
			t.Fatalf("difference %g, want %g", diff[k], g1[k]-g2[k])
		}
	}
}

// TestSelfSupervisedLearnsFromNoisyPhotos trains on noisy photos alone and
// checks, on clean validation photos with the same noise, that the output
// beats the noisy input.
func TestSelfSupervisedLearnsFromNoisyPhotos(t *testing.T) {
	noisyDir, cleanDir := t.TempDir(), t.TempDir()
	rng := rand.New(rand.NewPCG(9, 9))
	for k := 0; k < 4; k++ {
		clean := image.NewNRGBA(image.Rect(0, 0, 64, 64))
		noisy := image.NewNRGBA(clean.Rect)
		for y := 0; y < 64; y++ {
			for x := 0; x < 64; x++ {
				c := color.NRGBA{uint8(40 + x*2), uint8(30 + y*3), uint8(60 * k), 255}
				clean.Set(x, y, c)
				n := func(v uint8) uint8 { return uint8(min(255, max(0, float64(v)+rng.NormFloat64()*25))) }
				noisy.Set(x, y, color.NRGBA{n(c.R), n(c.G), n(c.B), 255})
			}
		}
		for dir, img := range map[string]*image.NRGBA{noisyDir: noisy, cleanDir: clean} {
			f, err := os.Create(filepath.Join(dir, string(rune('a'+k))+".png"))
			if err != nil {
				t.Fatal(err)
			}
			png.Encode(f, img)
			f.Close()
		}
	}
	data, err := dataset.Open(noisyDir, dataset.Options{Patch: 32, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	val, err := dataset.Open(cleanDir, dataset.Options{Patch: 32, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	nm, _ := noise.Parse("gaussian:25+quantize")
	cfg := Config{Data: data, ValData: val, Mode: SelfSupervised, Noise: nm, Spec: convae.RefSpec(8),
		Patch: 32, Batch: 4, Steps: 300, ValEvery: 300, ValCrops: 2, ValSide: 32, LR: 3e-3, Seed: 2, Workers: 2,
		EventEvery: time.Millisecond}
	m, rec := train(t, cfg)
	v, ok := rec.last(Validation)
	if !ok {
		t.Fatal("no validation event")
	}
	t.Logf("self-supervised: %.2f dB from %.2f dB noisy", v.ValPSNR, v.NoisyPSNR)
	if v.ValPSNR < v.NoisyPSNR+2 {
		t.Errorf("self-supervised output %.2f dB is not 2 dB above the noisy %.2f dB", v.ValPSNR, v.NoisyPSNR)
	}
	if m.Meta.Mode != SelfSupervised {
		t.Errorf("metadata mode %q", m.Meta.Mode)
	}
	// Without clean photos, validation shows the output on noisy crops.
	cfg.ValData, cfg.Noise, cfg.Steps, cfg.ValEvery = nil, nil, 4, 2
	_, rec = train(t, cfg)
	v, ok = rec.last(Validation)
	if !ok || v.Preview == nil || v.Preview.Clean != nil || len(v.Preview.Restored) != 3*32*32 {
		t.Errorf("validation without clean photos: %+v", v)
	}

	// Fine-tuning a model with a noise-level input, like the bundled one,
	// on the noisy photos alone: it trains, and says so in its metadata.
	spec := convae.UNetSpec("u", convae.UNetConfig{Width: 8, Levels: 1, Blocks: 1, Unshuffle: true, NoiseLevel: true})
	net, err := convae.NewNet(spec, 3)
	if err != nil {
		t.Fatal(err)
	}
	before := append([]float32(nil), net.Params()...)
	from := &convae.Model{Net: net, Meta: convae.Metadata{Task: "denoise", Steps: 1000}}
	cfg = Config{Data: data, ValData: val, Mode: SelfSupervised, Noise: nm, From: from,
		Patch: 32, Batch: 4, Steps: 20, ValEvery: 20, ValCrops: 2, ValSide: 32, LR: 1e-3, Seed: 4, Workers: 2,
		EventEvery: time.Millisecond}
	tuned, rec := train(t, cfg)
	if _, ok := rec.last(Validation); !ok || tuned.Meta.Mode != SelfSupervised {
		t.Errorf("self-supervised fine-tune: validation seen %v, mode %q", ok, tuned.Meta.Mode)
	}
	changed := 0
	for i, v := range tuned.Net.Params() {
		if v != before[i] {
			changed++
		}
	}
	if changed == 0 {
		t.Error("self-supervised fine-tuning left every parameter as it was")
	}
}
