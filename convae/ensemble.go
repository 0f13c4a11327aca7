package convae

import (
	"context"
	"fmt"
)

// A symmetry is one of the eight flips and transposes of a picture that a
// self-ensemble runs a network on.
type symmetry struct {
	transpose, flipX, flipY bool
}

// symmetryOf returns the i-th symmetry (i from 0 to 7) in the order a
// self-ensemble of k uses the first k: the picture itself, its mirror
// images, then its transposes, so that 2 and 4 keep the picture's
// orientation and only 8 turns it.
func symmetryOf(i int) symmetry {
	return symmetry{transpose: i&4 != 0, flipX: i&1 != 0, flipY: i&2 != 0}
}

// CheckSelfEnsemble returns an error unless k is a size of self-ensemble
// that InferSelfEnsemble runs: 1, 2, 4 or 8.
func CheckSelfEnsemble(k int) error {
	if k != 1 && k != 2 && k != 4 && k != 8 {
		return fmt.Errorf("%d: want 1, 2, 4 or 8", k)
	}
	return nil
}

// size returns the sides of a w×h picture under s.
func (s symmetry) size(w, h int) (int, int) {
	if s.transpose {
		return h, w
	}
	return w, h
}

// index returns where pixel (x, y) of a w×h picture lands in the picture
// under s, as an index into its planes.
func (s symmetry) index(x, y, w, h int) int {
	if s.transpose {
		x, y, w, h = y, x, h, w
	}
	if s.flipX {
		x = w - 1 - x
	}
	if s.flipY {
		y = h - 1 - y
	}
	return y*w + x
}

// InferSelfEnsemble is InferPlanes run on k symmetries of the picture —
// 1, 2 (and its mirror image), 4 (and upside down) or 8 (and transposed)
// — each output turned back and the k averaged: a self-ensemble, which a
// network trained on pictures in every orientation treats as k estimates
// whose errors partly cancel, for k times the work. progress counts the
// tiles of all k passes.
func (n *Net) InferSelfEnsemble(ctx context.Context, planes []Plane, h, w int, opts TileOptions, k int, progress func(done, total int)) ([]float32, error) {
	if err := CheckSelfEnsemble(k); err != nil {
		return nil, fmt.Errorf("convae: a self-ensemble of %w", err)
	}
	if k == 1 {
		return n.InferPlanes(ctx, planes, h, w, opts, progress)
	}
	if err := n.checkPlanes(planes, h, w); err != nil {
		return nil, err
	}
	var report func(done, total int)
	if progress != nil {
		report = func(done, total int) { progress(done, k*total) }
	}
	// The picture itself first: its output starts the sum.
	sum, err := n.InferPlanes(ctx, planes, h, w, opts, report)
	if err != nil {
		return nil, err
	}
	pixels := w * h
	turned := make([]Plane, len(planes))
	for c, p := range planes {
		turned[c] = p
		if p.Values != nil {
			turned[c].Values = make([]float32, pixels)
		}
	}
	for pass := 1; pass < k; pass++ {
		s := symmetryOf(pass)
		for c, p := range planes {
			if p.Values == nil {
				continue
			}
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					turned[c].Values[s.index(x, y, w, h)] = p.Values[y*w+x]
				}
			}
		}
		if progress != nil {
			report = func(done, total int) { progress(pass*total+done, k*total) }
		}
		tw, th := s.size(w, h)
		out, err := n.InferPlanes(ctx, turned, th, tw, opts, report)
		if err != nil {
			return nil, err
		}
		for c := 0; c < len(out)/pixels; c++ {
			dst, src := sum[c*pixels:(c+1)*pixels], out[c*pixels:(c+1)*pixels]
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					dst[y*w+x] += src[s.index(x, y, w, h)]
				}
			}
		}
	}
	for i := range sum {
		sum[i] /= float32(k)
	}
	return sum, nil
}
