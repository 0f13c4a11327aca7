package cli

import (
	"context"
	"fmt"

	"diabolo/convae"
)

func runBench(e *env, args []string) int {
	fs := newFlags(e, "bench", "[--preset NAME]\n\nPrints one line: params=… train_patches_per_s=… infer_mpix_per_s=…")
	preset := fs.String("preset", "ref", "architecture to measure: "+joinNames())
	cfg := convae.DefaultSpeedConfig()
	fs.IntVar(&cfg.Batch, "batch", cfg.Batch, "training batch size")
	fs.IntVar(&cfg.Patch, "patch", cfg.Patch, "training patch side")
	fs.IntVar(&cfg.Steps, "steps", cfg.Steps, "timed training steps")
	fs.IntVar(&cfg.InferSide, "infer", cfg.InferSide, "side of the inference image")
	fs.IntVar(&cfg.Workers, "threads", 0, "goroutines (default: one per CPU)")
	if rest, code, ok := parse(e, fs, args); !ok {
		return code
	} else if len(rest) > 0 {
		return e.usageError("bench", "unexpected argument %q", rest[0])
	}
	p, err := convae.LookupPreset(*preset)
	if err != nil {
		return e.usageError("bench", "%v", err)
	}
	res, err := convae.MeasureSpeed(context.Background(), p.Spec, cfg)
	if err != nil {
		return e.fail("bench: %v", err)
	}
	fmt.Fprintln(e.stdout, res)
	return exitOK
}
