package restore

import (
	"context"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"diabolo/app/picture"
	"diabolo/app/watermark"
	"diabolo/convae"
	"diabolo/internal/synthetic"
)

// identityModel returns a residual net whose last convolution is zero, so
// it returns its input exactly.
func identityModel(t *testing.T, levelInput bool) *convae.Model {
	t.Helper()
	spec := convae.UNetSpec("id", convae.UNetConfig{Width: 4, Levels: 1, Blocks: 1, NoiseLevel: levelInput})
	net, err := convae.NewNet(spec, 1)
	if err != nil {
		t.Fatal(err)
	}
	clear(net.Param("out.weight"))
	clear(net.Param("out.bias"))
	return &convae.Model{Net: net}
}

func gradient(w, h int, alpha bool) *picture.Image {
	img := picture.New(w, h)
	for i := range img.Pix {
		img.Pix[i] = float32(i%97) / 97
	}
	if alpha {
		img.Alpha = make([]float32, w*h)
		for i := range img.Alpha {
			img.Alpha[i] = float32(i%5) / 4
		}
	}
	return img
}

func TestRestoreKeepsSizeAndAlpha(t *testing.T) {
	for _, level := range []bool{false, true} {
		r, err := New(identityModel(t, level))
		if err != nil {
			t.Fatal(err)
		}
		if r.TakesNoiseLevel() != level {
			t.Errorf("TakesNoiseLevel = %v, want %v", r.TakesNoiseLevel(), level)
		}
		in := gradient(37, 23, true)
		calls := 0
		out, err := r.Restore(context.Background(), in, Options{Sigma: 10, Tile: convae.TileOptions{Tile: 16}}, func(float64) { calls++ })
		if err != nil {
			t.Fatal(err)
		}
		if out.Width != 37 || out.Height != 23 || len(out.Alpha) != len(in.Alpha) {
			t.Fatalf("output %d×%d with %d alpha values", out.Width, out.Height, len(out.Alpha))
		}
		for i := range in.Pix {
			if math.Abs(float64(out.Pix[i]-in.Pix[i])) > 1e-5 {
				t.Fatalf("identity model changed value %d: %g → %g", i, in.Pix[i], out.Pix[i])
			}
		}
		for i := range in.Alpha {
			if out.Alpha[i] != in.Alpha[i] {
				t.Fatal("alpha changed")
			}
		}
		if calls < 2 {
			t.Errorf("progress called %d times", calls)
		}
	}
}

