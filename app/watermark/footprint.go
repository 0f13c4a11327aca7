package watermark

// Footprint writes into mask (w×h values) 1 within radius pixels (a square
// neighbourhood) of every pixel whose value in src exceeds threshold, and 0
// elsewhere: from a mark's opacity, the mask a user would paint over it.
func Footprint(mask, src []float32, w, h, radius int, threshold float32) {
	over := make([]float32, w*h)
	for i, v := range src[:w*h] {
		if v > threshold {
			over[i] = 1
		}
	}
	// A square neighbourhood is separable: widen along rows, then columns.
	rows := make([]float32, w*h)
	dilate(rows, over, h, w, 1, w, radius)
	dilate(mask, rows, w, h, w, 1, radius)
}

// dilate sets dst to 1 where src has a 1 within radius steps along lines of
// n values spaced by step, the lines starting every stride values; 0
// elsewhere. It keeps a count of the ones inside the sliding window.
func dilate(dst, src []float32, lines, n, step, stride, radius int) {
	for l := 0; l < lines; l++ {
		at := func(k int) int { return l*stride + k*step }
		inside := 0
		for k := 0; k < min(radius, n); k++ {
			inside += int(src[at(k)])
		}
		for k := 0; k < n; k++ {
			if k+radius < n {
				inside += int(src[at(k+radius)])
			}
			if k-radius-1 >= 0 {
				inside -= int(src[at(k-radius-1)])
			}
			dst[at(k)] = 0
			if inside > 0 {
				dst[at(k)] = 1
			}
		}
	}
}
