// Package cli is Diabolo's command line: "diabolo COMMAND [FLAGS] [ARGS]".
// Every command reports bad input as one line on stderr naming the file and
// the problem, and returns a non-zero exit code; a batch goes on with its
// other inputs.
package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"

	"diabolo/app/models"
	"diabolo/assets"
	"diabolo/convae"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // the command ran and something failed
	exitUsage   = 2 // the command line itself is wrong
)

// command is one subcommand.
type command struct {
	summary string
	run     func(env *env, args []string) int
}

// env is what a command may use: its output streams.
type env struct {
	stdout, stderr io.Writer
}

// fail prints "diabolo: " and the message on stderr and returns exitFailure.
func (e *env) fail(format string, a ...any) int {
	fmt.Fprintf(e.stderr, "diabolo: "+format+"\n", a...)
	return exitFailure
}

// usageError prints the message and a hint and returns exitUsage.
func (e *env) usageError(cmd, format string, a ...any) int {
	fmt.Fprintf(e.stderr, "diabolo %s: %s\nRun 'diabolo %s --help' for usage.\n", cmd, fmt.Sprintf(format, a...), cmd)
	return exitUsage
}

func commands() map[string]command {
	return map[string]command{
		"denoise":          {"remove noise from photos", runDenoise},
		"remove-watermark": {"remove visible watermarks from photos", runRemoveWatermark},
		"train":            {"train a model on a folder of photos", runTrain},
		"eval":             {"measure a model's PSNR and SSIM on a folder of clean photos", runEval},
		"bench":            {"measure training and inference speed", runBench},
		"info":             {"describe a model file", runInfo},
		"pack":             {"write a model in half precision, for bundling or sharing", runPack},
		"average":          {"average the parameters of checkpoints of one training run", runAverage},
	}
}

// Main runs the command line with args (without the program name), writes
// normal output to stdout and diagnostics to stderr, and returns the
// process exit code: 0 on success, 1 on failure, 2 for a usage error.
func Main(args []string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr}
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			if c, ok := cmds[args[1]]; ok {
				return c.run(e, []string{"--help"})
			}
		}
		printUsage(stdout, cmds)
		return exitOK
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "diabolo: unknown command %q\n", args[0])
		printUsage(stderr, cmds)
		return exitUsage
	}
	return c.run(e, args[1:])
}

func printUsage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "Diabolo denoises photos and removes visible watermarks with a convolutional autoencoder.")
	fmt.Fprintln(w, "\nUsage:\n  diabolo                     open the window\n  diabolo open PATH...        open the window with these photos (files or folders)\n  diabolo COMMAND [FLAGS]     run headless\n\nCommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-18s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'diabolo COMMAND --help' for a command's flags.")
}

// newFlags returns a flag set for cmd whose usage text starts with synopsis.
func newFlags(e *env, cmd, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: diabolo %s %s\n\nFlags:\n", cmd, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// given reports whether the flag name was set on the command line.
func given(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// parse parses flags that may come before, between or after the positional
// arguments, and returns the positional ones. It returns ok false after
// printing help (code 0) or a usage error (code 2).
func parse(e *env, fs *flag.FlagSet, args []string) (positional []string, code int, ok bool) {
	var out bytes.Buffer
	fs.SetOutput(&out)
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(e.stdout)
				fs.Usage()
				return nil, exitOK, false
			}
			fmt.Fprint(e.stderr, out.String())
			return nil, exitUsage, false
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, 0, true
		}
		positional = append(positional, args[0])
		args = args[1:]
		if len(args) > 0 && args[0] == "--" {
			return append(positional, args[1:]...), 0, true
		}
	}
}

// loadModel reads a model file, or the bundled model for task when path is
// empty. A file trained for another task than task (when task is not
// empty) is refused: its fourth input channel means something else.
func loadModel(path, task string) (*convae.Model, error) {
	if path == "" {
		b, err := assets.Model(task)
		if err != nil {
			hint := "pass --model FILE"
			if task == "watermark" {
				hint += ", or --mask FILE (the painted marks are filled from their surroundings) or --collection"
			}
			return nil, fmt.Errorf("%w: %s", err, hint)
		}
		m, err := convae.Load(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("bundled %s model: %w", task, err)
		}
		return m, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	defer f.Close()
	m, err := convae.Load(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if t := m.Meta.Task; t != "" && task != "" && t != task {
		return nil, fmt.Errorf("%s was trained for %s, not %s", path, taskName(t), taskName(task))
	}
	return m, nil
}

// checkTask returns a message when task is neither denoise nor watermark.
func checkTask(task string) string {
	if !slices.Contains(models.Tasks(), task) {
		return fmt.Sprintf("unknown task %q (%s)", task, strings.Join(models.Tasks(), " or "))
	}
	return ""
}

// taskName says what a task does, and which command does it, for messages.
func taskName(task string) string {
	switch task {
	case models.Denoise:
		return "denoising (diabolo denoise)"
	case models.Watermark:
		return "watermark removal (diabolo remove-watermark)"
	}
	return fmt.Sprintf("task %q", task)
}
