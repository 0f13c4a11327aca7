package picture_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/color/palette"
	"image/draw"
	"image/gif"
	"image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"

	"diabolo/app/picture"
)

// encoded returns the bytes written by encode, or fails t.
func encoded(t *testing.T, encode func(*bytes.Buffer) error) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := encode(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// to16 returns m with 16 bits a sample, the low byte of each colour sample
// distinct from its high byte, so that a decoder keeping 8 bits shows.
func to16(m *image.NRGBA) *image.NRGBA64 {
	out := image.NewNRGBA64(m.Rect)
	for i, v := range m.Pix {
		low := v ^ 0x5a
		if i%4 == 3 {
			low = v // opaque stays opaque
		}
		out.Pix[2*i], out.Pix[2*i+1] = v, low
	}
	return out
}

// grayOf returns the gray version of m.
func grayOf(m image.Image) *image.Gray {
	out := image.NewGray(m.Bounds())
	draw.Draw(out, out.Rect, m, m.Bounds().Min, draw.Src)
	return out
}

// gray16Of returns the 16-bit gray version of m, low bytes distinct.
func gray16Of(m image.Image) *image.Gray16 {
	g := grayOf(m)
	out := image.NewGray16(g.Rect)
	for i, v := range g.Pix {
		out.Pix[2*i], out.Pix[2*i+1] = v, v^0xa5
	}
	return out
}

// readTestdata returns the content of testdata/name.
func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// exact is the tolerance for lossless formats: the error of going through
// premultiplied 16-bit colour in the reference.
const exact = 2.0 / 0xffff

func TestDecodeFormats(t *testing.T) {
	alpha := cellsImage(8, 128) // 24×16, last cell half transparent
	opaque := cellsImage(8, 255)
	paletted := image.NewPaletted(alpha.Rect, color.Palette{
		cellColors[0], cellColors[1], cellColors[2], cellColors[3], cellColors[4], color.Transparent,
	})
	draw.Draw(paletted, paletted.Rect, cellsImage(8, 0), image.Point{}, draw.Src)

	tests := []struct {
		name      string
		data      func(t *testing.T) []byte
		want      image.Image
		tol       float64
		wantAlpha bool
		wantGray  bool
	}{
		{"PNG 8-bit with alpha", func(t *testing.T) []byte {
			return encoded(t, func(b *bytes.Buffer) error { return png.Encode(b, alpha) })
		}, alpha, exact, true, false},
		{"PNG 16-bit", func(t *testing.T) []byte {
			return encoded(t, func(b *bytes.Buffer) error { return png.Encode(b, to16(opaque)) })
		}, to16(opaque), exact, false, false},
		{"PNG 16-bit with alpha", func(t *testing.T) []byte {
			return encoded(t, func(b *bytes.Buffer) error { return png.Encode(b, to16(alpha)) })
		}, to16(alpha), exact, true, false},
		{"PNG gray", func(t *testing.T) []byte {
			return encoded(t, func(b *bytes.Buffer) error { return png.Encode(b, grayOf(opaque)) })
		}, grayOf(opaque), exact, false, true},
		{"PNG gray 16-bit", func(t *testing.T) []byte {
			return encoded(t, func(b *bytes.Buffer) error { return png.Encode(b, gray16Of(opaque)) })
		}, gray16Of(opaque), exact, false, true},
		{"JPEG", func(t *testing.T) []byte { return encodeJPEG(t, opaque, 95) }, opaque, 0.04, false, false},
		{"JPEG gray", func(t *testing.T) []byte { return encodeJPEG(t, grayOf(opaque), 95) }, grayOf(opaque), 0.04, false, true},
		{"TIFF 8-bit with alpha", func(t *testing.T) []byte {
			return encoded(t, func(b *bytes.Buffer) error { return tiff.Encode(b, alpha, &tiff.Options{Compression: tiff.Deflate}) })
		}, alpha, exact, true, false},
		{"TIFF 16-bit", func(t *testing.T) []byte {
			return encoded(t, func(b *bytes.Buffer) error { return tiff.Encode(b, to16(opaque), nil) })
		}, to16(opaque), exact, false, false},
		{"TIFF hand-made big-endian RGB", func(t *testing.T) []byte {
			return uncompressedTIFF(opaque, binary.BigEndian, 0)
		}, opaque, exact, false, false},
		{"GIF paletted with transparency", func(t *testing.T) []byte {
			return encoded(t, func(b *bytes.Buffer) error { return gif.Encode(b, paletted, nil) })
		}, paletted, exact, true, false},
		{"GIF 216 colours", func(t *testing.T) []byte {
			p := image.NewPaletted(opaque.Rect, palette.WebSafe)
			draw.Draw(p, p.Rect, opaque, image.Point{}, draw.Src)
			return encoded(t, func(b *bytes.Buffer) error { return gif.Encode(b, p, nil) })
		}, opaque, 0.11, false, false}, // web-safe steps are 0.2 apart
		{"BMP", func(t *testing.T) []byte {
			return encoded(t, func(b *bytes.Buffer) error { return bmp.Encode(b, opaque) })
		}, opaque, exact, false, false},
		{"WebP lossless with alpha (ImageMagick)", func(t *testing.T) []byte {
			return readTestdata(t, "cells-alpha.webp")
		}, cellsImage(2, 128), exact, true, false},
		{"YCCK JPEG (ImageMagick)", func(t *testing.T) []byte {
			return readTestdata(t, "cells-ycck.jpg")
		}, opaque, 0.06, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustDecode(t, tt.data(t))
			compareImage(t, got, tt.want, tt.tol)
			if (got.Alpha != nil) != tt.wantAlpha {
				t.Errorf("has alpha = %v, want %v", got.Alpha != nil, tt.wantAlpha)
			}
			if got.Gray != tt.wantGray {
				t.Errorf("Gray = %v, want %v", got.Gray, tt.wantGray)
			}
		})
	}
}

