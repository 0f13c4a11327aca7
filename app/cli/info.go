package cli

import (
	"fmt"

	"diabolo/app/models"
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
		// The window's Model info shows the same fields.
		fmt.Fprintln(e.stdout, f)
		for _, field := range models.Fields(m) {
			fmt.Fprintf(e.stdout, "  %-11s %s\n", field.Name, field.Value)
		}
	}
	return status
}
