package picture_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"testing"

	"diabolo/app/picture"
)

// cellColors are the colours of the test pattern's 3×2 cells, row by row.
var cellColors = [6]color.NRGBA{
	{230, 25, 40, 255}, {20, 200, 60, 255}, {30, 60, 220, 255},
	{240, 240, 240, 255}, {15, 15, 15, 255}, {250, 200, 20, 255},
}

// cellsImage returns the test pattern: 3 columns and 2 rows of flat cells of
// cell×cell pixels, coloured cellColors, the last cell at alpha lastAlpha.
// testdata/cells-*.{webp,jpg} were made from it.
func cellsImage(cell int, lastAlpha uint8) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, 3*cell, 2*cell))
	for y := range 2 * cell {
		for x := range 3 * cell {
			i := (y/cell)*3 + x/cell
			c := cellColors[i]
			if i == 5 {
				c.A = lastAlpha
			}
			m.SetNRGBA(x, y, c)
		}
	}
	return m
}

// straightRGBA returns the straight colour and alpha of c in [0, 1], the
// reference for picture's conversions.
func straightRGBA(c color.Color) [4]float64 {
	r, g, b, a := c.RGBA()
	if a == 0 {
		return [4]float64{}
	}
	fa := float64(a)
	return [4]float64{float64(r) / fa, float64(g) / fa, float64(b) / fa, fa / 0xffff}
}

// pixelOf returns the colour and alpha (1 when m.Alpha is nil) of pixel
// (x, y) of m.
func pixelOf(m *picture.Image, x, y int) [4]float64 {
	i := y*m.Width + x
	p := [4]float64{float64(m.Plane(0)[i]), float64(m.Plane(1)[i]), float64(m.Plane(2)[i]), 1}
	if m.Alpha != nil {
		p[3] = float64(m.Alpha[i])
	}
	return p
}

// compareImage fails t when got differs from want by more than tol in any
// alpha or premultiplied colour value: premultiplied, so that the colour of
// nearly transparent pixels, which want may hold only roughly, weighs
// little, yet colour that got stores premultiplied instead of straight
// still shows.
func compareImage(t *testing.T, got *picture.Image, want image.Image, tol float64) {
	t.Helper()
	b := want.Bounds()
	if got.Width != b.Dx() || got.Height != b.Dy() {
		t.Fatalf("size %d×%d, want %d×%d", got.Width, got.Height, b.Dx(), b.Dy())
	}
	if n := got.Width * got.Height; len(got.Pix) != picture.Channels*n || (got.Alpha != nil && len(got.Alpha) != n) {
		t.Fatalf("malformed image: %d colour and %d alpha values for %d pixels", len(got.Pix), len(got.Alpha), n)
	}
	worst, wx, wy := 0.0, 0, 0
	for y := range got.Height {
		for x := range got.Width {
			g, w := premultiplied(pixelOf(got, x, y)), premultiplied(straightRGBA(want.At(b.Min.X+x, b.Min.Y+y)))
			for c := range 4 {
				if d := math.Abs(g[c] - w[c]); d > worst {
					worst, wx, wy = d, x, y
				}
			}
		}
	}
	if worst > tol {
		t.Errorf("pixel (%d, %d) = %.4f, want %.4f (straight; premultiplied difference %.4g > %.4g)",
			wx, wy, pixelOf(got, wx, wy), straightRGBA(want.At(b.Min.X+wx, b.Min.Y+wy)), worst, tol)
	}
}

// premultiplied returns straight colour and alpha p with the colour
// multiplied by alpha.
func premultiplied(p [4]float64) [4]float64 {
	return [4]float64{p[0] * p[3], p[1] * p[3], p[2] * p[3], p[3]}
}

