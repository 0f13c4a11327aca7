package picture_test

import (
	"encoding/binary"
	"image"
	"testing"
)

// storedFor returns the pixels a camera stores, with EXIF orientation o, for
// the upright image shown. It follows the wording of the EXIF standard,
// which names where the first stored row and column are shown.
func storedFor(shown *image.NRGBA, o int) *image.NRGBA {
	sw, sh := shown.Rect.Dx(), shown.Rect.Dy()
	w, h := sw, sh // stored size
	if o >= 5 {
		w, h = sh, sw
	}
	stored := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			// Where stored pixel (x, y) is shown.
			var dx, dy int
			switch o {
			case 1: // row 0 at the top, column 0 on the left
				dx, dy = x, y
			case 2: // row 0 at the top, column 0 on the right
				dx, dy = sw-1-x, y
			case 3: // row 0 at the bottom, column 0 on the right
				dx, dy = sw-1-x, sh-1-y
			case 4: // row 0 at the bottom, column 0 on the left
				dx, dy = x, sh-1-y
			case 5: // row 0 on the left, column 0 at the top
				dx, dy = y, x
			case 6: // row 0 on the right, column 0 at the top
				dx, dy = sw-1-y, x
			case 7: // row 0 on the right, column 0 at the bottom
				dx, dy = sw-1-y, sh-1-x
			case 8: // row 0 on the left, column 0 at the bottom
				dx, dy = y, sh-1-x
			}
			stored.SetNRGBA(x, y, shown.NRGBAAt(dx, dy))
		}
	}
	return stored
}

func TestDecodeAppliesJPEGOrientation(t *testing.T) {
	// Cells of 16×16 pixels are whole JPEG blocks even with 4:2:0 chroma,
	// so their flat colours survive compression almost exactly.
	shown := cellsImage(16, 255)
	for o := 1; o <= 8; o++ {
		for _, order := range []byteOrder{binary.BigEndian, binary.LittleEndian} {
			t.Run(describe(o)+" "+order.String(), func(t *testing.T) {
				j := encodeJPEG(t, storedFor(shown, o), 100)
				data := withSegment(j, 0xe1, exifPayload(order, uint16(o)))
				compareImage(t, mustDecode(t, data), shown, 0.03)
			})
		}
	}
}

func TestDecodeAppliesTIFFOrientation(t *testing.T) {
	shown := cellsImage(3, 255)
	for o := 1; o <= 8; o++ {
		for _, order := range []byteOrder{binary.BigEndian, binary.LittleEndian} {
			t.Run(describe(o)+" "+order.String(), func(t *testing.T) {
				data := uncompressedTIFF(storedFor(shown, o), order, uint16(o))
				compareImage(t, mustDecode(t, data), shown, exact)
			})
		}
	}
}

func TestDecodeIgnoresUnusableOrientation(t *testing.T) {
	stored := cellsImage(16, 255)
	j := encodeJPEG(t, stored, 100)
	tests := []struct {
		name string
		data []byte
	}{
		{"orientation 0", withSegment(j, 0xe1, exifPayload(binary.LittleEndian, 0))},
		{"orientation 9", withSegment(j, 0xe1, exifPayload(binary.BigEndian, 9))},
		{"orientation 0xffff", withSegment(j, 0xe1, exifPayload(binary.BigEndian, 0xffff))},
		{"EXIF cut short", withSegment(j, 0xe1, exifPayload(binary.BigEndian, 6)[:20])},
		{"orientation in an XMP segment", withSegment(j, 0xe1, append([]byte("http://ns.adobe.com/xap/1.0/\x00"), exifPayload(binary.BigEndian, 6)[6:]...))},
		{"orientation in APP2", withSegment(j, 0xe2, exifPayload(binary.BigEndian, 6))},
		{"TIFF without orientation", uncompressedTIFF(stored, binary.LittleEndian, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			compareImage(t, mustDecode(t, tt.data), stored, 0.03)
		})
	}
}
