package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"

	corruptionspec "diabolo/app/corruption"
	"diabolo/app/picture"
)

func TestCorruptionControlsSpec(t *testing.T) {
	tests := []struct {
		name     string
		task     string // as shown in the task selector
		kind     string // "" keeps the task's default
		strength float64
		want     string
	}{
		{"default is Gaussian σ 25", "", "", 0, "gaussian:25"},
		{"Gaussian σ 50", "Denoise", "Gaussian", 50, "gaussian:50"},
		{"sensor noise", "Denoise", "Sensor (Poisson-Gaussian)", 51, "poisson-gaussian:0.04,0.02"},
		{"salt and pepper percent", "Denoise", "Salt and pepper", 5, "salt-pepper:0.05"},
		{"speckle at σ 51", "Denoise", "Speckle", 51, "speckle:0.16"},
		{"JPEG quality", "Denoise", "JPEG artefacts", 40, "jpeg:40"},
		{"already noisy photos", "Denoise", "None: the photos are already noisy", 0, ""},
		{"watermark task has no synthetic corruption", "Remove watermark", "", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCorruptionControls(test.NewTempApp(t).Preferences())
			var reported []corruption
			c.onChanged = func(s corruption) { reported = append(reported, s) }
			if tt.task != "" {
				c.task.SetSelected(tt.task)
			}
			if tt.kind != "" {
				c.kind.SetSelected(tt.kind)
			}
			if tt.strength != 0 {
				c.strength.SetValue(tt.strength) // and ends the change
			}
			got := c.settings()
			if got.spec != tt.want {
				t.Errorf("spec = %q, want %q", got.spec, tt.want)
			}
			if tt.task != "" && (len(reported) == 0 || reported[len(reported)-1] != got) {
				t.Errorf("last reported settings %v, want %v", reported, got)
			}
			if got.spec != "" {
				if _, err := corruptionspec.Parse(got.spec); err != nil {
					t.Errorf("corruption.Parse rejects the spec: %v", err)
				}
			}
			if c.strength.Disabled() != (got.spec == "") {
				t.Errorf("strength slider disabled = %v with spec %q", c.strength.Disabled(), got.spec)
			}
		})
	}
}

func TestCorruptionKindsAllParse(t *testing.T) {
	for _, k := range corruptionKinds {
		if k.spec == nil {
			continue
		}
		for _, s := range []float64{k.min, k.def, k.max} {
			spec := k.spec(s)
			if _, err := corruptionspec.Parse(spec); err != nil {
				t.Errorf("%s at %v: spec %q: %v", k.name, s, spec, err)
			}
		}
	}
}

func TestCorruptionControlsRemembered(t *testing.T) {
	a := test.NewTempApp(t)
	c := newCorruptionControls(a.Preferences())
	c.kind.SetSelected("Salt and pepper")
	c.strength.SetValue(12)
	c.reroll.OnTapped()
	want := c.settings()

	again := newCorruptionControls(a.Preferences())
	if got := again.settings(); got != want {
		t.Errorf("settings after restart = %+v, want %+v", got, want)
	}
	if again.kind.Selected != "Salt and pepper" || again.strength.Value != 12 {
		t.Errorf("widgets after restart show %q at %v", again.kind.Selected, again.strength.Value)
	}
}

func TestCorruptionReroll(t *testing.T) {
	c := newCorruptionControls(test.NewTempApp(t).Preferences())
	before := c.settings()
	c.reroll.OnTapped()
	after := c.settings()
	if after.seed == before.seed || after.spec != before.spec {
		t.Errorf("re-roll changed %+v to %+v, want a new seed only", before, after)
	}
}

func TestCorruptionApplyIsReproducible(t *testing.T) {
	img := picture.New(16, 16)
	for i := range img.Pix {
		img.Pix[i] = 0.5
	}
	c := corruption{task: TaskDenoise, spec: "gaussian:25", seed: 7}
	a, err := c.apply(img, "/photos/a.png")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := c.apply(img, "/photos/a.png")
	other, _ := c.apply(img, "/photos/b.png")
	reseeded, _ := corruption{task: TaskDenoise, spec: "gaussian:25", seed: 8}.apply(img, "/photos/a.png")
	if img.Pix[0] != 0.5 {
		t.Error("apply changed its input")
	}
	if !equalPix(a, b) {
		t.Error("the same photo and seed gave different noise")
	}
	if equalPix(a, other) || equalPix(a, reseeded) {
		t.Error("another photo or seed gave the same noise")
	}
	if none, err := (corruption{task: TaskDenoise}).apply(img, "x"); none != nil || err != nil {
		t.Errorf("no corruption gave %v, %v; want nil, nil", none, err)
	}
}

func equalPix(a, b *picture.Image) bool {
	for i := range a.Pix {
		if a.Pix[i] != b.Pix[i] {
			return false
		}
	}
	return true
}
