package picture

import (
	"bytes"
	"testing"
)

// Hand-written TIFF structures: header, IFD0 at offset 8, entries, end.
const (
	leHeader = "II*\x00\x08\x00\x00\x00"
	beHeader = "MM\x00*\x00\x00\x00\x08"
	// leOrientation6 is a little-endian entry: Orientation, short, 1, 6.
	leOrientation6 = "\x12\x01\x03\x00\x01\x00\x00\x00\x06\x00\x00\x00"
	// beOrientation8 is a big-endian entry: Orientation, short, 1, 8.
	beOrientation8 = "\x01\x12\x00\x03\x00\x00\x00\x01\x00\x08\x00\x00"
	// leWidth is a little-endian entry: ImageWidth, long, 1, 640.
	leWidth = "\x00\x01\x04\x00\x01\x00\x00\x00\x80\x02\x00\x00"
	noNext  = "\x00\x00\x00\x00"
)

func TestTIFFOrientation(t *testing.T) {
	tests := []struct {
		name string
		data string
		want orientation
	}{
		{"little-endian short", leHeader + "\x01\x00" + leOrientation6 + noNext, rightTop},
		{"big-endian short", beHeader + "\x00\x01" + beOrientation8 + noNext, leftBottom},
		{"after another entry", leHeader + "\x02\x00" + leWidth + leOrientation6 + noNext, rightTop},
		{"long", leHeader + "\x01\x00" + "\x12\x01\x04\x00\x01\x00\x00\x00\x03\x00\x00\x00" + noNext, bottomRight},
		{"value 0", leHeader + "\x01\x00" + "\x12\x01\x03\x00\x01\x00\x00\x00\x00\x00\x00\x00" + noNext, topLeft},
		{"value 9", leHeader + "\x01\x00" + "\x12\x01\x03\x00\x01\x00\x00\x00\x09\x00\x00\x00" + noNext, topLeft},
		{"value 0x106 (6 plus a high byte)", leHeader + "\x01\x00" + "\x12\x01\x03\x00\x01\x00\x00\x00\x06\x01\x00\x00" + noNext, topLeft},
		{"ASCII type", leHeader + "\x01\x00" + "\x12\x01\x02\x00\x01\x00\x00\x00\x06\x00\x00\x00" + noNext, topLeft},
		{"two values", leHeader + "\x01\x00" + "\x12\x01\x03\x00\x02\x00\x00\x00\x06\x00\x06\x00" + noNext, topLeft},
		{"no orientation entry", leHeader + "\x01\x00" + leWidth + noNext, topLeft},
		{"count beyond the data", leHeader + "\xff\xff" + leOrientation6, rightTop},
		{"entry cut short", leHeader + "\x01\x00" + leOrientation6[:10], topLeft},
		{"IFD offset beyond the data", "II*\x00\xff\xff\xff\xff" + "\x01\x00" + leOrientation6, topLeft},
		{"IFD offset at the last byte", "II*\x00\x08\x00\x00\x00\x01", topLeft},
		{"IFD offset at the end", "II*\x00\x08\x00\x00\x00", topLeft},
		{"header only", "II*\x00", topLeft},
		{"wrong magic", "II+\x00\x08\x00\x00\x00" + "\x01\x00" + leOrientation6 + noNext, topLeft},
		{"empty", "", topLeft},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tiffOrientation([]byte(tt.data)); got != tt.want {
				t.Errorf("tiffOrientation = %d, want %d", got, tt.want)
			}
			if got := exifOrientation([]byte(exifHeader + tt.data)); got != tt.want {
				t.Errorf("exifOrientation = %d, want %d", got, tt.want)
			}
		})
	}
	if got := exifOrientation([]byte(leHeader + "\x01\x00" + leOrientation6 + noNext)); got != topLeft {
		t.Errorf("exifOrientation without the Exif header = %d, want 1", got)
	}
}

func TestUprightEXIF(t *testing.T) {
	tests := []struct {
		name string
		tiff string
	}{
		{"little-endian short", leHeader + "\x02\x00" + leWidth + leOrientation6 + noNext},
		{"big-endian short", beHeader + "\x00\x01" + beOrientation8 + noNext},
		{"long", leHeader + "\x01\x00" + "\x12\x01\x04\x00\x01\x00\x00\x00\x03\x00\x00\x00" + noNext},
		{"no orientation", leHeader + "\x01\x00" + leWidth + noNext},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exif := []byte(exifHeader + tt.tiff)
			orig := bytes.Clone(exif)
			up := uprightEXIF(exif)
			if !bytes.Equal(exif, orig) {
				t.Error("uprightEXIF changed its argument")
			}
			if got := exifOrientation(up); got != topLeft {
				t.Errorf("orientation after uprightEXIF = %d, want 1", got)
			}
			if len(up) != len(exif) {
				t.Fatalf("length %d, want %d", len(up), len(exif))
			}
			changed := 0
			for i := range up {
				if up[i] != exif[i] {
					changed++
				}
			}
			if want := min(1, int(exifOrientation(exif)-topLeft)); changed != want {
				t.Errorf("%d bytes changed, want %d", changed, want)
			}
		})
	}
}

// FuzzEXIFOrientation feeds arbitrary bytes to the EXIF readers, starting
// from the seeds in testdata/fuzz/FuzzEXIFOrientation (TIFF structures, an
// EXIF payload, a JPEG header, a TIFF file): they must never panic, must
// give a valid orientation, and uprightEXIF must leave a structure whose
// orientation reads 1 without touching its argument.
func FuzzEXIFOrientation(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		orig := bytes.Clone(data)
		for name, o := range map[string]orientation{
			"tiffOrientation": tiffOrientation(data),
			"exifOrientation": exifOrientation(data),
			"jpegOrientation": jpegOrientation(data),
		} {
			if !o.valid() {
				t.Fatalf("%s = %d, not an orientation", name, o)
			}
		}
		exif := append([]byte(exifHeader), data...)
		up := uprightEXIF(exif)
		if got := exifOrientation(up); got != topLeft {
			t.Fatalf("orientation after uprightEXIF = %d", got)
		}
		if len(up) != len(exif) {
			t.Fatalf("uprightEXIF changed the length from %d to %d", len(exif), len(up))
		}
		if !bytes.Equal(data, orig) {
			t.Fatal("the readers changed their input")
		}
	})
}
