package convae

import (
	"context"
	"fmt"
)

// TileOptions configure tiled inference. Zero values select defaults.
type TileOptions struct {
	// Tile is the side of the square each pass produces, rounded up to a
	// multiple of the network's Multiple. Default 512.
	Tile int
	// Context is the extra input read around each tile so that its pixels
	// see what they would see in one whole-image pass. Default: the spec's
	// receptive radius, capped at 32 pixels: the far edge of a deep U-Net's
	// receptive field weighs little, and the blend hides what it changes.
	Context int
	// Blend is the width of the band over which neighbouring tiles are
	// cross-faded, hiding any seam where Context is shorter than the
	// receptive radius. Default 8.
	Blend int
	// Batch is the number of tiles per forward pass. Default: the number of
	// workers, so that each worker takes a tile.
	Batch int
}

// window is one tile: the input rectangle read, and the core it produces.
type window struct{ y0, x0, cy0, cy1, cx0, cx1 int }

// Infer runs the network over a whole image src of spec.In planar channels
// of h×w and returns spec.Out planar channels of h×w. The image is
// processed in overlapping tiles, so memory stays bounded whatever its
// size; sides that are not multiples of the network's Multiple are
// extended by mirroring. progress, when not nil, is called after each
// pass with the tiles done and their total. Infer stops with ctx's error
// when ctx is cancelled.
func (n *Net) Infer(ctx context.Context, src []float32, h, w int, opts TileOptions, progress func(done, total int)) ([]float32, error) {
	cin, cout := n.spec.In, n.spec.Out
	if h <= 0 || w <= 0 || len(src) != cin*h*w {
		return nil, fmt.Errorf("convae: Infer got %d values for %d×%d×%d", len(src), cin, h, w)
	}
	m := n.spec.Multiple()
	roundUp := func(v int) int { return (v + m - 1) / m * m }
	tile := roundUp(max(1, withDefault(opts.Tile, 512)))
	ctxPx := opts.Context
	if ctxPx <= 0 {
		ctxPx = min(n.spec.ReceptiveRadius(), 32)
	}
	ctxPx = roundUp(ctxPx)
	blend := min(withDefault(opts.Blend, 8), ctxPx)
	batch := max(1, withDefault(opts.Batch, len(n.ws)))

	hp, wp := roundUp(h), roundUp(w) // the mirrored, padded image
	wh, ww := min(hp, tile+2*ctxPx), min(wp, tile+2*ctxPx)
	var wins []window
	for cy := 0; cy < hp; cy += tile {
		for cx := 0; cx < wp; cx += tile {
			wins = append(wins, window{
				y0: clampInt(cy-ctxPx, 0, hp-wh), x0: clampInt(cx-ctxPx, 0, wp-ww),
				cy0: cy, cy1: min(cy+tile, hp), cx0: cx, cx1: min(cx+tile, wp),
			})
		}
	}
	dst := make([]float32, cout*h*w)
	weight := make([]float32, h*w)
	x := NewTensor(Shape{min(batch, len(wins)), cin, wh, ww})
	for done := 0; done < len(wins); {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		k := min(batch, len(wins)-done)
		x.reshape(Shape{k, cin, wh, ww})
		for i := 0; i < k; i++ {
			extract(src, h, w, wins[done+i], x.Item(i), cin, wh, ww)
		}
		y := n.Forward(x)
		for i := 0; i < k; i++ {
			accumulate(dst, weight, h, w, wins[done+i], y.Item(i), cout, wh, ww, blend, hp, wp)
		}
		done += k
		if progress != nil {
			progress(done, len(wins))
		}
	}
	for c := 0; c < cout; c++ {
		plane := dst[c*h*w : (c+1)*h*w]
		for i, wt := range weight {
			plane[i] /= wt
		}
	}
	return dst, nil
}

func withDefault(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}

func clampInt(v, lo, hi int) int { return max(lo, min(v, hi)) }

// mirror maps a coordinate of the padded image to the source (h pixels),
// reflecting about the last pixel.
func mirror(v, h int) int {
	if v < h {
		return v
	}
	v = 2*(h-1) - v
	return max(v, 0)
}

// extract copies the input rectangle of win into dst (c×wh×ww).
func extract(src []float32, h, w int, win window, dst []float32, c, wh, ww int) {
	for ch := 0; ch < c; ch++ {
		plane := src[ch*h*w : (ch+1)*h*w]
		for y := 0; y < wh; y++ {
			row := plane[mirror(win.y0+y, h)*w:][:w]
			out := dst[(ch*wh+y)*ww:][:ww]
			if win.x0+ww <= w {
				copy(out, row[win.x0:])
				continue
			}
			for x := range out {
				out[x] = row[mirror(win.x0+x, w)]
			}
		}
	}
}

// ramp is the weight of position v in the core [c0, c1) of a tile extended
// by b on each side that has a neighbour: 1 inside, falling linearly to 0
// across the 2b-wide band centred on each inner core edge.
func ramp(v, c0, c1, b, size int) float32 {
	wt := float32(1)
	if b > 0 && c0 > 0 {
		wt = min(wt, (float32(v-(c0-b))+0.5)/float32(2*b))
	}
	if b > 0 && c1 < size {
		wt = min(wt, (float32((c1+b)-v)-0.5)/float32(2*b))
	}
	return max(wt, 0)
}

// accumulate adds the output of win, weighted by its blending ramps, to
// dst and the weights to weight, for the pixels inside the source image.
func accumulate(dst, weight []float32, h, w int, win window, y []float32, c, wh, ww, b, hp, wp int) {
	ry0, ry1 := max(win.cy0-b, 0, win.y0), min(win.cy1+b, h, win.y0+wh)
	rx0, rx1 := max(win.cx0-b, 0, win.x0), min(win.cx1+b, w, win.x0+ww)
	for py := ry0; py < ry1; py++ {
		wy := ramp(py, win.cy0, win.cy1, b, hp)
		if wy == 0 {
			continue
		}
		for px := rx0; px < rx1; px++ {
			wt := wy * ramp(px, win.cx0, win.cx1, b, wp)
			if wt == 0 {
				continue
			}
			weight[py*w+px] += wt
			for ch := 0; ch < c; ch++ {
				dst[(ch*h+py)*w+px] += wt * y[(ch*wh+py-win.y0)*ww+px-win.x0]
			}
		}
	}
}