func TestDecodeGIFFrameSmallerThanScreen(t *testing.T) {
	// The first frame covers columns 2–4 of rows 1–2 of a 6×4 screen; the
	// rest of the screen is transparent.
	frame := image.NewPaletted(image.Rect(2, 1, 5, 3), color.Palette{cellColors[0]})
	data := encoded(t, func(b *bytes.Buffer) error {
		return gif.EncodeAll(b, &gif.GIF{
			Image:  []*image.Paletted{frame},
			Delay:  []int{0},
			Config: image.Config{ColorModel: frame.Palette, Width: 6, Height: 4},
		})
	})
	want := image.NewNRGBA(image.Rect(0, 0, 6, 4))
	draw.Draw(want, frame.Rect, frame, frame.Rect.Min, draw.Src)
	got := mustDecode(t, data)
	compareImage(t, got, want, exact)
	if got.Alpha == nil {
		t.Error("no alpha for a partly transparent screen")
	}
}

func TestDecodeKeepsColourStraight(t *testing.T) {
	// A half-transparent cell must come back with its full colour, not the
	// colour multiplied by its alpha.
	src := cellsImage(2, 128)
	got := mustDecode(t, encoded(t, func(b *bytes.Buffer) error { return png.Encode(b, src) }))
	p := pixelOf(got, 5, 3) // last cell
	want := cellColors[5]
	if d := p[0] - float64(want.R)/255; d > 1e-6 || d < -1e-6 {
		t.Errorf("red of the half-transparent cell = %v, want %v", p[0], float64(want.R)/255)
	}
	if p[3] < 0.5 || p[3] > 0.51 {
		t.Errorf("alpha = %v, want 128/255", p[3])
	}
}

// hugePNG returns the start of a PNG file whose header claims a
// width×height image, with a correct checksum.
func hugePNG(width, height uint32) []byte {
	ihdr := []byte("IHDR")
	ihdr = binary.BigEndian.AppendUint32(ihdr, width)
	ihdr = binary.BigEndian.AppendUint32(ihdr, height)
	ihdr = append(ihdr, 8, 2, 0, 0, 0) // 8-bit RGB, no interlace
	b := []byte("\x89PNG\r\n\x1a\n")
	b = binary.BigEndian.AppendUint32(b, 13)
	b = append(b, ihdr...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(ihdr))
}

// hugeJPEG returns the JPEG file j with its frame header claiming
// width×height pixels.
func hugeJPEG(t *testing.T, j []byte, width, height uint16) []byte {
	t.Helper()
	out := bytes.Clone(j)
	sof := bytes.Index(out, []byte{0xff, 0xc0})
	if sof < 0 {
		t.Fatal("no SOF0 marker in the JPEG file")
	}
	binary.BigEndian.PutUint16(out[sof+5:], height)
	binary.BigEndian.PutUint16(out[sof+7:], width)
	return out
}

// hugeTIFF returns a TIFF file whose header claims 2³²-1 × 2³²-1 pixels,
// more than an int64 can count.
func hugeTIFF() []byte {
	data, _ := buildTIFFStructure(binary.LittleEndian, []tiffEntry{
		{0x0100, 4, 1, 0xffffffff}, // ImageWidth
		{0x0101, 4, 1, 0xffffffff}, // ImageLength
		{0x0102, 3, 1, 8},          // BitsPerSample
		{0x0103, 3, 1, 1},          // Compression: none
		{0x0106, 3, 1, 1},          // PhotometricInterpretation: black is zero
		{0x0111, 4, 1, 8},          // StripOffsets
		{0x0115, 3, 1, 1},          // SamplesPerPixel
		{0x0117, 4, 1, 1},          // StripByteCounts
	}, nil)
	return data
}

