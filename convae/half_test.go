package convae

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestHalfKnownValues(t *testing.T) {
	cases := []struct {
		f float32
		h uint16
	}{
		{0, 0x0000},
		{float32(math.Copysign(0, -1)), 0x8000},
		{1, 0x3c00},
		{-2, 0xc000},
		{0.5, 0x3800},
		{65504, 0x7bff},                       // largest finite
		{65519, 0x7bff},                       // rounds down
		{65520, 0x7c00},                       // rounds to infinity
		{float32(math.Ldexp(1, -14)), 0x0400}, // smallest normal
		{float32(math.Ldexp(1, -24)), 0x0001}, // smallest subnormal
		{float32(math.Ldexp(1, -25)), 0x0000}, // a tie, to even: zero
		{float32(math.Ldexp(3, -26)), 0x0001}, // above the tie
		{float32(math.Ldexp(1023, -24)), 0x03ff},
		{1 + float32(math.Ldexp(1, -11)), 0x3c00}, // a tie between 0x3c00 and 0x3c01: even
		{1 + float32(math.Ldexp(3, -11)), 0x3c02}, // a tie between 0x3c01 and 0x3c02: even
		{0.1, 0x2e66},
		{float32(math.Inf(1)), 0x7c00},
	}
	for _, c := range cases {
		if got := toHalf(c.f); got != c.h {
			t.Errorf("toHalf(%g) = %#04x, want %#04x", c.f, got, c.h)
		}
	}
	if h := toHalf(float32(math.NaN())); h&0x7c00 != 0x7c00 || h&0x3ff == 0 {
		t.Errorf("toHalf(NaN) = %#04x, not a NaN", h)
	}
}

// Every finite half-precision value converts to float32 exactly and back
// to itself.
func TestHalfRoundTripsEveryValue(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		if h&0x7c00 == 0x7c00 {
			continue // infinities and NaNs
		}
		f := fromHalf(uint16(h))
		if got := toHalf(f); got != uint16(h) {
			t.Fatalf("toHalf(fromHalf(%#04x) = %g) = %#04x", h, f, got)
		}
		exp, frac := h>>10&0x1f, float64(h&0x3ff)
		want := math.Ldexp(1+frac/1024, exp-15)
		if exp == 0 {
			want = math.Ldexp(frac, -24)
		}
		if h&0x8000 != 0 {
			want = -want
		}
		if float64(f) != want {
			t.Fatalf("fromHalf(%#04x) = %g, want %g", h, f, want)
		}
	}
}

// toHalf picks the nearest half-precision value: no neighbour is closer.
func TestHalfRoundsToNearest(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		f := float32(math.Ldexp(rng.Float64()*2-1, rng.IntN(42)-26))
		h := toHalf(f)
		got := math.Abs(float64(fromHalf(h)) - float64(f))
		for _, n := range []uint16{h - 1, h + 1} {
			if n&0x7c00 == 0x7c00 || (n^h)&0x8000 != 0 {
				continue
			}
			if d := math.Abs(float64(fromHalf(n)) - float64(f)); d < got {
				t.Fatalf("toHalf(%g) = %#04x (off by %g), but %#04x is off by %g", f, h, got, n, d)
			}
		}
	}
}

// A half-precision model file is about half the size, loads with each
// parameter within half a unit of the last place, saves again to the same
// bytes, and refuses what it cannot hold.
func TestHalfModelFile(t *testing.T) {
	m, full := savedModel(t, false)
	m.Half = true
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	half := buf.Bytes()
	if v := binary.LittleEndian.Uint32(half[8:]); v != HalfFileVersion {
		t.Errorf("file version %d, want %d", v, HalfFileVersion)
	}
	if values := len(m.Net.Params()); len(full)-len(half) < 2*values-64 {
		t.Errorf("half file %d bytes, full %d: want about %d fewer", len(half), len(full), 2*values)
	}
	got, err := Load(bytes.NewReader(half))
	if err != nil {
		t.Fatal(err)
	}
	if !got.Half || got.Meta != m.Meta {
		t.Errorf("loaded Half %v, metadata %+v", got.Half, got.Meta)
	}
	for i, v := range got.Net.Params() {
		want := m.Net.Params()[i]
		if d := math.Abs(float64(v - want)); d > math.Abs(float64(want))*math.Ldexp(1, -11)+math.Ldexp(1, -25) {
			t.Fatalf("parameter %d: %g after a half-precision round trip, want %g", i, v, want)
		}
	}
	var again bytes.Buffer
	if err := got.Save(&again); err != nil || !bytes.Equal(again.Bytes(), half) {
		t.Errorf("re-saving a half-precision model: %v, same bytes %v", err, bytes.Equal(again.Bytes(), half))
	}
	for i := len(half) - 12; i > 16; i -= 997 {
		if _, err := Load(bytes.NewReader(half[:i])); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("half file cut at %d bytes: %v", i, err)
		}
	}

	big := &Model{Net: m.Net, Half: true}
	saved := m.Net.Params()[5]
	m.Net.Params()[5] = 1e5
	err = big.Save(&bytes.Buffer{})
	m.Net.Params()[5] = saved
	if err == nil || !strings.Contains(err.Error(), "beyond the half-precision range") {
		t.Errorf("saving 1e5 in half precision: %v", err)
	}
	ck, _ := savedModel(t, true)
	ck.Half = true
	if err := ck.Save(&bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "keeps full precision") {
		t.Errorf("saving a checkpoint in half precision: %v", err)
	}
	// A half-precision file that claims optimiser state is damaged.
	hlen := binary.LittleEndian.Uint32(half[12:])
	hdr := bytes.Replace(half[16:16+hlen], []byte(`"values"`), []byte(`"adam":{"LR":1,"Beta1":0.9,"Beta2":0.999,"Eps":1e-8,"WeightDecay":0,"Decoupled":false,"Step":1},"values"`), 1)
	forged := slices.Concat(half[:12], binary.LittleEndian.AppendUint32(nil, uint32(len(hdr))), hdr, half[16+hlen:])
	if _, err := Load(bytes.NewReader(forged)); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "optimiser state in a half-precision file") {
		t.Errorf("half file with optimiser state: %v", err)
	}
}
