package session

import (
	"math"
	"slices"
	"testing"

	"diabolo/convae"
)

// Validation events carry the first layer's filters and the bottleneck's
// feature maps of the preview crop, of the network as it is at that step.
func TestValidationEventsShowWhatTheEncoderLearned(t *testing.T) {
	tests := []struct {
		name     string
		spec     convae.Spec
		selfSup  bool
		filters  convae.Filters // Count and Side
		features FeatureMaps    // all but Values
	}{
		{"ref, 16 channels at 1/4", convae.RefSpec(4), false,
			convae.Filters{Count: 4, Side: 3}, FeatureMaps{Channels: 16, H: 4, W: 4, Total: 16}},
		{"unshuffled U-Net, 64 channels at 1/8, 32 kept",
			convae.UNetSpec("u", convae.UNetConfig{Width: 16, Levels: 2, Blocks: 1, Unshuffle: true, NoiseLevel: true}), false,
			convae.Filters{Count: 16, Side: 6}, FeatureMaps{Channels: MaxFeatureMaps, H: 2, W: 2, Total: 64}},
		{"self-supervised, no clean crops", convae.RefSpec(4), true,
			convae.Filters{Count: 4, Side: 3}, FeatureMaps{Channels: 16, H: 4, W: 4, Total: 16}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t)
			cfg.Spec, cfg.Steps = tt.spec, 10
			if tt.selfSup {
				cfg.Mode, cfg.Noise = SelfSupervised, nil
			}
			m, rec := train(t, cfg)
			var vals []Event
			for _, e := range rec.events {
				if e.Kind == Validation {
					vals = append(vals, e)
				}
			}
			if len(vals) != 2 {
				t.Fatalf("%d validations, want 2", len(vals))
			}
			for _, e := range vals {
				f, fm := e.Filters, e.Features
				if f == nil || f.Count != tt.filters.Count || f.Side != tt.filters.Side ||
					len(f.Weights) != f.Count*convae.FilterChannels*f.Side*f.Side {
					t.Fatalf("step %d: filters %+v, want %d of side %d", e.Step, f, tt.filters.Count, tt.filters.Side)
				}
				if fm == nil {
					t.Fatalf("step %d: no feature maps", e.Step)
				}
				got, want := [4]int{fm.Channels, fm.H, fm.W, fm.Total}, [4]int{tt.features.Channels, tt.features.H, tt.features.W, tt.features.Total}
				if got != want || len(fm.Values) != fm.Channels*fm.H*fm.W {
					t.Fatalf("step %d: %d feature maps of %d×%d of %d, with %d values; want %v", e.Step, fm.Channels, fm.H, fm.W, fm.Total, len(fm.Values), want)
				}
				for _, v := range fm.Values {
					if v < 0 || math.IsNaN(float64(v)) { // after a ReLU
						t.Fatalf("step %d: feature value %g", e.Step, v)
					}
				}
			}
			// The last validation was at the last step: its filters are the
			// trained model's, and training changed them.
			want, _ := m.Net.FirstFilters()
			if !slices.Equal(vals[1].Filters.Weights, want.Weights) {
				t.Error("the last validation's filters are not the trained model's")
			}
			if slices.Equal(vals[0].Filters.Weights, vals[1].Filters.Weights) {
				t.Error("the filters did not change between validations")
			}
		})
	}
}
