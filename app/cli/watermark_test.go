package cli

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"diabolo/app/atomicfile"
	"diabolo/app/metrics"
	"diabolo/app/noise"
	"diabolo/app/picture"
	"diabolo/app/watermark"
	"diabolo/assets"
	"diabolo/convae"
	"diabolo/internal/synthetic"
)

// identityWatermarkModel saves a watermark model with a mask input whose
// output layer is zero, so that it returns its input: what comes out is
// what collection mode and the mask do alone.
func identityWatermarkModel(t *testing.T, dir string) string {
	t.Helper()
	spec := convae.UNetSpec("tiny-wm", convae.UNetConfig{Width: 4, Levels: 1, Blocks: 1, Unshuffle: true, NoiseLevel: true})
	net, err := convae.NewNet(spec, 1)
	if err != nil {
		t.Fatal(err)
	}
	clear(net.Param("out.weight"))
	clear(net.Param("out.bias"))
	path := filepath.Join(dir, "wm.dae")
	m := &convae.Model{Net: net, Meta: convae.Metadata{Task: "watermark"}}
	if err := atomicfile.Write(path, 0o644, m.Save); err != nil {
		t.Fatal(err)
	}
	return path
}

// markedCollection writes n varied photos of w×h carrying one mark at the
// same place, and returns their paths and clean versions.
func markedCollection(t *testing.T, dir string, n, w, h int) ([]string, []*picture.Image) {
	t.Helper()
	gen, err := watermark.NewGenerator(watermark.Options{Content: watermark.Logo, Layout: watermark.Single, Opacity: noise.Fixed(0.5)})
	if err != nil {
		t.Fatal(err)
	}
	mark := gen.Render(w, h, rand.New(rand.NewPCG(7, 7)))
	var paths []string
	var clean []*picture.Image
	for k := range n {
		img := synthetic.Photo(w, h, uint64(k))
		img.Quantize()
		clean = append(clean, img.Clone())
		if err := mark.Apply(img); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, "photo"+string(rune('a'+k))+".png")
		if err := picture.Save(p, img, picture.SaveOptions{}); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths, clean
}

