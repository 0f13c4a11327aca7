package convae

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
)

// randVec returns n normal values, nudged away from 0 by at least 0.05 so
// that finite differences do not straddle an activation's kink.
func randVec(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		x := rng.NormFloat64()
		if math.Abs(x) < 0.05 {
			x = math.Copysign(0.05, x)
		}
		v[i] = float32(x)
	}
	return v
}

// TestGradientsFiniteDifference checks every layer's backward pass against
// central finite differences (gonum's fd.Gradient) of L = Σ y·r for a
// random r, for the input and for the parameters.
func TestGradientsFiniteDifference(t *testing.T) {
	conv := func(transposed bool, out, k, s, p int, act string) func() layer {
		return func() layer {
			return &convLayer{transposed: transposed, out: out, k: k, s: s, p: p, act: activation{kind: act, slope: 0.1}}
		}
	}
	cases := []struct {
		name    string
		make    func() layer
		inputs  []Shape
		nParams func(in Shape) (weights, bias int)
	}{
		{"conv3x3", conv(false, 3, 3, 1, 1, ""), []Shape{{2, 2, 5, 4}}, func(in Shape) (int, int) { return 3 * in.C * 9, 3 }},
		{"conv3x3 stride 2 leaky", conv(false, 2, 3, 2, 1, OpLeakyReLU), []Shape{{2, 3, 6, 5}}, func(in Shape) (int, int) { return 2 * in.C * 9, 2 }},
		{"conv1x1", conv(false, 2, 1, 1, 0, ""), []Shape{{1, 3, 3, 3}}, func(in Shape) (int, int) { return 2 * in.C, 2 }},
		{"convT2x2", conv(true, 2, 2, 2, 0, ""), []Shape{{2, 3, 3, 2}}, func(in Shape) (int, int) { return in.C * 2 * 4, 2 }},
		{"convT4x4 p1 relu", conv(true, 2, 4, 2, 1, OpReLU), []Shape{{1, 2, 3, 3}}, func(in Shape) (int, int) { return in.C * 2 * 16, 2 }},
		{"relu", func() layer { return &actLayer{activation{kind: OpReLU}} }, []Shape{{2, 2, 3, 3}}, nil},
		{"leaky relu", func() layer { return &actLayer{activation{kind: OpLeakyReLU, slope: 0.2}} }, []Shape{{2, 2, 3, 3}}, nil},
		{"sigmoid", func() layer { return sigmoidLayer{} }, []Shape{{2, 2, 3, 3}}, nil},
		{"pixel shuffle", func() layer { return &shuffleLayer{r: 2} }, []Shape{{1, 8, 2, 3}}, nil},
		{"pixel unshuffle", func() layer { return &shuffleLayer{r: 2, inverse: true} }, []Shape{{1, 2, 4, 6}}, nil},
		{"concat", func() layer { return concatLayer{} }, []Shape{{2, 2, 3, 3}, {2, 1, 3, 3}}, nil},
		{"add", func() layer { return addLayer{} }, []Shape{{2, 2, 3, 3}, {2, 2, 3, 3}}, nil},
		{"residual", func() layer { return residualLayer{sign: -1} }, []Shape{{2, 3, 3, 3}, {2, 4, 3, 3}}, nil},
		{"unblend", func() layer { return &unblendLayer{} }, []Shape{{2, 4, 3, 3}, {2, 4, 3, 3}}, nil},
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := c.make()
			var params []float32
			if c.nParams != nil {
				nw, nb := c.nParams(c.inputs[0])
				params = randVec(rng, nw+nb)
				cl := l.(*convLayer)
				cl.weight, cl.bias, cl.bOff = params[:nw], params[nw:], nw
			}
			var inputs []*Tensor
			for _, s := range c.inputs {
				inputs = append(inputs, &Tensor{Shape: s, Data: randVec(rng, s.Len())})
			}
			if _, ok := l.(*unblendLayer); ok {
				// Opacity logits about UnblendOffset: marks of opacity ½
				// or so, where every term of the gradient matters.
				for n := 0; n < inputs[0].N; n++ {
					for i := range inputs[0].Item(n)[:inputs[0].H*inputs[0].W] {
						inputs[0].Item(n)[i] += UnblendOffset
					}
				}
			}
			shapes := make([]Shape, len(inputs))
			for i, in := range inputs {
				shapes[i] = in.Shape
			}
			out := l.outShape(shapes)
			r := &Tensor{Shape: out, Data: randVec(rng, out.Len())}
			_, dx, grads := layerRun(l, 2, params, inputs, r)

			// loss evaluates Σ y·r in float64 after setting v into target.
			loss := func(target []float32) func([]float64) float64 {
				return func(v []float64) float64 {
					saved := append([]float32(nil), target...)
					for i := range v {
						target[i] = float32(v[i])
					}
					y := NewTensor(out)
					l.forward([]*worker{{}}, inputs, y)
					copy(target, saved)
					s := 0.0
					for i, a := range y.Data {
						s += float64(a) * float64(r.Data[i])
					}
					return s
				}
			}
			check := func(what string, target, analytic []float32) {
				x := make([]float64, len(target))
				for i, v := range target {
					x[i] = float64(v)
				}
				num := fd.Gradient(nil, loss(target), x, &fd.Settings{Formula: fd.Central, Step: 1e-2})
				for i, g := range num {
					if d := math.Abs(g - float64(analytic[i])); d > 2e-2*(1+math.Abs(g)) {
						t.Errorf("%s[%d]: backward %g, finite difference %g", what, i, analytic[i], g)
						return
					}
				}
			}
			for i, in := range inputs {
				_, isRes := l.(residualLayer)
				_, isUnblend := l.(*unblendLayer)
				if (isRes || isUnblend) && i == 1 {
					// Only the first Out channels of the network input are read.
					check("dx1", in.Data, dx[i].Data)
					continue
				}
				check("dx", in.Data, dx[i].Data)
			}
			if params != nil {
				check("dparams", params, grads)
			}
		})
	}
}
