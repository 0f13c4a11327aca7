package cli

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"diabolo/convae"
)

// average writes the mean of its models' parameters with the last one's
// metadata; it refuses models of different networks or tasks, and files
// that are not models, and writes nothing then.
func TestAverageCommand(t *testing.T) {
	dir := t.TempDir()
	spec := convae.UNetSpec("tiny", convae.UNetConfig{Width: 4, Levels: 1, Blocks: 1, Unshuffle: true, NoiseLevel: true})
	var paths []string
	var nets []*convae.Net
	for i, name := range []string{"a.dae", "b.dae", "c.dae"} {
		net, err := convae.NewNet(spec, uint64(i+1))
		if err != nil {
			t.Fatal(err)
		}
		nets = append(nets, net)
		paths = append(paths, writeModel(t, filepath.Join(dir, name), net, "denoise"))
	}
	out := filepath.Join(dir, "avg.dae")
	code, stdout, stderr := run(append([]string{"average", "-o", out}, paths...)...)
	if code != 0 || !strings.Contains(stdout, "the average of 3 models") {
		t.Fatalf("average: code %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	m, err := loadModel(out, "denoise")
	if err != nil {
		t.Fatal(err)
	}
	for i, got := range m.Net.Params() {
		want := (float64(nets[0].Params()[i]) + float64(nets[1].Params()[i]) + float64(nets[2].Params()[i])) / 3
		if math.Abs(float64(got)-want) > 1e-7 {
			t.Fatalf("parameter %d: %g, want %g", i, got, want)
		}
	}
	if m.Optimizer != nil || !strings.Contains(m.Meta.Notes, "the average of 3 models: "+paths[0]) {
		t.Errorf("the average carries optimiser state %v and notes %q, want none and the models averaged", m.Optimizer != nil, m.Meta.Notes)
	}

	other, err := convae.NewNet(convae.UNetSpec("wider", convae.UNetConfig{Width: 8, Levels: 1, Blocks: 1, Unshuffle: true, NoiseLevel: true}), 1)
	if err != nil {
		t.Fatal(err)
	}
	wider := writeModel(t, filepath.Join(dir, "wider.dae"), other, "denoise")
	watermark := writeModel(t, filepath.Join(dir, "wm.dae"), nets[0], "watermark")
	picture := filepath.Join(dir, "a.png")
	writePNG(t, picture, 16, 16)
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"one model", []string{paths[0]}, 2, "give two model files or more, not 1"},
		{"no output", []string{paths[0], paths[1]}, 2, "-o OUT is required"},
		{"two networks", []string{paths[0], wider}, 1, "wider.dae: a different network (wider) from " + paths[0] + " (tiny)"},
		{"two tasks", []string{paths[0], watermark}, 1, "wm.dae was trained for watermark removal"},
		{"a picture", []string{paths[0], picture}, 1, "a.png: not a Diabolo model"},
		{"a missing file", []string{paths[0], filepath.Join(dir, "gone.dae")}, 1, "gone.dae"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := filepath.Join(dir, "bad.dae")
			args := append([]string{"average"}, tc.args...)
			if tc.name != "no output" {
				args = append(args, "-o", o)
			}
			code, _, stderr := run(args...)
			if code != tc.code || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("code %d, stderr %q; want %d and %q", code, stderr, tc.code, tc.stderr)
			}
			if _, err := os.Stat(o); err == nil {
				t.Errorf("a failed average wrote %s", o)
			}
		})
	}
	code, _, stderr = run("average", "-o", out, paths[0], paths[1])
	if code != 1 || !strings.Contains(stderr, "exists: pass --overwrite") {
		t.Errorf("average onto an existing file: code %d, stderr %q", code, stderr)
	}
}
