package picture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"path/filepath"
	"strings"

	"golang.org/x/image/tiff"
)

// Format is a file format Diabolo writes.
type Format int

// The formats Encode writes. The zero Format is none of them.
const (
	PNG Format = iota + 1
	JPEG
	TIFF
)

// DefaultJPEGQuality is the JPEG quality used when EncodeOptions.Quality is 0.
const DefaultJPEGQuality = 92

// String returns the usual name of f, such as "JPEG".
func (f Format) String() string {
	switch f {
	case PNG:
		return "PNG"
	case JPEG:
		return "JPEG"
	case TIFF:
		return "TIFF"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// Extension returns the usual file extension of f, with its dot, such as
// ".jpg"; "" for an unknown format.
func (f Format) Extension() string {
	switch f {
	case PNG:
		return ".png"
	case JPEG:
		return ".jpg"
	case TIFF:
		return ".tif"
	}
	return ""
}

// FormatFromPath returns the format named by the extension of path, in any
// case: .png, .jpg or .jpeg, .tif or .tiff.
func FormatFromPath(path string) (Format, error) {
	ext := filepath.Ext(path)
	switch strings.ToLower(ext) {
	case ".png":
		return PNG, nil
	case ".jpg", ".jpeg":
		return JPEG, nil
	case ".tif", ".tiff":
		return TIFF, nil
	case "":
		return 0, fmt.Errorf("%s: no file extension to choose a format (use .png, .jpg or .tif)", path)
	}
	return 0, fmt.Errorf("%s: cannot write %s files (use .png, .jpg or .tif)", path, ext)
}

// EncodeOptions say how Encode writes an image.
type EncodeOptions struct {
	// Format is the file format; it must be set for Encode (Save takes it
	// from the file name when it is zero).
	Format Format
	// Quality is the JPEG quality from 1 to 100; 0 means
	// DefaultJPEGQuality. Other formats ignore it.
	Quality int
	// Bits16 writes 16 bits a sample in PNG and TIFF files instead of 8.
	// JPEG ignores it.
	Bits16 bool
	// EXIF is the payload of an EXIF APP1 segment, as returned by ReadEXIF,
	// to embed in JPEG output, with its orientation reset to upright since
	// the pixels already are; nil writes none. Other formats ignore it.
	EXIF []byte
}

// maxSegment is the largest payload of a JPEG segment: 65535 bytes less the
// 2 bytes of the length itself.
const maxSegment = 0xffff - 2

// check reports options Encode cannot honour.
func (o EncodeOptions) check() error {
	switch o.Format {
	case PNG, TIFF:
		return nil
	case JPEG:
	default:
		return fmt.Errorf("no output format chosen (%v)", o.Format)
	}
	if o.Quality < 0 || o.Quality > 100 {
		return fmt.Errorf("JPEG quality %d is outside 1–100", o.Quality)
	}
	if o.EXIF != nil {
		if !bytes.HasPrefix(o.EXIF, []byte(exifHeader)) {
			return errors.New("EXIF block does not start with the Exif header")
		}
		if len(o.EXIF) > maxSegment {
			return fmt.Errorf("EXIF block of %d bytes does not fit a JPEG segment (%d at most)", len(o.EXIF), maxSegment)
		}
	}
	return nil
}

// Encode writes m to w as opts say. Gray images without alpha are written
// with one channel. JPEG has no transparency: the colour of m is written and
// its alpha dropped.
func Encode(w io.Writer, m *Image, opts EncodeOptions) error {
	if err := opts.check(); err != nil {
		return err
	}
	if err := m.checkLayout(); err != nil {
		return err
	}
	var err error
	switch opts.Format {
	case PNG:
		// Fast compression: on a 12-megapixel photo the default level
		// takes several seconds longer for files only slightly smaller.
		enc := png.Encoder{CompressionLevel: png.BestSpeed}
		err = enc.Encode(w, m.forLossless(opts.Bits16))
	case TIFF:
		err = tiff.Encode(w, m.forLossless(opts.Bits16), &tiff.Options{Compression: tiff.Deflate})
	case JPEG:
		err = encodeJPEG(w, m, opts)
	}
	if err != nil {
		return fmt.Errorf("encode %v: %w", opts.Format, err)
	}
	return nil
}

// checkLayout reports an Image whose slices do not match its size.
func (m *Image) checkLayout() error {
	if m == nil {
		return errors.New("no image")
	}
	n := m.Width * m.Height
	if m.Width <= 0 || m.Height <= 0 || len(m.Pix) != Channels*n || (m.Alpha != nil && len(m.Alpha) != n) {
		return fmt.Errorf("malformed %d×%d image: %d colour and %d alpha values", m.Width, m.Height, len(m.Pix), len(m.Alpha))
	}
	return nil
}

// forLossless returns m as the standard image type PNG and TIFF encoders
// write best: one gray channel when possible, 8 or 16 bits a sample.
func (m *Image) forLossless(bits16 bool) image.Image {
	gray := m.Gray && m.Alpha == nil
	switch {
	case gray && bits16:
		return m.toGray16()
	case gray:
		return m.toGray()
	case bits16:
		return m.ToNRGBA64()
	}
	return m.ToNRGBA()
}

// encodeJPEG writes m as a JPEG file, with opts.EXIF as an APP1 segment
// right after the start-of-image marker.
func encodeJPEG(w io.Writer, m *Image, opts EncodeOptions) error {
	quality := opts.Quality
	if quality == 0 {
		quality = DefaultJPEGQuality
	}
	var src image.Image
	if m.Gray {
		src = m.toGray()
	} else {
		src = m.toRGBA()
	}
	if opts.EXIF != nil {
		w = &segmentInserter{w: w, segment: app1Segment(uprightEXIF(opts.EXIF))}
	}
	return jpeg.Encode(w, src, &jpeg.Options{Quality: quality})
}

// app1Segment returns a whole APP1 segment (marker, length, payload) holding
// payload, which must fit a segment.
func app1Segment(payload []byte) []byte {
	seg := make([]byte, 4, 4+len(payload))
	seg[0], seg[1] = 0xff, markerAPP1
	binary.BigEndian.PutUint16(seg[2:], uint16(2+len(payload)))
	return append(seg, payload...)
}

// segmentInserter passes a JPEG stream to w, inserting segment after the
// 2-byte start-of-image marker.
type segmentInserter struct {
	w       io.Writer
	segment []byte
	passed  int // bytes of the stream written so far, up to 2
}

// Write implements io.Writer.
func (s *segmentInserter) Write(p []byte) (int, error) {
	n := 0
	if s.passed < 2 {
		k := min(2-s.passed, len(p))
		if _, err := s.w.Write(p[:k]); err != nil {
			return 0, err
		}
		s.passed += k
		n, p = k, p[k:]
		if s.passed == 2 {
			if _, err := s.w.Write(s.segment); err != nil {
				return n, err
			}
		}
	}
	if len(p) == 0 {
		return n, nil
	}
	k, err := s.w.Write(p)
	return n + k, err
}
