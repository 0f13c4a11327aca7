package picture_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/image/tiff"

	"diabolo/app/picture"
)

func TestFormatFromPath(t *testing.T) {
	tests := []struct {
		path     string
		want     picture.Format
		wantText string // part of the error; "" for success
	}{
		{"a/photo.png", picture.PNG, ""},
		{"photo.PNG", picture.PNG, ""},
		{"photo.jpg", picture.JPEG, ""},
		{"photo.JPeG", picture.JPEG, ""},
		{"photo.tif", picture.TIFF, ""},
		{"photo.TIFF", picture.TIFF, ""},
		{"photo.webp", 0, "photo.webp: cannot write .webp files"},
		{"photo.png.bak", 0, "cannot write .bak files"},
		{"photo", 0, "photo: no file extension"},
		{"dir.png/photo", 0, "no file extension"},
	}
	for _, tt := range tests {
		got, err := picture.FormatFromPath(tt.path)
		if got != tt.want {
			t.Errorf("FormatFromPath(%q) = %v, want %v", tt.path, got, tt.want)
		}
		if (err != nil) != (tt.wantText != "") || err != nil && !strings.Contains(err.Error(), tt.wantText) {
			t.Errorf("FormatFromPath(%q) error = %v, want one saying %q", tt.path, err, tt.wantText)
		}
	}
}

func TestFormatExtensionRoundTrips(t *testing.T) {
	for _, f := range []picture.Format{picture.PNG, picture.JPEG, picture.TIFF} {
		got, err := picture.FormatFromPath("photo" + f.Extension())
		if err != nil || got != f {
			t.Errorf("FormatFromPath(photo%s) = %v, %v; want %v", f.Extension(), got, err, f)
		}
	}
	if ext := picture.Format(0).Extension(); ext != "" {
		t.Errorf("extension of the zero Format = %q, want none", ext)
	}
}

// randomImage returns a w×h image of random values, with random alpha when
// withAlpha.
func randomImage(seed uint64, w, h int, withAlpha bool) *picture.Image {
	rng := rand.New(rand.NewPCG(seed, seed))
	m := picture.New(w, h)
	for i := range m.Pix {
		m.Pix[i] = rng.Float32()
	}
	if withAlpha {
		m.Alpha = make([]float32, w*h)
		for i := range m.Alpha {
			m.Alpha[i] = rng.Float32()
		}
	}
	return m
}

// grayImage returns a random Gray image: three equal planes.
func grayImage(seed uint64, w, h int) *picture.Image {
	m := randomImage(seed, w, h, false)
	copy(m.Plane(1), m.Plane(0))
	copy(m.Plane(2), m.Plane(0))
	m.Gray = true
	return m
}

// maxDifference returns the largest difference between the colour and
// alpha values of a and b.
func maxDifference(t *testing.T, a, b *picture.Image) float64 {
	t.Helper()
	if !a.SameSize(b) || (a.Alpha == nil) != (b.Alpha == nil) {
		t.Fatalf("%d×%d image (alpha %v) against %d×%d (alpha %v)", a.Width, a.Height, a.Alpha != nil, b.Width, b.Height, b.Alpha != nil)
	}
	worst := 0.0
	for _, pair := range [][2][]float32{{a.Pix, b.Pix}, {a.Alpha, b.Alpha}} {
		for i := range pair[0] {
			d := float64(pair[0][i] - pair[1][i])
			worst = max(worst, d, -d)
		}
	}
	return worst
}