// encodeJPEG returns m as a JPEG file of the given quality.
func encodeJPEG(t testing.TB, m image.Image, quality int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// byteOrder reads and appends in one byte order, as binary.LittleEndian and
// binary.BigEndian do.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// tiffEntry is one entry of a hand-built TIFF image file directory.
type tiffEntry struct {
	tag, typ uint16
	count    uint32
	value    uint32 // inline value; a short sits in the first 2 bytes
}

// buildTIFFStructure returns a TIFF header and an IFD0 holding entries
// (which must be sorted by tag), followed by tail. Values that point into
// tail are relative to tailOffset, the offset at which tail starts.
func buildTIFFStructure(order byteOrder, entries []tiffEntry, tail []byte) (data []byte, tailOffset uint32) {
	var b []byte
	if order.String() == binary.LittleEndian.String() {
		b = []byte("II*\x00")
	} else {
		b = []byte("MM\x00*")
	}
	b = order.AppendUint32(b, 8)
	b = order.AppendUint16(b, uint16(len(entries)))
	tailOffset = uint32(8 + 2 + 12*len(entries) + 4)
	for _, e := range entries {
		b = order.AppendUint16(b, e.tag)
		b = order.AppendUint16(b, e.typ)
		b = order.AppendUint32(b, e.count)
		if e.typ == 3 && e.count == 1 {
			b = order.AppendUint16(b, uint16(e.value))
			b = append(b, 0, 0)
		} else {
			b = order.AppendUint32(b, e.value)
		}
	}
	b = order.AppendUint32(b, 0) // no next IFD
	return append(b, tail...), tailOffset
}

// exifPayload returns an EXIF APP1 payload whose IFD0 holds the
// orientation o (as a short) and, before it, an ImageDescription entry.
func exifPayload(order byteOrder, o uint16) []byte {
	tiff, _ := buildTIFFStructure(order, []tiffEntry{
		{tag: 0x010e, typ: 2, count: 4, value: 0x41424300}, // "ABC\0" inline
		{tag: 0x0112, typ: 3, count: 1, value: uint32(o)},
	}, nil)
	return append([]byte("Exif\x00\x00"), tiff...)
}

// withSegment returns the JPEG file j with a segment (marker and payload)
// inserted right after its start-of-image marker.
func withSegment(j []byte, marker byte, payload []byte) []byte {
	out := append([]byte{}, j[:2]...)
	out = append(out, 0xff, marker, byte((len(payload)+2)>>8), byte(len(payload)+2))
	out = append(out, payload...)
	return append(out, j[2:]...)
}

// uncompressedTIFF returns m as a hand-built, uncompressed 8-bit RGB TIFF
// file in the given byte order, with an Orientation tag of value o when o
// is not 0.
func uncompressedTIFF(m *image.NRGBA, order byteOrder, o uint16) []byte {
	w, h := m.Bounds().Dx(), m.Bounds().Dy()
	pixels := make([]byte, 0, 3*w*h)
	for y := range h {
		for x := range w {
			c := m.NRGBAAt(x, y)
			pixels = append(pixels, c.R, c.G, c.B)
		}
	}
	// Bits per sample (3 shorts) do not fit inline: they follow the IFD,
	// then the pixels.
	bits := []byte{}
	for range 3 {
		bits = order.AppendUint16(bits, 8)
	}
	entries := []tiffEntry{
		{0x0100, 4, 1, uint32(w)},         // ImageWidth
		{0x0101, 4, 1, uint32(h)},         // ImageLength
		{0x0102, 3, 3, 0},                 // BitsPerSample -> tail
		{0x0103, 3, 1, 1},                 // Compression: none
		{0x0106, 3, 1, 2},                 // PhotometricInterpretation: RGB
		{0x0111, 4, 1, 0},                 // StripOffsets -> tail+6
		{0x0112, 3, 1, uint32(o)},         // Orientation
		{0x0115, 3, 1, 3},                 // SamplesPerPixel
		{0x0116, 4, 1, uint32(h)},         // RowsPerStrip
		{0x0117, 4, 1, uint32(3 * w * h)}, // StripByteCounts
	}
	if o == 0 {
		entries = append(entries[:6], entries[7:]...)
	}
	_, tailOffset := buildTIFFStructure(order, entries, nil)
	for i := range entries {
		switch entries[i].tag {
		case 0x0102:
			entries[i].value = tailOffset
		case 0x0111:
			entries[i].value = tailOffset + uint32(len(bits))
		}
	}
	data, _ := buildTIFFStructure(order, entries, append(bits, pixels...))
	return data
}

// mustDecode decodes data or fails t.
func mustDecode(t testing.TB, data []byte) *picture.Image {
	t.Helper()
	m, err := picture.Decode(bytes.NewReader(data), picture.DecodeOptions{})
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return m
}

// describe names an orientation in test output.
func describe(o int) string { return fmt.Sprintf("orientation %d", o) }
