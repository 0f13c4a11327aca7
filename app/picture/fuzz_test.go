package picture_test

import (
	"bytes"
	"testing"

	"diabolo/app/picture"
)

// fuzzMaxPixels keeps the images the fuzzer makes small.
const fuzzMaxPixels = 1 << 16

// FuzzDecode feeds arbitrary bytes to Decode, starting from the seed files in
// testdata/fuzz/FuzzDecode (small files of every format): it must return an
// error or a well-formed image within the limit, never panic.
func FuzzDecode(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := picture.Decode(bytes.NewReader(data), picture.DecodeOptions{MaxPixels: fuzzMaxPixels})
		if err != nil {
			if m != nil {
				t.Fatalf("an image and the error %v", err)
			}
			return
		}
		n := m.Width * m.Height
		if m.Width <= 0 || m.Height <= 0 || n > fuzzMaxPixels {
			t.Fatalf("decoded a %d×%d image with a limit of %d pixels", m.Width, m.Height, fuzzMaxPixels)
		}
		if len(m.Pix) != picture.Channels*n || (m.Alpha != nil && len(m.Alpha) != n) {
			t.Fatalf("%d×%d image with %d colour and %d alpha values", m.Width, m.Height, len(m.Pix), len(m.Alpha))
		}
		for _, plane := range [][]float32{m.Pix, m.Alpha} {
			for i, v := range plane {
				if !(v >= 0 && v <= 1) {
					t.Fatalf("value %d is %v, outside [0, 1]", i, v)
				}
			}
		}
	})
}