func TestEncodeRoundTrips(t *testing.T) {
	smooth := picture.FromImage(cellsImage(16, 255)) // flat, block-aligned cells for JPEG
	tests := []struct {
		name     string
		img      *picture.Image
		opts     picture.EncodeOptions
		tol      float64
		wantType string // the image type the standard decoder returns
	}{
		{"PNG 8-bit", randomImage(1, 7, 5, false), picture.EncodeOptions{Format: picture.PNG}, 0.5 / 255, "*image.RGBA"},
		{"PNG 8-bit alpha", randomImage(2, 7, 5, true), picture.EncodeOptions{Format: picture.PNG}, 0.5 / 255, "*image.NRGBA"},
		{"PNG 16-bit", randomImage(3, 7, 5, false), picture.EncodeOptions{Format: picture.PNG, Bits16: true}, 0.5 / 0xffff, "*image.RGBA64"},
		{"PNG 16-bit alpha", randomImage(4, 7, 5, true), picture.EncodeOptions{Format: picture.PNG, Bits16: true}, 0.5 / 0xffff, "*image.NRGBA64"},
		{"PNG gray", grayImage(5, 7, 5), picture.EncodeOptions{Format: picture.PNG}, 0.5 / 255, "*image.Gray"},
		{"PNG gray 16-bit", grayImage(6, 7, 5), picture.EncodeOptions{Format: picture.PNG, Bits16: true}, 0.5 / 0xffff, "*image.Gray16"},
		{"TIFF 8-bit", randomImage(7, 7, 5, false), picture.EncodeOptions{Format: picture.TIFF}, 0.5 / 255, "*image.NRGBA"},
		{"TIFF 16-bit alpha", randomImage(8, 7, 5, true), picture.EncodeOptions{Format: picture.TIFF, Bits16: true}, 0.5 / 0xffff, "*image.NRGBA64"},
		{"TIFF gray", grayImage(9, 7, 5), picture.EncodeOptions{Format: picture.TIFF}, 0.5 / 255, "*image.Gray"},
		{"TIFF gray 16-bit", grayImage(10, 7, 5), picture.EncodeOptions{Format: picture.TIFF, Bits16: true}, 0.5 / 0xffff, "*image.Gray16"},
		{"JPEG", smooth, picture.EncodeOptions{Format: picture.JPEG}, 0.04, "*image.YCbCr"},
		{"JPEG gray", picture.FromImage(grayOf(cellsImage(8, 255))), picture.EncodeOptions{Format: picture.JPEG, Quality: 100}, 0.01, "*image.Gray"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := picture.Encode(&buf, tt.img, tt.opts); err != nil {
				t.Fatal(err)
			}
			var std image.Image
			var err error
			switch tt.opts.Format {
			case picture.PNG:
				std, err = png.Decode(bytes.NewReader(buf.Bytes()))
			case picture.JPEG:
				std, err = jpeg.Decode(bytes.NewReader(buf.Bytes()))
			case picture.TIFF:
				std, err = tiff.Decode(bytes.NewReader(buf.Bytes()))
			}
			if err != nil {
				t.Fatalf("standard decoder: %v", err)
			}
			if got := typeName(std); got != tt.wantType {
				t.Errorf("written as %s, want %s", got, tt.wantType)
			}
			got := mustDecode(t, buf.Bytes())
			if d := maxDifference(t, got, tt.img); d > tt.tol {
				t.Errorf("round trip differs by %.3g, want at most %.3g", d, tt.tol)
			}
			if got.Gray != tt.img.Gray {
				t.Errorf("Gray = %v after the round trip, want %v", got.Gray, tt.img.Gray)
			}
		})
	}
}

// typeName returns the Go type of m, such as "*image.RGBA".
func typeName(m image.Image) string {
	switch m.(type) {
	case *image.RGBA:
		return "*image.RGBA"
	case *image.NRGBA:
		return "*image.NRGBA"
	case *image.RGBA64:
		return "*image.RGBA64"
	case *image.NRGBA64:
		return "*image.NRGBA64"
	case *image.Gray:
		return "*image.Gray"
	case *image.Gray16:
		return "*image.Gray16"
	case *image.YCbCr:
		return "*image.YCbCr"
	}
	return "another type"
}

func TestEncodeJPEGDropsAlpha(t *testing.T) {
	m := picture.FromImage(cellsImage(8, 255))
	m.Alpha = make([]float32, m.Width*m.Height) // fully transparent
	var buf bytes.Buffer
	if err := picture.Encode(&buf, m, picture.EncodeOptions{Format: picture.JPEG, Quality: 95}); err != nil {
		t.Fatal(err)
	}
	compareImage(t, mustDecode(t, buf.Bytes()), cellsImage(8, 255), 0.04)
}

func TestEncodeJPEGQuality(t *testing.T) {
	m := randomImage(11, 64, 64, false)
	size := func(quality int) int {
		var buf bytes.Buffer
		if err := picture.Encode(&buf, m, picture.EncodeOptions{Format: picture.JPEG, Quality: quality}); err != nil {
			t.Fatal(err)
		}
		return buf.Len()
	}
	low, def, high := size(10), size(0), size(100)
	if !(low < def && def < high) {
		t.Errorf("sizes at quality 10, default (92) and 100: %d, %d, %d; want increasing", low, def, high)
	}
	if at92 := size(picture.DefaultJPEGQuality); at92 != def {
		t.Errorf("quality 0 gives %d bytes, quality %d gives %d; want the same", def, picture.DefaultJPEGQuality, at92)
	}
}

