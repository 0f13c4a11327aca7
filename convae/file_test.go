package convae

import (
	"bytes"
	"encoding/binary"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// savedModel returns a small trained-looking model and its file bytes.
func savedModel(t testing.TB, withAdam bool) (*Model, []byte) {
	t.Helper()
	net, err := NewNet(RefSpec(4), 3)
	if err != nil {
		t.Fatal(err)
	}
	m := &Model{Net: net, Meta: Metadata{Task: "denoise", Noise: "gaussian:0-50", Steps: 1234, Data: "432 photos", ValPSNR: 31.5,
		Created: time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)}}
	if withAdam {
		m.Optimizer = NewAdam(2e-4, len(net.Params()))
		g := make([]float32, len(net.Params()))
		for i := range g {
			g[i] = float32(i%7) - 3
		}
		m.Optimizer.Step(net.Params(), g)
	}
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	return m, buf.Bytes()
}

func TestModelRoundTrip(t *testing.T) {
	for _, withAdam := range []bool{false, true} {
		m, data := savedModel(t, withAdam)
		got, err := Load(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		if !slices.Equal(got.Net.Params(), m.Net.Params()) {
			t.Error("parameters differ after a round trip")
		}
		if got.Meta != m.Meta {
			t.Errorf("metadata %+v, want %+v", got.Meta, m.Meta)
		}
		if got.Net.Spec().Name != "ref" || got.Net.Spec().NumParams() != m.Net.Spec().NumParams() {
			t.Errorf("spec %+v differs", got.Net.Spec())
		}
		if (got.Optimizer != nil) != withAdam {
			t.Fatalf("optimizer restored = %v, want %v", got.Optimizer != nil, withAdam)
		}
		if withAdam {
			gm, gv, gs := got.Optimizer.State()
			wm, wv, ws := m.Optimizer.State()
			if gs != ws || !slices.Equal(gm, wm) || !slices.Equal(gv, wv) || got.Optimizer.LR != m.Optimizer.LR {
				t.Error("optimizer state differs after a round trip")
			}
		}
	}
}

func TestLoadRejectsBadFiles(t *testing.T) {
	_, good := savedModel(t, false)
	hlen := int(binary.LittleEndian.Uint32(good[12:]))
	mutate := func(f func(b []byte) []byte) []byte { return f(slices.Clone(good)) }
	setHeader := func(hdr string) []byte {
		b := []byte(fileMagic)
		b = binary.LittleEndian.AppendUint32(b, FileVersion)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(hdr)))
		return append(b, hdr...)
	}
	cases := []struct {
		name string
		data []byte
		want error
		msg  string
	}{
		{"empty", nil, ErrNotModel, "not a Diabolo model"},
		{"text", []byte("hello, this is a text file and not a model"), ErrNotModel, ""},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), ErrNotModel, ""},
		{"wrong version", mutate(func(b []byte) []byte { b[8] = 9; return b }), ErrVersion, "version 9"},
		{"truncated preamble", good[:11], ErrCorrupt, "preamble"},
		{"huge header length", mutate(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[12:], 1<<31); return b }), ErrCorrupt, "header of"},
		{"truncated header", good[:16+hlen/2], ErrCorrupt, "truncated header"},
		{"truncated values", good[:16+hlen+100], ErrCorrupt, "truncated after"},
		{"no checksum", good[:len(good)-2], ErrCorrupt, "checksum"},
		{"flipped weight byte", mutate(func(b []byte) []byte { b[16+hlen+40] ^= 0x10; return b }), ErrCorrupt, "checksum mismatch"},
		{"bad json", setHeader("{not json"), ErrCorrupt, "header"},
		{"unknown field", setHeader(`{"spec":{},"bogus":1}`), ErrCorrupt, "bogus"},
		{"absurd channels", setHeader(`{"spec":{"name":"x","in":3,"out":3,"ops":[{"op":"conv","name":"a","out":1000000,"k":3,"p":1}]}}`), ErrBadSpec, "outside limits"},
		{"too many params", setHeader(`{"spec":{"name":"x","in":4096,"out":4096,"ops":[{"op":"conv","name":"a","out":4096,"k":15,"p":7}]}}`), ErrBadSpec, "more than"},
		{"param table mismatch", setHeader(`{"spec":{"name":"x","in":3,"out":3,"ops":[{"op":"conv","name":"a","out":3,"k":3,"p":1}]},"params":[],"values":84}`), ErrCorrupt, "0 parameter tensors"},
		{"claims many values", setHeader(`{"spec":{"name":"x","in":3,"out":3,"ops":[{"op":"conv","name":"a","out":3,"k":3,"p":1}]},"params":[{"name":"a.weight","shape":[3,3,3,3]},{"name":"a.bias","shape":[3]}],"values":84}`), ErrCorrupt, "truncated after 0 of 84"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Load(bytes.NewReader(c.data))
			if err == nil {
				t.Fatalf("Load accepted a bad file: %+v", m.Meta)
			}
			if !errors.Is(err, c.want) {
				t.Errorf("error %q does not wrap %q", err, c.want)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q does not mention %q", err, c.msg)
			}
		})
	}
}

// TestLoadEveryTruncation cuts a model file at every length: each must fail
// cleanly.
func TestLoadEveryTruncation(t *testing.T) {
	_, good := savedModel(t, true)
	step := max(1, len(good)/2000)
	for n := 0; n < len(good); n += step {
		if _, err := Load(bytes.NewReader(good[:n])); err == nil {
			t.Fatalf("a file cut at %d of %d bytes loaded", n, len(good))
		}
	}
}

func FuzzLoad(f *testing.F) {
	m, good := savedModel(f, false)
	f.Add(good)
	f.Add(good[:40])
	m.Half = true
	var half bytes.Buffer
	if err := m.Save(&half); err != nil {
		f.Fatal(err)
	}
	f.Add(half.Bytes())
	f.Add([]byte(fileMagic + "\x01\x00\x00\x00\x05\x00\x00\x00{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Load(bytes.NewReader(data))
		if err != nil {
			return
		}
		// Whatever loads must save again and load to the same values.
		var buf bytes.Buffer
		if err := m.Save(&buf); err != nil {
			t.Fatalf("re-save: %v", err)
		}
		again, err := Load(&buf)
		if err != nil {
			t.Fatalf("reload: %v", err)
		}
		if !slices.Equal(again.Net.Params(), m.Net.Params()) {
			t.Fatal("reloaded parameters differ")
		}
	})
}
