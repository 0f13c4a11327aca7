package picture

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// This file reads the little of EXIF that Diabolo needs: the Orientation tag
// of the first image file directory (IFD0) of a TIFF structure, found either
// at the start of a TIFF file or inside the EXIF APP1 segment of a JPEG file.
// Every offset read from the data is bounds-checked, nothing is allocated in
// proportion to values read from the data, and hostile input yields "no
// orientation", never a panic.

// exifHeader starts the payload of a JPEG APP1 segment holding EXIF data.
const exifHeader = "Exif\x00\x00"

// tagOrientation is the TIFF/EXIF tag number of Orientation.
const tagOrientation = 0x0112

// TIFF field types an Orientation value may be stored as.
const (
	typeShort = 3
	typeLong  = 4
)

// JPEG markers that matter to the segment scanner.
const (
	markerSOI  = 0xd8
	markerEOI  = 0xd9
	markerSOS  = 0xda
	markerAPP1 = 0xe1
)

// errNotJPEG reports data that does not start like a JPEG file.
var errNotJPEG = errors.New("not a JPEG file")

// ReadEXIF returns the payload of the EXIF APP1 segment of the JPEG file
// read from r (the bytes after the segment length, starting with
// "Exif\x00\x00"), ready for EncodeOptions.EXIF. It returns nil, nil when the
// file has no EXIF segment, and an error when r is not a JPEG file or ends
// before its image data. It reads r only up to the image data.
func ReadEXIF(r io.Reader) ([]byte, error) {
	exif, err := scanJPEGEXIF(bufio.NewReader(r))
	if err != nil {
		return nil, fmt.Errorf("read EXIF: %w", err)
	}
	return exif, nil
}

// scanJPEGEXIF walks the JPEG segments before the image data and returns a
// copy of the first EXIF APP1 payload, or nil when there is none.
func scanJPEGEXIF(r *bufio.Reader) ([]byte, error) {
	var soi [2]byte
	if _, err := io.ReadFull(r, soi[:]); err != nil || soi != [2]byte{0xff, markerSOI} {
		return nil, errNotJPEG
	}
	for {
		marker, err := nextMarker(r)
		if err != nil {
			return nil, err
		}
		switch {
		case marker == markerEOI || marker == markerSOS:
			return nil, nil
		case marker == 0x01 || marker >= 0xd0 && marker <= 0xd7:
			continue // TEM and RSTn stand alone, without a length
		}
		var size [2]byte
		if _, err := io.ReadFull(r, size[:]); err != nil {
			return nil, truncated(err)
		}
		n := int(binary.BigEndian.Uint16(size[:])) - 2
		if n < 0 {
			return nil, fmt.Errorf("damaged JPEG: segment %#x has length %d", marker, n+2)
		}
		if marker == markerAPP1 && n >= len(exifHeader) {
			head, err := r.Peek(len(exifHeader))
			if err != nil {
				return nil, truncated(err)
			}
			if string(head) == exifHeader {
				payload := make([]byte, n) // n < 64 KiB
				if _, err := io.ReadFull(r, payload); err != nil {
					return nil, truncated(err)
				}
				return payload, nil
			}
		}
		if _, err := r.Discard(n); err != nil {
			return nil, truncated(err)
		}
	}
}

// nextMarker reads the next marker, skipping 0xff fill bytes, and returns
// its code.
func nextMarker(r *bufio.Reader) (byte, error) {
	b, err := r.ReadByte()
	if err != nil {
		return 0, truncated(err)
	}
	if b != 0xff {
		return 0, fmt.Errorf("damaged JPEG: byte %#x where a marker should start", b)
	}
	for b == 0xff {
		if b, err = r.ReadByte(); err != nil {
			return 0, truncated(err)
		}
	}
	return b, nil
}

// truncated names an end of data inside a JPEG header.
func truncated(err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("truncated JPEG header: %w", err)
}

// jpegOrientation returns the orientation recorded in the EXIF segment of
// the JPEG file data, or topLeft when there is none.
func jpegOrientation(data []byte) orientation {
	exif, err := scanJPEGEXIF(bufio.NewReader(bytes.NewReader(data)))
	if err != nil || exif == nil {
		return topLeft
	}
	return exifOrientation(exif)
}

// exifOrientation returns the orientation recorded in an EXIF APP1 payload,
// or topLeft when there is none.
func exifOrientation(exif []byte) orientation {
	tiffData, ok := bytes.CutPrefix(exif, []byte(exifHeader))
	if !ok {
		return topLeft
	}
	return tiffOrientation(tiffData)
}

// tiffOrientation returns the orientation recorded in IFD0 of the TIFF
// structure b, or topLeft when there is none or it is invalid.
func tiffOrientation(b []byte) orientation {
	at, order, typ, ok := findOrientation(b)
	if !ok {
		return topLeft
	}
	var v uint32
	if typ == typeShort {
		v = uint32(order.Uint16(b[at:]))
	} else {
		v = order.Uint32(b[at:])
	}
	if v > uint32(leftBottom) {
		return topLeft
	}
	if o := orientation(v); o.valid() {
		return o
	}
	return topLeft
}

// findOrientation locates the Orientation entry of IFD0 in the TIFF
// structure b. It returns the offset of its value in b, the byte order and
// field type of the value, and whether a usable entry was found; when ok,
// b[at:] holds at least the 2 (short) or 4 (long) bytes of the value.
func findOrientation(b []byte) (at int, order binary.ByteOrder, typ uint16, ok bool) {
	if len(b) < 8 {
		return 0, nil, 0, false
	}
	switch string(b[:4]) {
	case "II*\x00":
		order = binary.LittleEndian
	case "MM\x00*":
		order = binary.BigEndian
	default:
		return 0, nil, 0, false
	}
	// Offsets are uint32; compare them as uint64 so nothing overflows.
	ifd := uint64(order.Uint32(b[4:8]))
	if ifd+2 > uint64(len(b)) {
		return 0, nil, 0, false
	}
	count := uint64(order.Uint16(b[ifd:]))
	const entrySize = 12
	for i := uint64(0); i < count; i++ {
		start := ifd + 2 + i*entrySize
		if start+entrySize > uint64(len(b)) {
			break // directory cut short: use the entries that are there
		}
		entry := b[start : start+entrySize]
		if order.Uint16(entry[0:2]) != tagOrientation {
			continue
		}
		typ = order.Uint16(entry[2:4])
		if (typ != typeShort && typ != typeLong) || order.Uint32(entry[4:8]) != 1 {
			return 0, nil, 0, false // one value, stored inline, or nothing
		}
		return int(start) + 8, order, typ, true
	}
	return 0, nil, 0, false
}

// uprightEXIF returns a copy of the EXIF APP1 payload exif whose Orientation
// tag, if any, says the pixels are upright (1), for images written after
// their orientation has been applied.
func uprightEXIF(exif []byte) []byte {
	out := bytes.Clone(exif)
	tiffData, ok := bytes.CutPrefix(out, []byte(exifHeader))
	if !ok {
		return out
	}
	if at, order, typ, ok := findOrientation(tiffData); ok {
		if typ == typeShort {
			order.PutUint16(tiffData[at:], uint16(topLeft))
		} else {
			order.PutUint32(tiffData[at:], uint32(topLeft))
		}
	}
	return out
}