func TestEncodeErrors(t *testing.T) {
	good := randomImage(12, 4, 3, false)
	exif := exifPayload(binary.BigEndian, 6)
	tests := []struct {
		name     string
		img      *picture.Image
		opts     picture.EncodeOptions
		wantText string
	}{
		{"no format", good, picture.EncodeOptions{}, "no output format"},
		{"unknown format", good, picture.EncodeOptions{Format: 42}, "no output format chosen (Format(42))"},
		{"quality 101", good, picture.EncodeOptions{Format: picture.JPEG, Quality: 101}, "quality 101 is outside 1–100"},
		{"quality -1", good, picture.EncodeOptions{Format: picture.JPEG, Quality: -1}, "quality -1"},
		{"EXIF without header", good, picture.EncodeOptions{Format: picture.JPEG, EXIF: exif[6:]}, "does not start with the Exif header"},
		{"EXIF too large", good, picture.EncodeOptions{Format: picture.JPEG, EXIF: append(bytes.Clone(exif), make([]byte, 70000)...)}, "does not fit a JPEG segment"},
		{"short Pix", &picture.Image{Width: 4, Height: 3, Pix: make([]float32, 35)}, picture.EncodeOptions{Format: picture.PNG}, "malformed 4×3 image"},
		{"short Alpha", &picture.Image{Width: 4, Height: 3, Pix: make([]float32, 36), Alpha: make([]float32, 11)}, picture.EncodeOptions{Format: picture.PNG}, "malformed"},
		{"no pixels", &picture.Image{}, picture.EncodeOptions{Format: picture.TIFF}, "malformed 0×0 image"},
		{"nil image", nil, picture.EncodeOptions{Format: picture.PNG}, "no image"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := picture.Encode(&buf, tt.img, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error = %v, want one saying %q", err, tt.wantText)
			}
			if buf.Len() != 0 {
				t.Errorf("%d bytes written despite the error", buf.Len())
			}
		})
	}
}

// segment is a JPEG segment: its marker and its payload.
type segment struct {
	marker  byte
	payload []byte
}

// jpegWithSegments returns a small JPEG file of cellsImage(8, 255) with the
// given segments after its start-of-image marker, in order.
func jpegWithSegments(t *testing.T, segments ...segment) []byte {
	t.Helper()
	j := encodeJPEG(t, cellsImage(8, 255), 80)
	for _, s := range slices.Backward(segments) {
		j = withSegment(j, s.marker, s.payload)
	}
	return j
}

