package picture

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"math"
	"os"
	"strconv"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
	"golang.org/x/image/webp"
)

// DefaultMaxPixels is the largest image, in pixels, that Decode accepts when
// DecodeOptions.MaxPixels is zero: 100 megapixels, about 1.2 GB as float32.
const DefaultMaxPixels = 100_000_000

// Sentinel errors of Decode and Load, to be tested with errors.Is.
var (
	// ErrTooLarge reports an image with more pixels than the limit.
	ErrTooLarge = errors.New("image too large")
	// ErrUnknownFormat reports data that is not in a supported image format.
	ErrUnknownFormat = errors.New("not an image (or an unsupported format)")
	// ErrEmpty reports a file holding no bytes at all.
	ErrEmpty = errors.New("empty file")
)

// DecodeOptions bound what Decode accepts.
type DecodeOptions struct {
	// MaxPixels is the largest width×height accepted; zero or negative
	// means DefaultMaxPixels. Larger images are refused from their header,
	// before any pixel memory is allocated.
	MaxPixels int
}

// maxPixels returns the effective pixel limit.
func (o DecodeOptions) maxPixels() int {
	if o.MaxPixels <= 0 {
		return DefaultMaxPixels
	}
	return o.MaxPixels
}

// maxFileBytes bounds the bytes read for an image of at most maxPixels
// pixels: 8 bytes a pixel (uncompressed 16-bit RGBA) plus room for metadata.
func maxFileBytes(maxPixels int) int64 {
	const metadata = 64 << 20
	if int64(maxPixels) > (math.MaxInt64-metadata)/8 {
		return math.MaxInt64 - 1
	}
	return 8*int64(maxPixels) + metadata
}

// codec reads one file format.
type codec struct {
	name string
	// magic is the start of every file of the format; '?' matches any byte.
	magic        string
	decode       func(io.Reader) (image.Image, error)
	decodeConfig func(io.Reader) (image.Config, error)
	// orientation returns the EXIF orientation stored in a file's bytes;
	// nil for formats whose orientation Diabolo does not read.
	orientation func(data []byte) orientation
}

// codecs lists the formats Decode reads.
var codecs = [...]codec{
	{"JPEG", "\xff\xd8", jpeg.Decode, jpeg.DecodeConfig, jpegOrientation},
	{"PNG", "\x89PNG\r\n\x1a\n", png.Decode, png.DecodeConfig, nil},
	{"GIF", "GIF8?a", gif.Decode, gif.DecodeConfig, nil},
	{"BMP", "BM????\x00\x00\x00\x00", bmp.Decode, bmp.DecodeConfig, nil},
	{"TIFF", "II*\x00", tiff.Decode, tiff.DecodeConfig, tiffOrientation},
	{"TIFF", "MM\x00*", tiff.Decode, tiff.DecodeConfig, tiffOrientation},
	{"WebP", "RIFF????WEBPVP8", webp.Decode, webp.DecodeConfig, nil},
}

// sniff returns the codec whose magic starts head, or nil.
func sniff(head []byte) *codec {
	for i := range codecs {
		c := &codecs[i]
		if len(head) < len(c.magic) {
			continue
		}
		match := true
		for j := 0; j < len(c.magic) && match; j++ {
			match = c.magic[j] == '?' || c.magic[j] == head[j]
		}
		if match {
			return c
		}
	}
	return nil
}