func TestRemoveWatermarkCollectionMode(t *testing.T) {
	dir := t.TempDir()
	model := identityWatermarkModel(t, dir)
	paths, clean := markedCollection(t, dir, 12, 96, 64)
	out := filepath.Join(dir, "out")
	code, stdout, stderr := run(append([]string{"remove-watermark", "--model", model, "--collection", "-o", out}, paths...)...)
	if code != 0 {
		t.Fatalf("code %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "shared watermark found in 12 photos") {
		t.Errorf("stderr does not report the shared mark: %q", stderr)
	}
	var before, after float64
	for i, p := range paths {
		marked, err := picture.Load(p, picture.DecodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(p), ".png") + "_clean.png"
		res, err := picture.Load(filepath.Join(out, name), picture.DecodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		before += metrics.PSNR(marked, clean[i]) / float64(len(paths))
		after += metrics.PSNR(res, clean[i]) / float64(len(paths))
	}
	if after < before+8 {
		t.Errorf("collection mode: %.1f dB before, %.1f dB after; want 8 dB better", before, after)
	}
	t.Logf("collection mode: %.1f dB before, %.1f dB after", before, after)
}

func TestRemoveWatermarkBadInputs(t *testing.T) {
	dir := t.TempDir()
	model := identityWatermarkModel(t, dir)
	a, b := filepath.Join(dir, "a.png"), filepath.Join(dir, "b.png")
	writePNG(t, a, 40, 30)
	writePNG(t, b, 41, 30)
	smallMask := filepath.Join(dir, "mask.png")
	writePNG(t, smallMask, 8, 8)
	cases := []struct {
		name    string
		args    []string
		code    int
		mention string
	}{
		{"mask of another size", []string{"--mask", smallMask, "-o", filepath.Join(dir, "o1.png"), a}, 1, "a.png: the mask has 64 pixels, the 40×30 picture 1200"},
		{"unreadable mask", []string{"--mask", filepath.Join(dir, "none.png"), "-o", filepath.Join(dir, "o2.png"), a}, 1, "none.png"},
		{"collection of one", []string{"--collection", "-o", filepath.Join(dir, "o3"), a}, 1, "two or more photos"},
		{"collection of two sizes", []string{"--collection", "-o", filepath.Join(dir, "o4"), a, b}, 1, "b.png: 41×30, but"},
	}
	for _, c := range cases {
		code, _, stderr := run(append([]string{"remove-watermark", "--model", model}, c.args...)...)
		if code != c.code || !strings.Contains(stderr, c.mention) {
			t.Errorf("%s: code %d, stderr %q; want %d and %q", c.name, code, stderr, c.code, c.mention)
		}
	}
	if code, _, stderr := run("denoise", "--mask", smallMask, "-o", filepath.Join(dir, "o5.png"), a); code != 2 {
		t.Errorf("denoise --mask: code %d, stderr %q; want a usage error", code, stderr)
	}
}

func TestEvalWatermark(t *testing.T) {
	dir := t.TempDir()
	model := identityWatermarkModel(t, dir)
	data := filepath.Join(dir, "photos")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	_, _ = markedCollection(t, data, 10, 96, 64) // their marks do not matter: eval marks the photos itself
	mean := regexp.MustCompile(`(?m)^mean of 10 \S+ +([0-9.]+) +([0-9.]+) +[0-9.]+ +([0-9.]+) +([0-9.]+) +(\S+)`)

	code, stdout, stderr := run("eval", "--task", "watermark", "--model", model, "--data", data, "--noise", "watermark:logo,single,0.6")
	if code != 0 || !strings.Contains(stdout, "mark in dB") {
		t.Fatalf("eval: code %d\n%s\n%s", code, stdout, stderr)
	}
	m := mean.FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("no mean row:\n%s", stdout)
	}
	// The identity model changes nothing: output equals input, inside the
	// marks too, and outside them nothing differs from the clean photo.
	if m[1] != m[2] || m[3] != m[4] || m[5] != "+Inf" {
		t.Errorf("identity model: noisy/output %s/%s, inside %s/%s, outside %s; want equal pairs and +Inf outside", m[1], m[2], m[3], m[4], m[5])
	}

	code, stdout, stderr = run("eval", "--task", "watermark", "--model", model, "--data", data, "--noise", "watermark:logo,single,0.6", "--collection")
	if code != 0 {
		t.Fatalf("eval --collection: code %d\n%s\n%s", code, stdout, stderr)
	}
	if m = mean.FindStringSubmatch(stdout); m == nil {
		t.Fatalf("no mean row:\n%s", stdout)
	}
	if before, after := parseFloat(t, m[3]), parseFloat(t, m[4]); after < before+8 {
		t.Errorf("collection mode inside the mark: %.1f dB before, %.1f after; want 8 dB better", before, after)
	}
	if code, _, stderr = run("eval", "--task", "watermark", "--model", model, "--data", data, "--noise", "gaussian:25", "--collection"); code != 2 || !strings.Contains(stderr, "--collection needs a watermark") {
		t.Errorf("--collection with noise: code %d, stderr %q", code, stderr)
	}
}

func parseFloat(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// maskAdderModel saves a watermark model that adds 0.3 wherever its brush
// mask is painted and changes nothing else.
func maskAdderModel(t *testing.T, dir string) string {
	t.Helper()
	m, err := synthetic.MaskAdder(0.3, 0)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "adder.dae")
	if err := atomicfile.Write(path, 0o644, m.Save); err != nil {
		t.Fatal(err)
	}
	return path
}

// eval --brush paints every mark's footprint for the model: a model that
// changes what is painted then changes the marks, and nothing else.
func TestEvalWatermarkBrush(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "photos")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	_, _ = markedCollection(t, data, 3, 64, 48)
	model := maskAdderModel(t, dir)
	mean := regexp.MustCompile(`(?m)^mean of 3 \S+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +([0-9.]+) +([0-9.]+) +(\S+)`)
	for _, c := range []struct {
		brush   bool
		changed bool
	}{{false, false}, {true, true}} {
		args := []string{"eval", "--task", "watermark", "--model", model, "--data", data, "--noise", "watermark:logo,single,0.6"}
		if c.brush {
			args = append(args, "--brush")
		}
		code, stdout, stderr := run(args...)
		m := mean.FindStringSubmatch(stdout)
		if code != 0 || m == nil {
			t.Fatalf("eval (brush %v): code %d\n%s\n%s", c.brush, code, stdout, stderr)
		}
		if changed := m[1] != m[2]; changed != c.changed {
			t.Errorf("brush %v: inside the marks %s dB before, %s after; want changed=%v", c.brush, m[1], m[2], c.changed)
		}
		// Outside the marks, only the painted margin may change.
		if !c.brush && m[3] != "+Inf" {
			t.Errorf("without a brush the pixels outside the marks changed: %s dB", m[3])
		}
	}
}

