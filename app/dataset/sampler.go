package dataset

import (
	"fmt"
	"math/rand/v2"

	"diabolo/app/picture"
)

// Sampler cuts random training patches from a Dataset. Each goroutine
// needs its own Sampler; the Dataset behind them is shared.
type Sampler struct {
	d   *Dataset
	rng *rand.Rand
}

// NewSampler returns a Sampler whose patches depend only on seed and on
// the files of the dataset: two samplers with the same seed over the same
// files produce the same patches, whatever the state of the cache.
func (d *Dataset) NewSampler(seed uint64) *Sampler {
	return &Sampler{d: d, rng: rand.New(rand.NewPCG(seed, 0x5a3c_d1ab_0105_da7a))}
}

// Fill writes n random clean patches of side patch into dst, one after the
// other, each as 3 planar channels of patch×patch values in [0, 1]:
// exactly the Data of an n×3×patch×patch NCHW tensor.
//
// Each patch comes from a training image drawn uniformly (every image is
// equally likely, whatever its size), at a uniformly drawn position, under
// one of the 8 flips and quarter turns drawn uniformly. Unusable images are
// skipped and another is drawn. With the images cached, Fill allocates
// nothing.
//
// Fill returns an error wrapping ErrNoImages when every training image has
// been skipped, and an error when patch exceeds the smallest image side the
// dataset accepts (Options.Patch or MinSide). It panics if n is negative,
// patch is not positive or dst holds fewer than n*3*patch*patch values.
func (s *Sampler) Fill(dst []float32, n, patch int) error {
	if n < 0 || patch <= 0 {
		panic(fmt.Sprintf("dataset: Fill with %d patches of side %d", n, patch))
	}
	size := picture.Channels * patch * patch
	if len(dst) < n*size {
		panic(fmt.Sprintf("dataset: Fill needs %d values for %d patches of side %d, dst has %d", n*size, n, patch, len(dst)))
	}
	if patch > s.d.minSide {
		return fmt.Errorf("dataset: patch side %d exceeds the smallest accepted image side %d (set Options.Patch)", patch, s.d.minSide)
	}
	for k := range n {
		img, err := s.pick()
		if err != nil {
			return err
		}
		x := s.rng.IntN(img.Width - patch + 1)
		y := s.rng.IntN(img.Height - patch + 1)
		t := s.rng.IntN(8)
		cropTransformed(dst[k*size:(k+1)*size], img, x, y, patch, t)
	}
	return nil
}

// pick draws training images until one is usable.
func (s *Sampler) pick() (*picture.Image, error) {
	d := s.d
	for {
		if img, ok := d.image(s.rng.IntN(d.nTrain)); ok {
			return img, nil
		}
		d.mu.Lock()
		exhausted := d.failedTrain == d.nTrain
		d.mu.Unlock()
		if exhausted {
			return nil, d.noImages()
		}
	}
}

// cropTransformed writes into dst (3×p×p planar) the p×p square of img
// whose top-left corner is (x0, y0), under dihedral transform t in [0, 8):
// output pixel (x, y) is source pixel (x0+u, y0+v) where (u, v) is (x, y),
// swapped if t&4 != 0, then u mirrored (p-1-u) if t&1 != 0 and v mirrored
// if t&2 != 0.
//
// The source is read row by row: photos are far larger than the
// processor's caches, and walking down a column of one would wait on
// memory at every pixel. Unswapped, each source row is an output row,
// possibly reversed. Swapped, each source row is an output column; four
// source rows are handled together so that each step writes four adjacent
// output values.
func cropTransformed(dst []float32, img *picture.Image, x0, y0, p, t int) {
	w, plane := img.Width, img.Width*img.Height
	flipU, flipV, swap := t&1 != 0, t&2 != 0, t&4 != 0
	for c := range picture.Channels {
		src := img.Pix[c*plane+y0*w+x0 : (c+1)*plane]
		out := dst[c*p*p : (c+1)*p*p]
		if swap {
			transposeCrop(out, src, w, p, flipU, flipV)
			continue
		}
		for v := range p {
			row := src[v*w : v*w+p]
			vv := v
			if flipV {
				vv = p - 1 - v
			}
			o := out[vv*p : vv*p+p]
			if !flipU {
				copy(o, row)
				continue
			}
			o = o[:len(row)]
			for u, x := range row {
				o[len(o)-1-u] = x
			}
		}
	}
}

// transposeCrop writes into out (p×p) the p×p square at the start of src
// (rows w apart), transposed: out[y][x] = src[v][u] with u = y and v = x,
// then u mirrored if flipU and v mirrored if flipV.
func transposeCrop(out, src []float32, w, p int, flipU, flipV bool) {
	// Source row v goes to output column x = v, or p-1-v when flipV.
	// Source column u goes to output row y = u, or p-1-u when flipU.
	v := 0
	for ; v+4 <= p; v += 4 {
		r0 := src[v*w : v*w+p]
		r1 := src[(v+1)*w : (v+1)*w+p]
		r2 := src[(v+2)*w : (v+2)*w+p]
		r3 := src[(v+3)*w : (v+3)*w+p]
		x := v // output column of r0; r1..r3 follow (or precede, when flipped)
		if flipV {
			x = p - 4 - v
			r0, r1, r2, r3 = r3, r2, r1, r0
		}
		for u := range r0 {
			y := u
			if flipU {
				y = p - 1 - u
			}
			q := out[y*p+x : y*p+x+4 : y*p+x+4]
			q[0], q[1], q[2], q[3] = r0[u], r1[u], r2[u], r3[u]
		}
	}
	for ; v < p; v++ {
		row := src[v*w : v*w+p]
		x := v
		if flipV {
			x = p - 1 - v
		}
		for u, val := range row {
			y := u
			if flipU {
				y = p - 1 - u
			}
			out[y*p+x] = val
		}
	}
}