// Load decodes the photo file at path, as Decode does. Every error starts
// with path.
func Load(path string, opts DecodeOptions) (*Image, error) {
	f, err := os.Open(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("%s: is a folder, not a photo", path)
	}
	m, err := Decode(f, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// Decode reads a JPEG, PNG, GIF (first frame), BMP, TIFF or WebP image and
// converts it to an Image, applying the EXIF orientation of JPEG and TIFF
// files so the result is upright.
//
// The size given by the header is checked against opts before the pixels
// are decoded; an image above the limit yields an error wrapping
// ErrTooLarge. Data in no supported format yields ErrUnknownFormat, no data
// at all ErrEmpty. Damaged or truncated data yields an error, never a panic.
func Decode(r io.Reader, opts DecodeOptions) (*Image, error) {
	limit := opts.maxPixels()
	br := bufio.NewReader(r)
	head, err := br.Peek(16)
	if len(head) == 0 {
		if err == nil || err == io.EOF {
			return nil, ErrEmpty
		}
		return nil, fmt.Errorf("read: %w", err)
	}
	c := sniff(head)
	if c == nil {
		return nil, ErrUnknownFormat
	}
	data, err := readAtMost(br, maxFileBytes(limit))
	if err != nil {
		return nil, err
	}

	cfg, err := c.decodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, damaged(c, "header", err)
	}
	if err := checkSize(cfg.Width, cfg.Height, limit); err != nil {
		return nil, err
	}
	src, err := decodeRecovering(c, data)
	if err == nil && src == nil {
		err = errors.New("decoder returned no image")
	}
	if err != nil {
		return nil, damaged(c, "data", err)
	}
	if b := src.Bounds(); b.Dx() != cfg.Width || b.Dy() != cfg.Height {
		src = onCanvas(src, cfg)
	}
	m := FromImage(src)
	if c.orientation != nil {
		m = m.oriented(c.orientation(data))
	}
	return m, nil
}

// onCanvas returns the part of src inside the image the header cfg
// describes, on a transparent canvas of that size. The first frame of a GIF
// file may cover only part of its logical screen; other decoders never
// return a size other than their header's, and this keeps the result within
// the size already checked if one does.
func onCanvas(src image.Image, cfg image.Config) image.Image {
	canvas := image.NewNRGBA(image.Rect(0, 0, cfg.Width, cfg.Height))
	b := src.Bounds()
	draw.Draw(canvas, b, src, b.Min, draw.Src)
	return canvas
}

// readAtMost reads all of r, refusing more than limit bytes.
func readAtMost(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: file holds more than %d MB", ErrTooLarge, limit>>20)
	}
	return data, nil
}

// checkSize returns an error wrapping ErrTooLarge when a width×height image
// has more than limit pixels, or an error for an image without pixels.
func checkSize(width, height, limit int) error {
	if width <= 0 || height <= 0 {
		return fmt.Errorf("damaged header: image is %d×%d pixels", width, height)
	}
	if height > limit/width {
		return fmt.Errorf("%w: %d×%d pixels (%s), above the limit of %s",
			ErrTooLarge, width, height, countPixels(float64(width)*float64(height)), countPixels(float64(limit)))
	}
	return nil
}

// countPixels writes a pixel count for people: "12.3 megapixels", or
// "5000 pixels" below a tenth of a megapixel.
func countPixels(n float64) string {
	if n < 100_000 {
		return strconv.FormatFloat(n, 'f', 0, 64) + " pixels"
	}
	mp := math.Round(n/100_000) / 10
	return strconv.FormatFloat(mp, 'f', -1, 64) + " megapixels"
}

// damaged describes a decoder's error about part ("header" or "data") of a
// file of c's format.
func damaged(c *codec, part string, err error) error {
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return fmt.Errorf("truncated %s file: %w", c.name, err)
	case part == "header":
		return fmt.Errorf("damaged %s header: %w", c.name, err)
	}
	// Decoders often report a file cut short as bad data.
	return fmt.Errorf("damaged or truncated %s %s: %w", c.name, part, err)
}

// decodeRecovering decodes data with c, turning a panic of the decoder into
// an error: a last line of defence against hostile files.
func decodeRecovering(c *codec, data []byte) (img image.Image, err error) {
	defer func() {
		if p := recover(); p != nil {
			img, err = nil, fmt.Errorf("decoder failed: %v", p)
		}
	}()
	return c.decode(bytes.NewReader(data))
}