// --brush-margin widens the paint around each mark: a model that changes
// what is painted changes more of the pixels outside the marks.
func TestEvalBrushMargin(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "photos")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	_, _ = markedCollection(t, data, 2, 64, 48)
	model := maskAdderModel(t, dir)
	outside := regexp.MustCompile(`(?m)^mean of 2 \S+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +(\S+)`)
	var psnr []float64
	for _, margin := range []string{"0", "3", "8"} {
		code, stdout, stderr := run("eval", "--task", "watermark", "--model", model, "--data", data,
			"--noise", "watermark:logo,single,0.6", "--brush", "--brush-margin", margin)
		m := outside.FindStringSubmatch(stdout)
		if code != 0 || m == nil {
			t.Fatalf("eval --brush-margin %s: code %d\n%s\n%s", margin, code, stdout, stderr)
		}
		v, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			t.Fatal(err)
		}
		psnr = append(psnr, v)
	}
	if !(psnr[0] > psnr[1] && psnr[1] > psnr[2]) {
		t.Errorf("PSNR outside the marks with margins 0, 3, 8: %v; want it falling as the paint widens", psnr)
	}
}

// Without any watermark model, --collection still takes the shared mark
// off and --mask fills the painted pixels, each saying that no network
// polishes; without either, the missing model is named.
func TestRemoveWatermarkWithoutModel(t *testing.T) {
	if _, err := assets.Model("watermark"); err == nil {
		t.Skip("a watermark model is bundled: the fallback is not reached")
	}
	dir := t.TempDir()
	paths, _ := markedCollection(t, dir, 8, 64, 48)
	code, _, stderr := run(append([]string{"remove-watermark", "--collection", "-o", filepath.Join(dir, "out")}, paths...)...)
	if code != 0 || !strings.Contains(stderr, "without a network to polish") {
		t.Errorf("code %d, stderr %q; want success and a note that no network polishes", code, stderr)
	}

	// A painted square is filled; the rest of the photo is kept exactly.
	in, err := picture.Load(paths[0], picture.DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	painted := func(x, y int) bool { return x >= 20 && x < 30 && y >= 10 && y < 20 }
	maskImg := picture.New(64, 48)
	for y := range 48 {
		for x := range 64 {
			if painted(x, y) {
				for c := range picture.Channels {
					maskImg.Plane(c)[y*64+x] = 1
				}
			}
		}
	}
	maskPath := filepath.Join(dir, "mask.png")
	if err := picture.Save(maskPath, maskImg, picture.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	filled := filepath.Join(dir, "filled.png")
	code, _, stderr = run("remove-watermark", "--mask", maskPath, "-o", filled, paths[0])
	if code != 0 || !strings.Contains(stderr, "without a network to polish") {
		t.Fatalf("--mask: code %d, stderr %q; want success and the note", code, stderr)
	}
	out, err := picture.Load(filled, picture.DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	changed := 0
	for i, v := range out.Pix {
		x, y := i%64, (i/64)%48
		switch {
		case !painted(x, y) && v != in.Pix[i]:
			t.Fatalf("unpainted pixel (%d, %d) changed from %g to %g", x, y, in.Pix[i], v)
		case painted(x, y) && v != in.Pix[i]:
			changed++
		}
	}
	if changed == 0 {
		t.Error("the painted square was not filled")
	}
	if code, _, stderr = run("remove-watermark", "-o", filepath.Join(dir, "o.png"), paths[0]); code != 1 || !strings.Contains(stderr, "no bundled model") {
		t.Errorf("without --collection: code %d, stderr %q; want the missing model named", code, stderr)
	}
}
