// Package vec holds the element-wise loops of the convolution layers —
// bias and activation after a product, the activation's gradient, and
// accumulation — in AVX2 assembly on amd64 CPUs that have it, and in Go
// elsewhere (or when built with the purego tag).
package vec

// BiasAct sets v[i] = act(v[i] + bias) where act(x) = max(x, slope·x):
// slope 0 is ReLU, 0 < slope < 1 a leaky ReLU, and slope 1 no activation.
// ReLU may give -0 for negative inputs.
func BiasAct(v []float32, bias, slope float32) {
	if hasAVX2 {
		biasActAVX2(v, bias, slope)
		return
	}
	biasActGo(v, bias, slope)
}

// ActGrad multiplies the gradient dy by the derivative of
// act(x) = max(x, slope·x), read from the activation's output y: dy[i] is
// kept where y[i] > 0 and multiplied by slope elsewhere. It panics if dy is
// shorter than y.
func ActGrad(y, dy []float32, slope float32) {
	dy = dy[:len(y)]
	if hasAVX2 {
		actGradAVX2(y, dy, slope)
		return
	}
	actGradGo(y, dy, slope)
}

// Add sets dst[i] += src[i]. It panics if dst is shorter than src.
func Add(dst, src []float32) {
	dst = dst[:len(src)]
	if hasAVX2 {
		addAVX2(dst, src)
		return
	}
	addGo(dst, src)
}

func biasActGo(v []float32, bias, slope float32) {
	for i, x := range v {
		x += bias
		if x < 0 {
			x *= slope
		}
		v[i] = x
	}
}

func actGradGo(y, dy []float32, slope float32) {
	dy = dy[:len(y)]
	for i, x := range y {
		if !(x > 0) {
			dy[i] *= slope
		}
	}
}

func addGo(dst, src []float32) {
	dst = dst[:len(src)]
	for i, x := range src {
		dst[i] += x
	}
}

// Sum sets dst[i] = a[i] + b[i] for i < len(dst). It panics if a or b is
// shorter than dst.
func Sum(dst, a, b []float32) {
	a, b = a[:len(dst)], b[:len(dst)]
	if hasAVX2 && len(dst) > 0 {
		sumAVX2(&dst[0], &a[0], &b[0], len(dst))
		return
	}
	for i := range dst {
		dst[i] = a[i] + b[i]
	}
}

// Sub sets dst[i] = a[i] - b[i] for i < len(dst). It panics if a or b is
// shorter than dst.
func Sub(dst, a, b []float32) {
	a, b = a[:len(dst)], b[:len(dst)]
	if hasAVX2 && len(dst) > 0 {
		subAVX2(&dst[0], &a[0], &b[0], len(dst))
		return
	}
	for i := range dst {
		dst[i] = a[i] - b[i]
	}
}

// Sum3 sets dst[i] = a[i] + b[i] + c[i] for i < len(dst). It panics if a,
// b or c is shorter than dst.
func Sum3(dst, a, b, c []float32) {
	a, b, c = a[:len(dst)], b[:len(dst)], c[:len(dst)]
	if hasAVX2 && len(dst) > 0 {
		sum3AVX2(&dst[0], &a[0], &b[0], &c[0], len(dst))
		return
	}
	for i := range dst {
		dst[i] = (a[i] + b[i]) + c[i]
	}
}

// Diff3 sets dst[i] = a[i] - b[i] - c[i] for i < len(dst). It panics if a,
// b or c is shorter than dst.
func Diff3(dst, a, b, c []float32) {
	a, b, c = a[:len(dst)], b[:len(dst)], c[:len(dst)]
	if hasAVX2 && len(dst) > 0 {
		diff3AVX2(&dst[0], &a[0], &b[0], &c[0], len(dst))
		return
	}
	for i := range dst {
		dst[i] = (a[i] - b[i]) - c[i]
	}
}

// Deinterleave sets even[i] = src[2i] and odd[i] = src[2i+1] for
// i < len(src)/2. It panics if even or odd is shorter than that.
func Deinterleave(even, odd, src []float32) {
	n := len(src) / 2
	even, odd = even[:n], odd[:n]
	if hasAVX2 && n >= 8 {
		m := n &^ 7
		deinterleaveAVX2(&even[0], &odd[0], &src[0], m)
		even, odd, src = even[m:], odd[m:], src[2*m:]
	}
	for i := range even {
		even[i] = src[2*i]
		odd[i] = src[2*i+1]
	}
}

// Interleave sets dst[2i] = even[i] and dst[2i+1] = odd[i] for
// i < len(dst)/2. It panics if even or odd is shorter than that.
func Interleave(dst, even, odd []float32) {
	n := len(dst) / 2
	even, odd = even[:n], odd[:n]
	if hasAVX2 && n >= 8 {
		m := n &^ 7
		interleaveAVX2(&dst[0], &even[0], &odd[0], m)
		dst, even, odd = dst[2*m:], even[m:], odd[m:]
	}
	for i := range even {
		dst[2*i] = even[i]
		dst[2*i+1] = odd[i]
	}
}

// GatherEven sets dst[i] = src[2i] for i < len(dst). It panics if src is
// shorter than 2·len(dst)-1.
func GatherEven(dst, src []float32) {
	if len(dst) == 0 {
		return
	}
	src = src[:2*len(dst)-1]
	if hasAVX2 {
		// Blocks of 8 read 16 values: the last block may need one more
		// than src holds, and goes to the loop below.
		m := min(len(dst), len(src)/2) &^ 7
		if m > 0 {
			gatherEvenAVX2(&dst[0], &src[0], m)
			dst, src = dst[m:], src[2*m:]
		}
	}
	for i := range dst {
		dst[i] = src[2*i]
	}
}

// AddEven sets dst[2i] += src[i] for i < len(src). It panics if dst is
// shorter than 2·len(src)-1.
func AddEven(dst, src []float32) {
	if len(src) == 0 {
		return
	}
	dst = dst[:2*len(src)-1]
	if hasAVX2 {
		m := min(len(src), len(dst)/2) &^ 7
		if m > 0 {
			addEvenAVX2(&dst[0], &src[0], m)
			dst, src = dst[2*m:], src[m:]
		}
	}
	for i, v := range src {
		dst[2*i] += v
	}
}