func TestReadEXIF(t *testing.T) {
	exif := exifPayload(binary.LittleEndian, 3)
	jfif := []byte("JFIF\x00\x01\x02\x00\x00\x01\x00\x01\x00\x00")
	xmp := []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta/>")
	withEXIF := jpegWithSegments(t, segment{0xe0, jfif}, segment{0xe1, xmp}, segment{0xe1, exif})
	tests := []struct {
		name     string
		data     []byte
		want     []byte
		wantText string // part of the error; "" for none
	}{
		{"EXIF first", jpegWithSegments(t, segment{0xe1, exif}), exif, ""},
		{"EXIF after JFIF and XMP", withEXIF, exif, ""},
		{"fill bytes before a marker", append([]byte{0xff, 0xd8, 0xff, 0xff, 0xff}, withEXIF[3:]...), exif, ""},
		{"no EXIF", jpegWithSegments(t, segment{0xe0, jfif}), nil, ""},
		{"EXIF in APP2 does not count", jpegWithSegments(t, segment{0xe2, exif}), nil, ""},
		{"PNG", hugePNG(1, 1), nil, "not a JPEG file"},
		{"empty", nil, nil, "not a JPEG file"},
		// SOI, the JFIF and XMP segments, then 10 bytes of the EXIF segment.
		{"cut inside EXIF", withEXIF[:2+4+len(jfif)+4+len(xmp)+4+10], nil, "truncated JPEG header"},
		{"bad segment length", []byte{0xff, 0xd8, 0xff, 0xe1, 0x00, 0x01}, nil, "segment 0xe1 has length 1"},
		{"garbage instead of a marker", []byte{0xff, 0xd8, 0x12}, nil, "where a marker should start"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := picture.ReadEXIF(bytes.NewReader(tt.data))
			if (err != nil) != (tt.wantText != "") || err != nil && !strings.Contains(err.Error(), tt.wantText) {
				t.Fatalf("error = %v, want one saying %q", err, tt.wantText)
			}
			if !bytes.Equal(got, tt.want) || (got == nil) != (tt.want == nil) {
				t.Errorf("EXIF = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEncodeEmbedsUprightEXIF(t *testing.T) {
	// A photo shot sideways: decoding turns it, so the copy of its EXIF
	// written with the upright pixels must say "upright", or viewers would
	// turn it again.
	stored := cellsImage(8, 255) // as jpegWithSegments writes
	exif := exifPayload(binary.BigEndian, 6)
	original := jpegWithSegments(t, segment{0xe1, exif})
	m := mustDecode(t, original)
	if m.Width != stored.Rect.Dy() || m.Height != stored.Rect.Dx() {
		t.Fatalf("decoded %d×%d, want the %d×%d photo turned", m.Width, m.Height, stored.Rect.Dx(), stored.Rect.Dy())
	}
	gotEXIF, err := picture.ReadEXIF(bytes.NewReader(original))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := picture.Encode(&buf, m, picture.EncodeOptions{Format: picture.JPEG, EXIF: gotEXIF}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(gotEXIF, exif) {
		t.Error("Encode changed the EXIF block it was given")
	}
	written, err := picture.ReadEXIF(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	want := exifPayload(binary.BigEndian, 1)
	if !bytes.Equal(written, want) {
		t.Errorf("written EXIF = %q, want %q", written, want)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte{0xff, 0xd8, 0xff, 0xe1}) {
		t.Errorf("file starts % x, want the APP1 segment right after SOI", buf.Bytes()[:4])
	}
	again := mustDecode(t, buf.Bytes())
	if d := maxDifference(t, again, m); d > 0.04 {
		t.Errorf("re-decoded image differs by %.3g (turned again?)", d)
	}
}

func TestSave(t *testing.T) {
	img := randomImage(13, 6, 4, false)
	tests := []struct {
		name      string
		file      string
		existing  bool
		opts      picture.SaveOptions
		wantErr   error  // nil: success unless wantText
		wantText  string // part of the error
		wantMagic string // start of the written file
	}{
		{"PNG from extension", "out.png", false, picture.SaveOptions{}, nil, "", "\x89PNG"},
		{"TIFF from extension", "out.TIF", false, picture.SaveOptions{}, nil, "", "II*\x00"},
		{"JPEG from extension", "out.jpeg", false, picture.SaveOptions{}, nil, "", "\xff\xd8"},
		{"format overrides extension", "out.png", false, picture.SaveOptions{EncodeOptions: picture.EncodeOptions{Format: picture.JPEG}}, nil, "", "\xff\xd8"},
		{"existing refused", "out.png", true, picture.SaveOptions{}, picture.ErrExists, "out.png: file already exists", ""},
		{"existing replaced", "out.png", true, picture.SaveOptions{Overwrite: true}, nil, "", "\x89PNG"},
		{"unknown extension", "out.gif", false, picture.SaveOptions{}, nil, "out.gif: cannot write .gif files", ""},
		{"bad quality", "out.jpg", false, picture.SaveOptions{EncodeOptions: picture.EncodeOptions{Quality: 300}}, nil, "out.jpg: JPEG quality 300", ""},
		{"bad quality, existing", "out.jpg", true, picture.SaveOptions{EncodeOptions: picture.EncodeOptions{Quality: 300}, Overwrite: true}, nil, "out.jpg: JPEG quality 300", ""},
	}
	const oldContent = "old content"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, tt.file)
			if tt.existing {
				if err := os.WriteFile(path, []byte(oldContent), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			err := picture.Save(path, img, tt.opts)
			failing := tt.wantErr != nil || tt.wantText != ""
			if (err != nil) != failing {
				t.Fatalf("error = %v, want failure %v", err, failing)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %q is not %q", err, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), filepath.Join(dir, tt.wantText)) {
				t.Errorf("error %q does not say %q", err, filepath.Join(dir, tt.wantText))
			}
			data, readErr := os.ReadFile(path)
			switch {
			case failing && tt.existing:
				if string(data) != oldContent {
					t.Errorf("existing file changed to %q", data)
				}
			case failing:
				if !errors.Is(readErr, fs.ErrNotExist) {
					t.Errorf("a file was written despite the error")
				}
			case !strings.HasPrefix(string(data), tt.wantMagic):
				t.Errorf("file starts %q, want %q", data[:min(len(data), 4)], tt.wantMagic)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) > 1 {
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Errorf("folder holds %q: temporary files left behind", names)
			}
		})
	}
}

func TestSaveRefusalWrapsFSErrExist(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.png")
	img := randomImage(14, 2, 2, false)
	if err := picture.Save(path, img, picture.SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	err := picture.Save(path, img, picture.SaveOptions{})
	if !errors.Is(err, fs.ErrExist) || !errors.Is(err, picture.ErrExists) {
		t.Errorf("error %v wraps neither fs.ErrExist nor ErrExists", err)
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	dir := t.TempDir()
	img := randomImage(15, 9, 7, true)
	for _, name := range []string{"a.png", "a.tiff"} {
		path := filepath.Join(dir, name)
		if err := picture.Save(path, img, picture.SaveOptions{EncodeOptions: picture.EncodeOptions{Bits16: true}}); err != nil {
			t.Fatal(err)
		}
		got, err := picture.Load(path, picture.DecodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if d := maxDifference(t, got, img); d > 0.5/0xffff {
			t.Errorf("%s: round trip differs by %.3g", name, d)
		}
	}
	if names, _ := os.ReadDir(dir); len(names) != 2 {
		t.Errorf("folder holds %d files, want 2", len(names))
	}
}
