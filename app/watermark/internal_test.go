package watermark

import (
	"image"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/image/font/sfnt"
	"gonum.org/v1/gonum/mat"

	"diabolo/app/picture"
)

// words returns the lower-case words of at least three letters that a
// vocabulary can write, drawing many texts from it.
func words(ws wordSet) map[string]bool {
	out := map[string]bool{}
	add := func(s string) {
		for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) }) {
			if len(w) >= 3 {
				out[w] = true
			}
		}
	}
	for _, s := range ws.stamps {
		add(s)
	}
	for _, s := range ws.names {
		add(s)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		add(ws.text(rng, rng.IntN(2) == 0))
	}
	return out
}

func TestHeldOutSetsAreDisjoint(t *testing.T) {
	fontNames := func(srcs []fontSource) []string {
		var names []string
		for _, s := range srcs {
			names = append(names, s.name)
		}
		return names
	}
	train, held := fontNames(trainingFonts()), fontNames(heldOutFonts())
	for _, name := range train {
		if slices.Contains(held, name) {
			t.Errorf("font %s is in both sets", name)
		}
	}
	for _, s := range trainingShapes() {
		if slices.Contains(heldOutShapes(), s) {
			t.Errorf("shape %v is in both sets", s)
		}
	}
	trainWords, heldWords := words(trainingWords()), words(heldOutWords())
	if len(trainWords) < 15 || len(heldWords) < 15 {
		t.Fatalf("vocabularies too small: %d and %d words", len(trainWords), len(heldWords))
	}
	for w := range trainWords {
		if heldWords[w] {
			t.Errorf("word %q is in both vocabularies", w)
		}
	}
	// Every font of the Go family is used by one set or the other.
	if n := len(train) + len(held); n != 12 {
		t.Errorf("%d fonts in the two sets, want the 12 Go fonts", n)
	}
}

func TestFontsHaveEveryGlyphOfTheirTexts(t *testing.T) {
	sets := []struct {
		fonts []fontSource
		words wordSet
	}{
		{trainingFonts(), trainingWords()},
		{heldOutFonts(), heldOutWords()},
	}
	for _, set := range sets {
		fonts, err := parseFonts(set.fonts)
		if err != nil {
			t.Fatal(err)
		}
		runes := map[rune]bool{}
		rng := rand.New(rand.NewPCG(3, 4))
		for range 3000 {
			for _, r := range set.words.text(rng, rng.IntN(2) == 0) + initials(rng) {
				runes[r] = true
			}
		}
		var buf sfnt.Buffer
		for _, f := range fonts {
			for r := range runes {
				if i, err := f.font.GlyphIndex(&buf, r); err != nil || (i == 0 && r != ' ') {
					t.Errorf("%s has no glyph for %q", f.name, r)
				}
			}
		}
	}
}

func TestCompositeEqualsSuccessiveBlends(t *testing.T) {
	// Two overlapping layers: the composite's single equivalent layer must
	// blend exactly as the two layers blended one after the other.
	under := newSprite(20, 10)
	over := newSprite(20, 10)
	for y := range 10 {
		for x := range 20 {
			under.a[y*20+x] = float32(x) / 19
			over.a[y*20+x] = float32(y) / 9
		}
	}
	layers := []layer{
		{sprite: under, colour: [3]float32{0.1, 0.9, 0.3}, opacity: 0.7},
		{sprite: over, colour: [3]float32{1, 0.2, 0.5}, opacity: 0.6, dx: 1.5, dy: -0.5},
	}
	tests := []placement{
		{cx: 15, cy: 12},
		{angle: 0.4, cx: 14.2, cy: 11.7},
		{angle: -0.7, cx: 3, cy: 4, tiled: true, cellW: 24, cellH: 13, stagger: 0.5},
	}
	for _, p := range tests {
		m := newMark(30, 24)
		m.composite(layers, p)
		m.finish()
		img := picture.New(30, 24)
		for i := range img.Pix {
			img.Pix[i] = float32(i%7) / 7
		}
		want := img.Clone()
		for _, l := range layers {
			single := newMark(30, 24)
			single.composite([]layer{l}, p)
			single.finish()
			if err := single.Apply(want); err != nil {
				t.Fatal(err)
			}
		}
		if err := m.Apply(img); err != nil {
			t.Fatal(err)
		}
		for i := range img.Pix {
			if d := math.Abs(float64(img.Pix[i] - want.Pix[i])); d > 1e-5 {
				t.Fatalf("placement %+v: value %d is %v, successive blends give %v", p, i, img.Pix[i], want.Pix[i])
			}
		}
	}
}

