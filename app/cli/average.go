package cli

import (
	"fmt"
	"strings"

	"diabolo/convae"
)

// runAverage writes a model whose parameters are the mean of those of
// several models of one network: the checkpoints of one training run,
// averaged, wander less than any one of them.
func runAverage(e *env, args []string) int {
	flags := newFlags(e, "average", "[FLAGS] MODEL MODEL... -o OUT\n\nOUT is the network of the MODELs (which must all be one network, trained for one task) with each parameter the mean of theirs, and the metadata of the last MODEL: average checkpoints taken during one training run, copied aside as it wrote them. OUT has no optimiser state: it cannot resume training.")
	out := flags.String("o", "", "output model file (required)")
	notes := flags.String("notes", "", "the notes of OUT (default: which models were averaged)")
	overwrite := flags.Bool("overwrite", false, "replace OUT if it exists")
	files, code, ok := parse(e, flags, args)
	if !ok {
		return code
	}
	switch {
	case len(files) < 2:
		return e.usageError("average", "give two model files or more, not %d", len(files))
	case *out == "":
		return e.usageError("average", "-o OUT is required")
	}
	var nets []*convae.Net
	var first, last *convae.Model
	for _, f := range files {
		m, err := loadModel(f, "")
		if err != nil {
			return e.fail("%v", err)
		}
		switch {
		case first == nil:
			first = m
		case !m.Net.Spec().Equal(first.Net.Spec()):
			return e.fail("%s: a different network (%s) from %s (%s): only models of one network can be averaged", f, m.Net.Spec().Name, files[0], first.Net.Spec().Name)
		case m.Meta.Task != first.Meta.Task:
			return e.fail("%s was trained for %s, %s for %s: only models of one task can be averaged", f, taskName(m.Meta.Task), files[0], taskName(first.Meta.Task))
		}
		nets = append(nets, m.Net)
		last = m
	}
	avg, err := convae.Average(nets)
	if err != nil {
		return e.fail("%v", err)
	}
	m := &convae.Model{Net: avg, Meta: last.Meta}
	// A validation score belongs to the model it was measured on.
	m.Meta.ValPSNR = 0
	m.Meta.Notes = *notes
	if *notes == "" {
		m.Meta.Notes = fmt.Sprintf("the average of %d models: %s", len(files), strings.Join(files, ", "))
	}
	if err := saveModel(m, *out, *overwrite); err != nil {
		return e.fail("%v", err)
	}
	fmt.Fprintf(e.stdout, "the average of %d models -> %s\n", len(files), *out)
	return exitOK
}
