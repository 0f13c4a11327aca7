package models

import (
	"fmt"
	"time"

	"diabolo/convae"
)

// Field is one line of a model's description: a short name and its value.
type Field struct {
	Name, Value string
}

// Fields describes m: its architecture (preset, parameters, cost, channels)
// and, when known, how it was trained (task, noise, mode, loss, steps,
// training time, data, validation PSNR, creation time, notes) and whether
// it is a resumable checkpoint. Fields left empty by training are omitted.
// "diabolo info" prints these lines, and the window shows them, so both say
// the same thing.
func Fields(m *convae.Model) []Field {
	s, md := m.Net.Spec(), m.Meta
	fields := []Field{
		{"preset", s.Name},
		{"parameters", fmt.Sprint(s.NumParams())},
		{"cost", fmt.Sprintf("%.3f MFLOP per pixel", s.FLOPsPerPixel()/1e6)},
		{"channels", fmt.Sprintf("%d in, %d out", s.In, s.Out)},
	}
	add := func(name, v string) {
		if v != "" {
			fields = append(fields, Field{name, v})
		}
	}
	add("task", md.Task)
	if md.Brush {
		add("brush", "removes the marks painted over, and only those")
	}
	add("noise", md.Noise)
	add("mode", md.Mode)
	add("loss", md.Loss)
	if md.Steps > 0 {
		add("steps", fmt.Sprintf("%d (batch %d of %d×%d patches)", md.Steps, md.Batch, md.Patch, md.Patch))
	}
	if md.TrainSeconds > 0 {
		add("trained for", time.Duration(md.TrainSeconds*float64(time.Second)).Round(time.Second).String())
	}
	add("data", md.Data)
	if md.ValPSNR > 0 {
		add("val PSNR", fmt.Sprintf("%.2f dB", md.ValPSNR))
	}
	if !md.Created.IsZero() {
		add("created", md.Created.Format(time.RFC3339))
	}
	add("notes", md.Notes)
	if m.Half {
		add("precision", "half (16-bit parameters)")
	}
	if m.Optimizer != nil {
		add("checkpoint", fmt.Sprintf("yes (optimiser at step %d)", m.Optimizer.Steps()))
	}
	return fields
}