func TestSpriteSampling(t *testing.T) {
	s := newSprite(3, 2)
	copy(s.a, []float32{0, 0.5, 1, 1, 0.5, 0})
	tests := []struct {
		x, y float64
		want float32
	}{
		{0.5, 0.5, 0},    // pixel centre
		{2.5, 1.5, 0},    // pixel centre
		{1.5, 0.5, 0.5},  // pixel centre
		{1, 0.5, 0.25},   // between two centres
		{0.5, 1, 0.5},    // between two rows
		{1.5, 1, 0.5},    // middle
		{-0.5, 0.5, 0},   // half a pixel outside, towards a 0
		{3, 0.5, 0.5},    // half-way to the transparent outside
		{-2, 0.5, 0},     // far outside
		{1.5, 2.5, 0.0},  // below, fully outside
		{1.5, 2.0, 0.25}, // half-way below the last row
	}
	for _, tt := range tests {
		if got := s.at(tt.x, tt.y); math.Abs(float64(got-tt.want)) > 1e-6 {
			t.Errorf("at(%v, %v) = %v, want %v", tt.x, tt.y, got, tt.want)
		}
	}
	d := s.dilated(1)
	for i, v := range d.a {
		if v != 1 {
			t.Errorf("dilated 3×2 sprite has %v at %d, want 1 everywhere", v, i)
		}
	}
	b := s.blurred(1)
	if got, want := b.a[1], float32((0+0.5+1+1+0.5+0)/9); math.Abs(float64(got-want)) > 1e-6 {
		t.Errorf("blurred centre top %v, want %v", got, want)
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{2, 1}, 1.5},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 4, 4, 4}, 4},
		{[]float64{-1, 7, 0, 2, 9, 2}, 2},
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8}, 4.5},
	}
	for _, tt := range tests {
		if got := median(slices.Clone(tt.in)); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 500 {
		v := make([]float64, 1+rng.IntN(40))
		for i := range v {
			v[i] = math.Round(rng.NormFloat64() * 3) // with ties
		}
		sorted := slices.Sorted(slices.Values(v))
		k := rng.IntN(len(v))
		if got := selectNth(slices.Clone(v), k); got != sorted[k] {
			t.Fatalf("trial %d: selectNth(%v, %d) = %v, want %v", trial, v, k, got, sorted[k])
		}
	}
}

func TestConjugateGradientsMatchesDenseSolve(t *testing.T) {
	// A random sparse-ish SPD system, solved by CG and by gonum's Cholesky.
	const n = 30
	rng := rand.New(rand.NewPCG(7, 8))
	a := mat.NewSymDense(n, nil)
	for i := range n {
		a.SetSym(i, i, 4+rng.Float64())
		if i+1 < n {
			a.SetSym(i, i+1, -1+0.2*rng.Float64())
		}
		if i+5 < n {
			a.SetSym(i, i+5, -0.5*rng.Float64())
		}
	}
	b := make([]float64, n)
	for i := range b {
		b[i] = rng.NormFloat64()
	}
	diag := make([]float64, n)
	for i := range diag {
		diag[i] = a.At(i, i)
	}
	// Leave the last unknown out of the system: CG must not touch it.
	diag[n-1] = 0
	x := make([]float64, n)
	x[n-1] = 42
	apply := func(v, out []float64) {
		r := mat.NewVecDense(n, out)
		r.MulVec(a, mat.NewVecDense(n, v))
	}
	iters, rel := cgProblem{apply: apply, b: b, diag: diag}.solve(x, 1e-10, 200)
	if x[n-1] != 42 {
		t.Errorf("CG changed an unknown outside the system to %v", x[n-1])
	}
	// With x[n-1] fixed, compare the rest against the reduced dense solve.
	reduced := mat.NewSymDense(n-1, nil)
	rb := make([]float64, n-1)
	for i := range n - 1 {
		for j := i; j < n-1; j++ {
			reduced.SetSym(i, j, a.At(i, j))
		}
		rb[i] = b[i] - a.At(i, n-1)*42
	}
	var chol mat.Cholesky
	if !chol.Factorize(reduced) {
		t.Fatal("reduced matrix is not positive definite")
	}
	var want mat.VecDense
	if err := chol.SolveVecTo(&want, mat.NewVecDense(n-1, rb)); err != nil {
		t.Fatal(err)
	}
	for i := range n - 1 {
		if d := math.Abs(x[i] - want.AtVec(i)); d > 1e-8 {
			t.Fatalf("after %d iterations (residual %.1e): x[%d] = %v, Cholesky gives %v", iters, rel, i, x[i], want.AtVec(i))
		}
	}
}

func TestFillEnclosed(t *testing.T) {
	// A ring of set pixels with a hole, and a C shape open to the border.
	rows := []string{
		"..........",
		".####.....",
		".#..#.###.",
		".####.#...",
		"......###.",
		"..........",
	}
	want := []string{
		"..........",
		".####.....",
		".####.###.",
		".####.#...",
		"......###.",
		"..........",
	}
	s := newMap2D(rectOf(10, 6))
	for y, row := range rows {
		for x, c := range row {
			s.in[y*10+x] = c == '#'
		}
	}
	s.fillEnclosed()
	for y, row := range want {
		for x, c := range row {
			if s.in[y*10+x] != (c == '#') {
				t.Errorf("pixel (%d, %d) is %v, want %v", x, y, s.in[y*10+x], c == '#')
			}
		}
	}
}

// rectOf returns the rectangle [0, w)×[0, h).
func rectOf(w, h int) image.Rectangle {
	return image.Rect(0, 0, w, h)
}
