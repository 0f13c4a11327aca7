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

// Plane is one input channel of InferPlanes: its h×w values, or, when
// Values is nil, Fill at every pixel — a noise-level map of one level or
// an empty mask, without materialising it.
type Plane struct {
	Values []float32
	Fill   float32
}

// Infer runs the network over a whole image src of spec.In planar channels
// of h×w and returns spec.Out planar channels of h×w. The image is
// processed in overlapping tiles, so memory stays bounded whatever its
// size; sides that are not multiples of the network's Multiple are
// extended by mirroring. progress, when not nil, is called after each
// pass with the tiles done and their total. Infer stops with ctx's error
// when ctx is cancelled.
func (n *Net) Infer(ctx context.Context, src []float32, h, w int, opts TileOptions, progress func(done, total int)) ([]float32, error) {
	cin := n.spec.In
	if h <= 0 || w <= 0 || len(src) != cin*h*w {
		return nil, fmt.Errorf("convae: Infer got %d values for %d×%d×%d", len(src), cin, h, w)
	}
	planes := make([]Plane, cin)
	for c := range planes {
		planes[c].Values = src[c*h*w : (c+1)*h*w]
	}
	return n.InferPlanes(ctx, planes, h, w, opts, progress)
}

// checkPlanes returns an error unless planes are the network's input
// channels of an h×w picture.
func (n *Net) checkPlanes(planes []Plane, h, w int) error {
	if h <= 0 || w <= 0 || len(planes) != n.spec.In {
		return fmt.Errorf("convae: Infer got %d planes of %d×%d for %d channels", len(planes), h, w, n.spec.In)
	}
	for c, p := range planes {
		if p.Values != nil && len(p.Values) != h*w {
			return fmt.Errorf("convae: Infer got %d values in plane %d of %d×%d", len(p.Values), c, h, w)
		}
	}
	return nil
}

// InferPlanes is Infer with the input given plane by plane, so that a
// constant plane costs no memory.
func (n *Net) InferPlanes(ctx context.Context, planes []Plane, h, w int, opts TileOptions, progress func(done, total int)) ([]float32, error) {
	if err := n.checkPlanes(planes, h, w); err != nil {
		return nil, err
	}
	cin, cout := n.spec.In, n.spec.Out
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
	// The blending ramps of the tiles sum to 1 at every pixel (a falling
	// ramp meets a rising one across each inner core edge, and the tiles
	// form a grid), so the weighted outputs add up to the result without
	// a division.
	dst := make([]float32, cout*h*w)
	ramps := make([]float32, ww)
	x := NewTensor(Shape{min(batch, len(wins)), cin, wh, ww})
	for done := 0; done < len(wins); {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		k := min(batch, len(wins)-done)
		x.reshape(Shape{k, cin, wh, ww})
		for i := 0; i < k; i++ {
			win, item := wins[done+i], x.Item(i)
			parallel(n.ws, cin*wh, func(_ *worker, lo, hi int) {
				extract(planes, h, w, win, item, wh, ww, lo, hi)
			})
		}
		y := n.Forward(x)
		for i := 0; i < k; i++ {
			win, item := wins[done+i], y.Item(i)
			y0, y1 := win.rows(blend, h, wh)
			xr := win.columnRamps(ramps, blend, w, wp, ww)
			parallel(n.ws, y1-y0, func(_ *worker, lo, hi int) {
				accumulate(dst, h, w, win, item, cout, wh, ww, xr, blend, hp, y0+lo, y0+hi)
			})
		}
		done += k
		if progress != nil {
			progress(done, len(wins))
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

// extract copies rows [lo, hi) of the input rectangle of win, counted
// over all channels (row r is row r%wh of channel r/wh), into dst
// (c×wh×ww).
func extract(planes []Plane, h, w int, win window, dst []float32, wh, ww, lo, hi int) {
	for r := lo; r < hi; r++ {
		ch, y := r/wh, r%wh
		out := dst[(ch*wh+y)*ww:][:ww]
		p := planes[ch]
		if p.Values == nil {
			for x := range out {
				out[x] = p.Fill
			}
			continue
		}
		row := p.Values[mirror(win.y0+y, h)*w:][:w]
		if win.x0+ww <= w {
			copy(out, row[win.x0:])
			continue
		}
		for x := range out {
			out[x] = row[mirror(win.x0+x, w)]
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

// rows returns the source rows [y0, y1) that win contributes to: its core
// and blending bands, inside the source image of h rows and the window.
func (win window) rows(b, h, wh int) (y0, y1 int) {
	return max(win.cy0-b, 0, win.y0), min(win.cy1+b, h, win.y0+wh)
}

// columnRamps fills buf with the horizontal blending weights of the source
// columns [x0, x1) that win contributes to, and returns them; buf[i] is
// the weight of column x0+i, and x0 is max(cx0-b, 0, win.x0).
func (win window) columnRamps(buf []float32, b, w, wp, ww int) []float32 {
	x0, x1 := max(win.cx0-b, 0, win.x0), min(win.cx1+b, w, win.x0+ww)
	buf = buf[:x1-x0]
	for i := range buf {
		buf[i] = ramp(x0+i, win.cx0, win.cx1, b, wp)
	}
	return buf
}

// accumulate adds the output y of win, weighted by its blending ramps
// (xr from columnRamps, and the ramp of each row), to rows [y0, y1) of
// dst. Where both ramps are 1, no other tile contributes: the values are
// copied.
func accumulate(dst []float32, h, w int, win window, y []float32, c, wh, ww int, xr []float32, b, hp, y0, y1 int) {
	x0 := max(win.cx0-b, 0, win.x0)
	// xr is 1 on [xa, xb) and below 1 on either side.
	xa := 0
	for xa < len(xr) && xr[xa] < 1 {
		xa++
	}
	xb := len(xr)
	for xb > xa && xr[xb-1] < 1 {
		xb--
	}
	for py := y0; py < y1; py++ {
		wy := ramp(py, win.cy0, win.cy1, b, hp)
		if wy == 0 {
			continue
		}
		for ch := 0; ch < c; ch++ {
			d := dst[(ch*h+py)*w+x0:][:len(xr)]
			s := y[(ch*wh+py-win.y0)*ww+x0-win.x0:][:len(xr)]
			if wy < 1 {
				addWeighted(d, s, xr, wy)
				continue
			}
			addWeighted(d[:xa], s[:xa], xr[:xa], 1)
			copy(d[xa:xb], s[xa:xb])
			addWeighted(d[xb:], s[xb:], xr[xb:], 1)
		}
	}
}

// addWeighted sets d[i] += scale·weight[i]·s[i].
func addWeighted(d, s, weight []float32, scale float32) {
	s, weight = s[:len(d)], weight[:len(d)]
	for i, wx := range weight {
		d[i] += scale * wx * s[i]
	}
}
