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
