package dataset

import (
	"context"
	"fmt"
	"iter"
	"math/rand/v2"

	"diabolo/app/picture"
)

// ValCrops returns n fixed side×side crops for measuring a network: the
// same crops for the same seed and files. They are cut from the validation
// images, or from the training images when there are no usable validation
// images. Up to n images are drawn in a seeded order among those with both
// sides at least side; crop i comes from image i mod m of the m found, at
// its centre on the first pass and at seeded positions after. The crops
// are new images the caller owns.
//
// ValCrops fails if n or side is not positive, or if no usable image is
// large enough.
func (d *Dataset) ValCrops(n, side int, seed uint64) ([]*picture.Image, error) {
	if n <= 0 || side <= 0 {
		return nil, fmt.Errorf("dataset: %d validation crops of side %d", n, side)
	}
	rng := rand.New(rand.NewPCG(seed, 0x7a1_c4095))
	var imgs []*picture.Image
	for _, set := range [][2]int{{d.nTrain, len(d.items)}, {0, d.nTrain}} {
		from, to := set[0], set[1]
		for _, j := range rng.Perm(to - from) {
			img, ok := d.image(from + j)
			if ok && img.Width >= side && img.Height >= side {
				imgs = append(imgs, img)
				if len(imgs) == n {
					break
				}
			}
		}
		if len(imgs) > 0 {
			break
		}
	}
	if len(imgs) == 0 {
		if d.usable() == 0 {
			return nil, d.noImages()
		}
		return nil, fmt.Errorf("dataset: no usable image is at least %d×%d for validation crops: %w", side, side, ErrTooSmall)
	}
	crops := make([]*picture.Image, n)
	for i := range crops {
		img := imgs[i%len(imgs)]
		x, y := (img.Width-side)/2, (img.Height-side)/2
		if i >= len(imgs) {
			x, y = rng.IntN(img.Width-side+1), rng.IntN(img.Height-side+1)
		}
		crops[i] = crop(img, x, y, side)
	}
	return crops, nil
}

// usable returns the number of images not skipped so far.
func (d *Dataset) usable() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.items) - d.failedTrain - d.failedVal
}

// crop returns a copy of the side×side square of img at (x0, y0).
func crop(img *picture.Image, x0, y0, side int) *picture.Image {
	out := picture.New(side, side)
	out.Gray = img.Gray
	plane := img.Width * img.Height
	for c := range picture.Channels {
		src, dst := img.Pix[c*plane:(c+1)*plane], out.Plane(c)
		for y := range side {
			o := (y0+y)*img.Width + x0
			copy(dst[y*side:(y+1)*side], src[o:o+side])
		}
	}
	return out
}

// ValImages returns an iterator over the usable validation images, whole,
// with their paths, in path order; over the training images when there are
// no usable validation images. Images are decoded as the loop reaches them
// and shared with the cache: they must not be modified.
func (d *Dataset) ValImages() iter.Seq2[string, *picture.Image] {
	return func(yield func(string, *picture.Image) bool) {
		for _, set := range [][2]int{{d.nTrain, len(d.items)}, {0, d.nTrain}} {
			found := false
			for i := set[0]; i < set[1]; i++ {
				img, ok := d.image(i)
				if !ok {
					continue
				}
				found = true
				if !yield(d.items[i].path, img) {
					return
				}
			}
			if found {
				return
			}
		}
	}
}

// Preload decodes images into the cache, training images first, so that
// the first steps of training do not wait for the disk; it also finds
// unusable files early. It stops when every image has been tried, when ctx
// is done (returning ctx.Err()), or when the cache has less room left than
// the last image it decoded took, so that it never pushes out what it just
// loaded. progress, when not nil, is called after each image with the
// number tried and the number of images in the dataset.
//
// Preload is meant to run on its own goroutine while samplers are in use.
func (d *Dataset) Preload(ctx context.Context, progress func(done, total int)) error {
	total := len(d.items)
	for i := range total {
		if err := ctx.Err(); err != nil {
			return err
		}
		img, ok := d.image(i)
		if progress != nil {
			progress(i+1, total)
		}
		if ok && d.free() < imageBytes(img) {
			return nil
		}
	}
	return nil
}

// free returns the room left in the cache, in bytes.
func (d *Dataset) free() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.opts.CacheBytes - d.used
}