func TestRestoreStrengthMixes(t *testing.T) {
	m := identityModel(t, false)
	// Make the model darken everything by 0.1: out = x - (0·… + 0.1).
	for i, b := 0, m.Net.Param("out.bias"); i < len(b); i++ {
		b[i] = 0.1
	}
	r, _ := New(m)
	in := gradient(8, 8, false)
	for i := range in.Pix {
		in.Pix[i] = 0.5
	}
	for _, c := range []struct{ strength, want float64 }{{0, 0.4}, {1, 0.4}, {0.5, 0.45}, {2, 0.3}} {
		out, err := r.Restore(context.Background(), in, Options{Strength: c.strength}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := float64(out.Pix[10]); math.Abs(got-c.want) > 1e-5 {
			t.Errorf("strength %g: %g, want %g", c.strength, got, c.want)
		}
	}
}

// With Passes, a denoising model's output is the network's self-ensemble
// (convae.Net.InferSelfEnsemble) with the noise level estimated once; a
// watermark model runs once whatever Passes asks; sizes other than 1, 2,
// 4 and 8 are refused.
func TestRestorePasses(t *testing.T) {
	spec := convae.UNetSpec("den", convae.UNetConfig{Width: 4, Levels: 1, Blocks: 1, NoiseLevel: true})
	net, err := convae.NewNet(spec, 9)
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(&convae.Model{Net: net})
	if err != nil {
		t.Fatal(err)
	}
	const w, h, sigma = 23, 17, 20
	in := gradient(w, h, false)
	planes := []convae.Plane{{Values: in.Pix[:w*h]}, {Values: in.Pix[w*h : 2*w*h]}, {Values: in.Pix[2*w*h:]}, {Fill: sigma / 255.0}}
	ctx := context.Background()
	once, err := r.Restore(ctx, in, Options{Sigma: sigma}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, passes := range []int{2, 4, 8} {
		out, err := r.Restore(ctx, in, Options{Sigma: sigma, Passes: passes}, nil)
		if err != nil {
			t.Fatal(err)
		}
		want, err := net.InferSelfEnsemble(ctx, planes, h, w, convae.TileOptions{}, passes, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range want {
			want[i] = min(1, max(0, want[i]))
			if math.Abs(float64(out.Pix[i]-want[i])) > 1e-6 {
				t.Fatalf("%d passes, value %d: %g, want the self-ensemble's %g", passes, i, out.Pix[i], want[i])
			}
		}
		if slices.Equal(out.Pix, once.Pix) {
			t.Errorf("%d passes give what one pass gives", passes)
		}
	}
	if _, err := r.Restore(ctx, in, Options{Passes: 3}, nil); err == nil || !strings.Contains(err.Error(), "passes: 3: want 1, 2, 4 or 8") {
		t.Errorf("3 passes: %v", err)
	}

	// The same network as a watermark model (its fourth input a mask):
	// flips would change its output, but it runs once.
	marks, err := New(&convae.Model{Net: net, Meta: convae.Metadata{Task: taskWatermark}})
	if err != nil {
		t.Fatal(err)
	}
	plain, err := marks.Restore(ctx, in, Options{Untouched: -1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	four, err := marks.Restore(ctx, in, Options{Untouched: -1, Passes: 4}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(plain.Pix, four.Pix) {
		t.Error("a watermark model gave another result with 4 passes")
	}
}

func TestNewRejectsNonPhotoModels(t *testing.T) {
	spec := convae.Spec{Name: "gray", In: 1, Out: 1, Ops: []convae.Op{{Kind: convae.OpConv, Name: "c", Out: 1, Kernel: 3, Pad: 1}}}
	net, err := convae.NewNet(spec, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(&convae.Model{Net: net}); err == nil || !strings.Contains(err.Error(), "maps 1 channels to 1") {
		t.Errorf("error %v", err)
	}
}

func TestBatchOutputs(t *testing.T) {
	dir := t.TempDir()
	r, _ := New(identityModel(t, false))
	a, b := filepath.Join(dir, "a.png"), filepath.Join(dir, "b.tif")
	for _, p := range []string{a, b} {
		if err := picture.Save(p, gradient(12, 9, false), picture.SaveOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	jpeg := picture.JPEG
	cases := []struct {
		name    string
		inputs  []string
		opts    BatchOptions
		outputs []string
		errs    []string
	}{
		{"folder keeps formats", []string{a, b}, BatchOptions{Output: filepath.Join(dir, "out1"), Suffix: "_x"},
			[]string{"out1/a_x.png", "out1/b_x.tif"}, []string{"", ""}},
		{"forced JPEG", []string{a}, BatchOptions{Output: filepath.Join(dir, "out2"), Suffix: "_x", Format: &jpeg},
			[]string{"out2/a_x.jpg"}, []string{""}},
		{"single file", []string{a}, BatchOptions{Output: filepath.Join(dir, "single.png")},
			[]string{"single.png"}, []string{""}},
		{"never the input", []string{a}, BatchOptions{Output: a},
			[]string{"a.png"}, []string{"overwrite the input"}},
		{"existing output", []string{a}, BatchOptions{Output: filepath.Join(dir, "single.png")},
			[]string{"single.png"}, []string{"single.png"}},
		{"missing input", []string{filepath.Join(dir, "nope.png"), a}, BatchOptions{Output: filepath.Join(dir, "out3")},
			[]string{"out3/nope.png", "out3/a.png"}, []string{"nope.png", ""}},
	}
	for _, c := range cases {
		res := Batch(context.Background(), r, c.inputs, c.opts, nil)
		for i, want := range c.outputs {
			if got := res[i].Output; got != filepath.Join(dir, want) {
				t.Errorf("%s: output %d is %s, want %s", c.name, i, got, want)
			}
			if c.errs[i] == "" {
				if res[i].Err != nil {
					t.Errorf("%s: %v", c.name, res[i].Err)
				} else if _, err := os.Stat(res[i].Output); err != nil {
					t.Errorf("%s: %v", c.name, err)
				}
			} else if res[i].Err == nil || !strings.Contains(res[i].Err.Error(), c.errs[i]) {
				t.Errorf("%s: error %v, want one mentioning %q", c.name, res[i].Err, c.errs[i])
			}
		}
	}
	// One input and an output named like a picture that cannot be written:
	// an error, not a folder of that name.
	webp := filepath.Join(dir, "single.webp")
	res := Batch(context.Background(), r, []string{a}, BatchOptions{Output: webp}, nil)
	if res[0].Err == nil || !strings.Contains(res[0].Err.Error(), "cannot write .webp files") {
		t.Errorf("output %s: error %v, want one saying WebP cannot be written", webp, res[0].Err)
	}
	if _, err := os.Stat(webp); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("output %s: %v, want nothing created", webp, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res = Batch(ctx, r, []string{a}, BatchOptions{Output: filepath.Join(dir, "out4")}, nil)
	if !errors.Is(res[0].Err, context.Canceled) {
		t.Errorf("cancelled batch: %v", res[0].Err)
	}
}

// markModel returns a watermark model that reads a brush mask: it adds 0.4
// where the mask is painted and a faint 0.25/255 everywhere.
func markModel(t *testing.T) *convae.Model {
	t.Helper()
	m, err := synthetic.MaskAdder(0.4, 0.25/255)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestRestoreWatermarkReadsTheMaskAndKeepsTheRest(t *testing.T) {
	r, err := New(markModel(t))
	if err != nil {
		t.Fatal(err)
	}
	if !r.TakesMask() || r.TakesNoiseLevel() {
		t.Fatalf("TakesMask %v, TakesNoiseLevel %v; want a mask and no noise level", r.TakesMask(), r.TakesNoiseLevel())
	}
	const w, h = 24, 20
	in := picture.New(w, h)
	for i := range in.Pix {
		in.Pix[i] = 0.2 + 0.3*float32(i%13)/13
	}
	mask := make([]float32, w*h)
	for y := 8; y < 12; y++ {
		for x := 10; x < 14; x++ {
			mask[y*w+x] = 1
		}
	}
	// distance is the Chebyshev distance from (x, y) to the painted square.
	distance := func(x, y int) int {
		dx := max(10-x, x-13, 0)
		dy := max(8-y, y-11, 0)
		return max(dx, dy)
	}
	cases := []struct {
		name string
		opts Options
		want func(x, y int, v float32) float32
	}{
		{"nothing painted: the faint change is dropped", Options{Sigma: 30},
			func(x, y int, v float32) float32 { return v }},
		{"nothing painted, gate off", Options{Untouched: -1},
			func(x, y int, v float32) float32 { return v + 0.25/255 }},
		{"painted square", Options{Mask: mask},
			func(x, y int, v float32) float32 {
				switch d := distance(x, y); {
				case d == 0:
					return v + 0.4 + 0.25/255
				case d <= keepRadius:
					return v + 0.25/255
				default:
					return v
				}
			}},
	}
	for _, c := range cases {
		out, err := r.Restore(context.Background(), in, c.opts, nil)
		if err != nil {
			t.Fatal(err)
		}
		for ch := 0; ch < 3; ch++ {
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					i := ch*w*h + y*w + x
					want := min(c.want(x, y, in.Pix[i]), 1)
					if math.Abs(float64(out.Pix[i]-want)) > 1e-6 {
						t.Fatalf("%s: (%d,%d) channel %d = %g, want %g", c.name, x, y, ch, out.Pix[i], want)
					}
				}
			}
		}
	}
	if _, err := r.Restore(context.Background(), in, Options{Mask: make([]float32, 7)}, nil); err == nil || !strings.Contains(err.Error(), "the mask has 7 pixels, the 24×20 picture 480") {
		t.Errorf("a mask of the wrong size gave %v", err)
	}
}

func TestMaskFromImage(t *testing.T) {
	opaque := picture.New(3, 1)
	copy(opaque.Pix, []float32{1, 0.2, 0.9, 1, 0.2, 0.9, 1, 0.2, 0.9}) // white, dark, light gray
	layer := picture.New(3, 1)
	layer.Alpha = []float32{0, 1, 0.7} // strokes on a transparent layer, whatever their colour
	cases := []struct {
		name string
		img  *picture.Image
		want []float32
	}{
		{"white on black", opaque, []float32{1, 0, 1}},
		{"strokes on a transparent layer", layer, []float32{0, 1, 1}},
	}
	for _, c := range cases {
		got := MaskFromImage(c.img)
		for i := range c.want {
			if got[i] != c.want[i] {
				t.Errorf("%s: mask %v, want %v", c.name, got, c.want)
				break
			}
		}
	}
}

// Collection mode: the shared mark comes off before the model runs, and its
// footprint is painted for the model; another size is refused.
func TestRestoreRemovesASharedMark(t *testing.T) {
	r, err := New(markModel(t))
	if err != nil {
		t.Fatal(err)
	}
	const w, h = 16, 12
	clean := picture.New(w, h)
	for i := range clean.Pix {
		clean.Pix[i] = 0.1 + 0.3*float32(i%5)/5
	}
	shared := &watermark.SharedMark{Mark: watermark.Mark{Width: w, Height: h,
		Alpha: make([]float32, w*h), Colour: make([]float32, 3*w*h)}}
	marked := 5*w + 5 // one marked pixel
	shared.Alpha[marked] = 0.5
	for c := 0; c < 3; c++ {
		shared.Colour[c*w*h+marked] = 1
	}
	img := clean.Clone()
	if err := shared.Apply(img); err != nil {
		t.Fatal(err)
	}
	out, err := r.Restore(context.Background(), img, Options{Shared: shared}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// markModel adds 0.4 where the mask is painted: over the mark's
	// footprint (sharedMargin around it); its faint change stays up to
	// keepRadius further, and nowhere else.
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := y*w + x
			want := clean.Pix[i]
			switch d := max(abs32(x-5), abs32(y-5)); {
			case d <= sharedMargin:
				want += 0.4 + 0.25/255
			case d <= sharedMargin+keepRadius:
				want += 0.25 / 255
			}
			if math.Abs(float64(out.Pix[i]-want)) > 1e-5 {
				t.Fatalf("(%d,%d) = %g, want %g", x, y, out.Pix[i], want)
			}
		}
	}
	if _, err := r.Restore(context.Background(), picture.New(w+1, h), Options{Shared: shared}, nil); err == nil || !strings.Contains(err.Error(), "estimated on 16×12 photos, this one is 17×12") {
		t.Errorf("a picture of another size gave %v", err)
	}
}

func abs32(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// Without a network, a Restorer takes a shared mark off and fills painted
// pixels from their surroundings, leaving the rest as it was; asked for
// neither, it says there is no network.
func TestWithoutNetwork(t *testing.T) {
	r := WithoutNetwork()
	if r.TakesMask() || r.TakesNoiseLevel() || r.Model() != nil {
		t.Error("a Restorer without a network claims inputs or a model")
	}
	img := gradient(8, 6, false)
	for _, opts := range []Options{{}, {Mask: make([]float32, 48)}} {
		if _, err := r.Restore(context.Background(), img, opts, nil); !errors.Is(err, ErrNoNetwork) {
			t.Errorf("mask %v, no shared mark: %v, want ErrNoNetwork", opts.Mask != nil, err)
		}
	}
	shared := &watermark.SharedMark{Mark: watermark.Mark{Width: 8, Height: 6, Alpha: make([]float32, 48), Colour: make([]float32, 3*48)}}
	shared.Alpha[10] = 0.5
	for c := 0; c < 3; c++ {
		shared.Colour[c*48+10] = 1
	}
	marked := img.Clone()
	if err := shared.Apply(marked); err != nil {
		t.Fatal(err)
	}
	out, err := r.Restore(context.Background(), marked, Options{Shared: shared}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range out.Pix {
		if math.Abs(float64(v-img.Pix[i])) > 1e-5 {
			t.Fatalf("value %d: %g after taking the mark off, want %g", i, v, img.Pix[i])
		}
	}

	// A painted pixel (spoiled here) is filled from its neighbours; the
	// others are returned exactly, with the mark taken off first.
	mask := make([]float32, 48)
	mask[27] = 1
	spoiled := marked.Clone()
	for c := 0; c < 3; c++ {
		spoiled.Pix[c*48+27] = 1
	}
	out, err = r.Restore(context.Background(), spoiled, Options{Shared: shared, Mask: mask}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for c := 0; c < 3; c++ {
		p := img.Plane(c)
		want := (p[26] + p[28] + p[19] + p[35]) / 4
		if got := out.Plane(c)[27]; math.Abs(float64(got-want)) > 1e-4 {
			t.Errorf("channel %d: painted pixel %g, want its neighbours' mean %g", c, got, want)
		}
		for i, v := range out.Plane(c) {
			if i != 27 && math.Abs(float64(v-p[i])) > 1e-5 {
				t.Fatalf("channel %d value %d: %g, want %g", c, i, v, p[i])
			}
		}
	}
}

// Under painted marks, an unblending model's opacity is kept and the
// colour of each painted region is fitted to the picture: two marks of
// different colours come off a smooth picture almost exactly, though the
// model predicts neither colour, and unpainted pixels stay as they were.
func TestRestoreFitsTheColourOfPaintedMarks(t *testing.T) {
	const w, h, opacity = 40, 30, 0.5
	m, err := synthetic.MaskUnblender(opacity, [3]float32{0.5, 0.5, 0.5})
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(m)
	if err != nil {
		t.Fatal(err)
	}
	n := w * h
	clean := picture.New(w, h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			for c := 0; c < 3; c++ {
				clean.Pix[c*n+y*w+x] = 0.2 + 0.01*float32(x) + 0.004*float32(y*(c+1))
			}
		}
	}
	marks := []struct {
		x0, y0, x1, y1 int
		colour         [3]float32
	}{
		{4, 5, 14, 12, [3]float32{0.9, 0.2, 0.1}},
		{22, 14, 34, 25, [3]float32{0.1, 0.3, 0.8}},
	}
	marked := clean.Clone()
	mask := make([]float32, n)
	for _, mk := range marks {
		for y := mk.y0; y < mk.y1; y++ {
			for x := mk.x0; x < mk.x1; x++ {
				i := y*w + x
				mask[i] = 1
				for c := 0; c < 3; c++ {
					marked.Pix[c*n+i] = (1-opacity)*clean.Pix[c*n+i] + opacity*mk.colour[c]
				}
			}
		}
	}
	out, err := r.Restore(context.Background(), marked, Options{Mask: mask}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for c := 0; c < 3; c++ {
		for i := 0; i < n; i++ {
			want := clean.Pix[c*n+i]
			if mask[i] == 0 {
				want = marked.Pix[c*n+i]
			}
			// Within 2.5 levels of 8 bits: the refined opacity (see
			// refineOpacity) flattens the ramp a little at the marks'
			// corners (2.2 levels at most).
			if d := math.Abs(float64(out.Pix[c*n+i] - want)); d > 2.5/255 {
				t.Fatalf("pixel (%d,%d) channel %d: %g, want %g (painted %v)", i%w, i/w, c, out.Pix[c*n+i], want, mask[i] == 1)
			}
		}
	}
}

// Under a wide stroke of paint, pixels the network finds unmarked come
// back exactly as they were, and the fill only bridges the marks' thin
// strokes, not the whole painted region: on a textured picture the marked
// pixels come back close to the clean ones.
func TestPaintedGapsComeBack(t *testing.T) {
	const w, h = 48, 40
	n := w * h
	clean := picture.New(w, h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			for c := 0; c < 3; c++ {
				// Red stays at or below 0.4, where the model sees no mark.
				clean.Pix[c*n+y*w+x] = 0.3 + 0.1*float32(math.Sin(0.5*float64(x)+float64(c))*math.Cos(0.4*float64(y)))
			}
		}
	}
	// A nearly opaque red mark, two one-pixel lines, under a wide box of
	// paint.
	const opacity = convae.UnblendMaxOpacity
	red := [3]float32{1, 0, 0}
	marked := clean.Clone()
	mask := make([]float32, n)
	stroke := make([]bool, n)
	for y := 6; y < 34; y++ {
		for x := 8; x < 40; x++ {
			i := y*w + x
			mask[i] = 1
			if y == 20 && x >= 12 && x < 36 || x == 24 && y >= 10 && y < 30 {
				stroke[i] = true
				for c := 0; c < 3; c++ {
					marked.Pix[c*n+i] = (1-opacity)*clean.Pix[c*n+i] + opacity*red[c]
				}
			}
		}
	}
	// A model that sees a mark of the greatest opacity wherever red is
	// above 0.7 and none elsewhere, and predicts a grey colour.
	m, err := synthetic.MaskUnblender(0.5, [3]float32{0.5, 0.5, 0.5})
	if err != nil {
		t.Fatal(err)
	}
	const sharpness = 200
	weight, bias := m.Net.Param("marks.weight"), m.Net.Param("marks.bias")
	weight[0], weight[3] = sharpness, 0
	bias[0] = convae.UnblendOffset - sharpness*0.7
	m.Meta.Brush = true
	r, err := New(m)
	if err != nil {
		t.Fatal(err)
	}
	out, err := r.Restore(context.Background(), marked, Options{Mask: mask}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var strokeErr float64
	for i := 0; i < n; i++ {
		nearStroke := false
		for _, j := range []int{i, i - 1, i + 1, i - w, i + w, i - w - 1, i - w + 1, i + w - 1, i + w + 1} {
			nearStroke = nearStroke || j >= 0 && j < n && stroke[j]
		}
		for c := 0; c < 3; c++ {
			d := float64(out.Pix[c*n+i] - clean.Pix[c*n+i])
			switch {
			case stroke[i]:
				strokeErr += d * d
			case !nearStroke && math.Abs(d) > 1e-6:
				t.Fatalf("pixel (%d,%d) channel %d, unmarked: %g, want %g (painted %v)", i%w, i/w, c, out.Pix[c*n+i], clean.Pix[c*n+i], mask[i] == 1)
			}
		}
	}
	strokes := 0
	for _, s := range stroke {
		if s {
			strokes++
		}
	}
	if rms := math.Sqrt(strokeErr / float64(3*strokes)); rms > 0.025 {
		t.Errorf("RMS error on the mark's pixels %.4f, want at most 0.025", rms)
	} else {
		t.Logf("RMS error on the mark's pixels %.4f", rms)
	}
}

func TestPaintedRegions(t *testing.T) {
	const w, h = 6, 4
	grid := []float32{
		1, 1, 0, 0, 0, 1,
		0, 0, 1, 0, 0, 1,
		0, 0, 0, 0, 0, 0,
		1, 0.4, 0, 0, 0.6, 0.6,
	}
	want := []int32{
		0, 0, -1, -1, -1, 1,
		-1, -1, 0, -1, -1, 1,
		-1, -1, -1, -1, -1, -1,
		2, -1, -1, -1, 3, 3,
	}
	labels, regions := paintedRegions(grid, w, h)
	if regions != 4 || !slices.Equal(labels, want) {
		t.Errorf("paintedRegions = %v, %d regions; want %v, 4", labels, regions, want)
	}
}

// A model for painted marks refuses a picture with nothing painted, with
// an error that says what to do, and works once a mark is painted.
func TestBrushModelNeedsAMask(t *testing.T) {
	r := unblender(t, true)
	if !r.NeedsMask() {
		t.Fatal("NeedsMask = false for a brush model")
	}
	img := gradient(12, 10, false)
	if _, err := r.Restore(context.Background(), img, Options{}, nil); !errors.Is(err, ErrNeedsMask) {
		t.Errorf("nothing painted: error %v, want ErrNeedsMask", err)
	}
	mask := make([]float32, 12*10)
	mask[5*12+6] = 1
	if _, err := r.Restore(context.Background(), img, Options{Mask: mask}, nil); err != nil {
		t.Errorf("one pixel painted: %v", err)
	}
	plain, _ := New(markModel(t))
	if plain.NeedsMask() {
		t.Error("NeedsMask = true for a model trained without brush")
	}
}

// A model for painted marks leaves every unpainted pixel exactly as it was,
// even where its network sees a mark; other unblending models take such
// marks off.
func TestBrushModelKeepsUnpaintedPixels(t *testing.T) {
	const w, h = 16, 12
	img := gradient(w, h, false)
	mask := make([]float32, w*h)
	mask[5*w+6] = 1
	for _, brush := range []bool{false, true} {
		m, err := synthetic.MaskUnblender(0.5, [3]float32{0.9, 0.9, 0.9})
		if err != nil {
			t.Fatal(err)
		}
		// An opacity of 0.5 everywhere, painted or not.
		m.Net.Param("marks.weight")[3] = 0
		m.Net.Param("marks.bias")[0] = convae.UnblendOffset + float32(math.Log(0.5/(convae.UnblendMaxOpacity-0.5)))
		m.Meta.Brush = brush
		r, err := New(m)
		if err != nil {
			t.Fatal(err)
		}
		out, err := r.Restore(context.Background(), img, Options{Mask: mask}, nil)
		if err != nil {
			t.Fatal(err)
		}
		changed := 0
		for i := range img.Pix {
			if p := i % (w * h); mask[p] == 0 && out.Pix[i] != min(img.Pix[i], 1) {
				changed++
			}
		}
		if brush && changed != 0 {
			t.Errorf("brush model: %d unpainted values changed, want none", changed)
		}
		if !brush && changed == 0 {
			t.Error("a model for any mark left the marks it sees outside the mask")
		}
	}
}

// In collection mode the shared mark's footprint is not a painted region:
// an unblending network polishes it with its own opacity and colour, no
// fitted colour and no fill mixed in.
func TestSharedMarkIsPolishedNotFilled(t *testing.T) {
	r := unblender(t, false)
	const w, h = 16, 12
	clean, img, shared := sharedMarkScene(t, w, h)
	out, err := r.Restore(context.Background(), img, Options{Shared: shared}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for c := 0; c < 3; c++ {
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				i := c*w*h + y*w + x
				want := clean.Pix[i]
				if max(abs32(x-5), abs32(y-5)) <= sharedMargin {
					want = max(0, (want-0.5*0.9)/0.5)
				}
				if math.Abs(float64(out.Pix[i]-want)) > 1e-4 {
					t.Fatalf("(%d,%d) channel %d = %g, want %g", x, y, c, out.Pix[i], want)
				}
			}
		}
	}
}

// A model for painted marks does not take the shared mark's footprint for
// paint: in collection mode it leaves the photo as the shared mark's
// removal left it, unless the user painted something.
func TestBrushModelLeavesTheSharedFootprint(t *testing.T) {
	r := unblender(t, true)
	const w, h = 16, 12
	clean, img, shared := sharedMarkScene(t, w, h)
	out, err := r.Restore(context.Background(), img, Options{Shared: shared}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range out.Pix {
		if math.Abs(float64(v-clean.Pix[i])) > 1e-5 {
			t.Fatalf("value %d = %g, want %g: the brush model changed the shared mark's footprint", i, v, clean.Pix[i])
		}
	}
	mask := make([]float32, w*h)
	mask[2*w+12] = 1
	out, err = r.Restore(context.Background(), img, Options{Shared: shared, Mask: mask}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range out.Pix {
		if p := i % (w * h); p != 2*w+12 && math.Abs(float64(v-clean.Pix[i])) > 1e-5 {
			t.Fatalf("value %d = %g, want %g: only the painted pixel may change", i, v, clean.Pix[i])
		}
	}
}

// sharedMarkScene returns a w×h picture, the same with a shared mark of
// opacity 0.5 and colour 0 at (5, 5) laid over it, and that mark.
func sharedMarkScene(t *testing.T, w, h int) (clean, marked *picture.Image, shared *watermark.SharedMark) {
	t.Helper()
	clean = picture.New(w, h)
	for i := range clean.Pix {
		clean.Pix[i] = 0.6 + 0.3*float32(i%5)/5
	}
	shared = &watermark.SharedMark{Mark: watermark.Mark{Width: w, Height: h,
		Alpha: make([]float32, w*h), Colour: make([]float32, 3*w*h)}}
	shared.Alpha[5*w+5] = 0.5
	marked = clean.Clone()
	if err := shared.Apply(marked); err != nil {
		t.Fatal(err)
	}
	return clean, marked, shared
}

// unblender returns a Restorer of synthetic.MaskUnblender(0.5, light grey),
// a model for painted marks when brush is set.
func unblender(t *testing.T, brush bool) *Restorer {
	t.Helper()
	m, err := synthetic.MaskUnblender(0.5, [3]float32{0.9, 0.9, 0.9})
	if err != nil {
		t.Fatal(err)
	}
	m.Meta.Brush = brush
	r, err := New(m)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