func TestDecodeErrors(t *testing.T) {
	photo := cellsImage(8, 255)
	jpegData := encodeJPEG(t, photo, 90)
	pngData := encoded(t, func(b *bytes.Buffer) error { return png.Encode(b, photo) })
	tests := []struct {
		name      string
		data      []byte
		maxPixels int
		wantErr   error  // nil: any error
		wantText  string // part of the message
	}{
		{"empty", nil, 0, picture.ErrEmpty, "empty file"},
		{"text", []byte("These are not the pixels you are looking for.\n"), 0, picture.ErrUnknownFormat, "not an image"},
		{"one byte", []byte{0xff}, 0, picture.ErrUnknownFormat, "not an image"},
		{"JPEG cut in its header", jpegData[:len(jpegData)/2], 0, io.ErrUnexpectedEOF, "truncated JPEG file"},
		{"JPEG cut in its data", jpegData[:len(jpegData)-40], 0, nil, "damaged or truncated JPEG data"},
		{"JPEG header only", jpegData[:2], 0, nil, "JPEG"},
		{"truncated PNG", pngData[:len(pngData)-20], 0, nil, "damaged or truncated PNG data"},
		{"PNG signature only", pngData[:8], 0, nil, "PNG"},
		{"huge PNG header", hugePNG(100000, 100000), 0, picture.ErrTooLarge,
			"image too large: 100000×100000 pixels (10000 megapixels), above the limit of 100 megapixels"},
		{"PNG header overflowing int32", hugePNG(1<<31-1, 1<<31-1), 0, nil, "PNG"},
		{"TIFF header of 2³²-1 × 2³²-1 pixels", hugeTIFF(), 0, nil, "damaged TIFF header"},
		{"huge JPEG header", hugeJPEG(t, jpegData, 65000, 65000), 0, picture.ErrTooLarge, "65000×65000 pixels (4225 megapixels)"},
		{"above a small limit", pngData, 383, picture.ErrTooLarge, "24×16 pixels (384 pixels), above the limit of 383 pixels"},
		{"corrupt PNG checksum", append(hugePNG(2, 2)[:29:29], 0, 0, 0, 0), 0, nil, "PNG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := picture.Decode(bytes.NewReader(tt.data), picture.DecodeOptions{MaxPixels: tt.maxPixels})
			if err == nil {
				t.Fatalf("decoded a %d×%d image, want an error", m.Width, m.Height)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %q is not %q", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error %q does not say %q", err, tt.wantText)
			}
		})
	}
}

func TestDecodeAtTheLimit(t *testing.T) {
	pngData := encoded(t, func(b *bytes.Buffer) error { return png.Encode(b, cellsImage(8, 255)) })
	if _, err := picture.Decode(bytes.NewReader(pngData), picture.DecodeOptions{MaxPixels: 24 * 16}); err != nil {
		t.Errorf("an image of exactly MaxPixels pixels was refused: %v", err)
	}
}

func TestDecodeRefusesHugeHeaderCheaply(t *testing.T) {
	data := hugePNG(100000, 100000)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	_, err := picture.Decode(bytes.NewReader(data), picture.DecodeOptions{})
	elapsed := time.Since(start)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, picture.ErrTooLarge) {
		t.Fatalf("error = %v, want ErrTooLarge", err)
	}
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 1<<20 {
		t.Errorf("refusing a huge header allocated %d bytes, want under 1 MiB", allocated)
	}
	if elapsed > 100*time.Millisecond {
		t.Errorf("refusing a huge header took %v", elapsed)
	}
}

func TestLoadErrorsStartWithPath(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	jpegData := encodeJPEG(t, cellsImage(8, 255), 90)
	tests := []struct {
		name    string
		path    string
		wantErr error
		want    string // message after "path: "
	}{
		{"empty", write("empty.jpg", nil), picture.ErrEmpty, "empty file"},
		{"text named .jpg", write("notes.jpg", []byte("shopping list\n")), picture.ErrUnknownFormat, "not an image (or an unsupported format)"},
		{"huge", write("huge.png", hugePNG(100000, 100000)), picture.ErrTooLarge,
			"image too large: 100000×100000 pixels (10000 megapixels), above the limit of 100 megapixels"},
		{"truncated", write("cut.jpg", jpegData[:len(jpegData)-40]), nil, "damaged or truncated JPEG data"},
		{"missing", filepath.Join(dir, "missing.png"), fs.ErrNotExist, "no such file or directory"},
		{"folder", dir, nil, "is a folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := picture.Load(tt.path, picture.DecodeOptions{})
			if err == nil {
				t.Fatal("no error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %q is not %q", err, tt.wantErr)
			}
			if prefix := tt.path + ": " + tt.want; !strings.HasPrefix(err.Error(), prefix) {
				t.Errorf("error %q does not start with %q", err, prefix)
			}
		})
	}
}

func TestLoadPhotos(t *testing.T) {
	const dir = "../../../shared/data/val" // beside the repository
	paths, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(paths) == 0 {
		t.Skipf("no photos in %s", dir)
	}
	for _, path := range paths[:min(len(paths), 4)] {
		m, err := picture.Load(path, picture.DecodeOptions{})
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if m.Width*m.Height*picture.Channels != len(m.Pix) {
			t.Errorf("%s: %d values for %d×%d pixels", path, len(m.Pix), m.Width, m.Height)
		}
		for _, v := range m.Pix {
			if !(v >= 0 && v <= 1) {
				t.Errorf("%s: value %v outside [0, 1]", path, v)
				break
			}
		}
	}
}
