package noise

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"strconv"

	"diabolo/app/picture"
)

// JPEG compression quality bounds accepted by image/jpeg.
const (
	minJPEGQuality = 1
	maxJPEGQuality = 100
)

// JPEG reproduces compression artefacts (blocking, ringing, colour bleeding)
// by encoding the picture with image/jpeg at a quality and decoding it back
// into the same Image. Colour pictures are encoded as Y'CbCr 4:2:0, gray
// ones as a single luminance channel; the colour values are rounded to 8 bits
// first, as in any 8-bit JPEG file.
//
// JPEG artefacts have no standard deviation of their own, so its Level is a
// measured proxy: the root mean square of the change the round trip made to
// the colour values.
//
// Apply allocates an 8-bit copy of the picture and the compressed bytes on
// every call.
type JPEG struct {
	// MinQuality and MaxQuality bound the quality, drawn uniformly among the
	// integers between them, both in 1–100 and MinQuality ≤ MaxQuality.
	MinQuality, MaxQuality int
}

// Apply implements Model. It panics only if image/jpeg fails to encode or
// decode an in-memory picture, which would be a bug.
func (j JPEG) Apply(img *picture.Image, rng *rand.Rand) Level {
	quality := j.MinQuality
	if j.MaxQuality > j.MinQuality {
		quality += rng.IntN(j.MaxQuality - j.MinQuality + 1)
	}
	var compressed bytes.Buffer
	if err := jpeg.Encode(&compressed, toImage8(img), &jpeg.Options{Quality: quality}); err != nil {
		panic(fmt.Sprintf("noise: jpeg encode of a %dx%d picture: %v", img.Width, img.Height, err))
	}
	decoded, err := jpeg.Decode(&compressed)
	if err != nil {
		panic(fmt.Sprintf("noise: jpeg decode of our own %dx%d picture: %v", img.Width, img.Height, err))
	}
	return Level(replacePixels(img, decoded))
}

// String implements Model.
func (j JPEG) String() string {
	s := kindJPEG + ":" + strconv.Itoa(j.MinQuality)
	if j.MaxQuality != j.MinQuality {
		s += "-" + strconv.Itoa(j.MaxQuality)
	}
	return s
}

// toImage8 returns the colour planes of img rounded to 8 bits: an
// *image.Gray for a gray picture, an *image.RGBA otherwise.
func toImage8(img *picture.Image) image.Image {
	w, h := img.Width, img.Height
	bounds := image.Rect(0, 0, w, h)
	if img.Gray {
		gray := image.NewGray(bounds)
		for i, v := range img.Plane(0) {
			gray.Pix[i] = to8(v)
		}
		return gray
	}
	rgba := image.NewRGBA(bounds)
	red, green, blue := img.Plane(0), img.Plane(1), img.Plane(2)
	for i := range w * h {
		rgba.Pix[4*i+0] = to8(red[i])
		rgba.Pix[4*i+1] = to8(green[i])
		rgba.Pix[4*i+2] = to8(blue[i])
		rgba.Pix[4*i+3] = 0xff
	}
	return rgba
}

// to8 rounds a value in [0, 1] to the nearest 8-bit level, clamping first.
func to8(v float32) uint8 {
	return uint8(min(max(v, 0), 1)*255 + 0.5)
}

// replacePixels overwrites the colour planes of img with decoded, which has
// the same size, and returns the root mean square of the change.
func replacePixels(img *picture.Image, decoded image.Image) float64 {
	w, h := img.Width, img.Height
	n := w * h
	var sumSquares float64
	set := func(c, i int, v uint8) {
		nv := float32(v) / 255
		d := float64(nv - img.Pix[c*n+i])
		sumSquares += d * d
		img.Pix[c*n+i] = nv
	}
	switch m := decoded.(type) {
	case *image.Gray:
		for y := range h {
			for x := range w {
				v := m.Pix[m.PixOffset(x, y)]
				for c := range picture.Channels {
					set(c, y*w+x, v)
				}
			}
		}
	case *image.YCbCr:
		for y := range h {
			for x := range w {
				r, g, b := color.YCbCrToRGB(m.Y[m.YOffset(x, y)], m.Cb[m.COffset(x, y)], m.Cr[m.COffset(x, y)])
				i := y*w + x
				set(0, i, r)
				set(1, i, g)
				set(2, i, b)
			}
		}
	default:
		for y := range h {
			for x := range w {
				c := color.RGBAModel.Convert(decoded.At(x, y)).(color.RGBA)
				i := y*w + x
				set(0, i, c.R)
				set(1, i, c.G)
				set(2, i, c.B)
			}
		}
	}
	return math.Sqrt(sumSquares / float64(picture.Channels*n))
}
