package cli

import (
	"fmt"
	"time"
)

func runInfo(e *env, args []string) int {
	fs := newFlags(e, "info", "MODEL...")
	files, code, ok := parse(e, fs, args)
	if !ok {
		return code
	}
	if len(files) == 0 {
		return e.usageError("info", "no model file")
	}
	status := exitOK
	for _, f := range files {
		m, err := loadModel(f, "")
		if err != nil {
			status = e.fail("%v", err)
			continue
		}
		s, md := m.Net.Spec(), m.Meta
		fmt.Fprintf(e.stdout, "%s\n  preset      %s\n  parameters  %d\n  cost        %.3f MFLOP per pixel\n  channels    %d in, %d out\n",
			f, s.Name, s.NumParams(), s.FLOPsPerPixel()/1e6, s.In, s.Out)
		field := func(name, v string) {
			if v != "" {
				fmt.Fprintf(e.stdout, "  %-11s %s\n", name, v)
			}
		}
		field("task", md.Task)
		field("noise", md.Noise)
		field("mode", md.Mode)
		field("loss", md.Loss)
		if md.Steps > 0 {
			field("steps", fmt.Sprintf("%d (batch %d of %d×%d patches)", md.Steps, md.Batch, md.Patch, md.Patch))
		}
		if md.TrainSeconds > 0 {
			field("trained for", time.Duration(md.TrainSeconds*float64(time.Second)).Round(time.Second).String())
		}
		field("data", md.Data)
		if md.ValPSNR > 0 {
			field("val PSNR", fmt.Sprintf("%.2f dB", md.ValPSNR))
		}
		if !md.Created.IsZero() {
			field("created", md.Created.Format(time.RFC3339))
		}
		field("notes", md.Notes)
		if m.Optimizer != nil {
			field("checkpoint", fmt.Sprintf("yes (optimiser at step %d)", m.Optimizer.Steps()))
		}
	}
	return status
}
