package convae

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// directConv3 is the definition of a 3×3, stride-1, padding-1 convolution
// of x (in×h×w) with w[out][in][3][3], in float64; mag is the sum of the
// magnitudes of the terms of each output, the scale of its rounding
// errors.
func directConv3(x, w []float32, in, out, h, wd int) (y, mag []float64) {
	y, mag = make([]float64, out*h*wd), make([]float64, out*h*wd)
	for o := 0; o < out; o++ {
		for r := 0; r < h; r++ {
			for c := 0; c < wd; c++ {
				var s, m float64
				for i := 0; i < in; i++ {
					for ky := 0; ky < 3; ky++ {
						for kx := 0; kx < 3; kx++ {
							yy, xx := r+ky-1, c+kx-1
							if yy < 0 || yy >= h || xx < 0 || xx >= wd {
								continue
							}
							t := float64(x[(i*h+yy)*wd+xx]) * float64(w[((o*in+i)*3+ky)*3+kx])
							s, m = s+t, m+math.Abs(t)
						}
					}
				}
				y[(o*h+r)*wd+c], mag[(o*h+r)*wd+c] = s, m
			}
		}
	}
	return y, mag
}

// winogradTolerance bounds the error of the Winograd path relative to the
// sum of the magnitudes of an output's terms: about 100 float32 epsilons.
const winogradTolerance = 1e-5

// The Winograd path equals the direct convolution on odd and even sizes,
// in one band or several.
func TestWinogradMatchesDirect(t *testing.T) {
	cases := []struct{ in, out, h, w int }{
		{1, 1, 1, 1}, {3, 2, 2, 2}, {2, 3, 5, 7}, {3, 4, 7, 10}, {4, 5, 8, 6}, {8, 16, 9, 33}, {16, 8, 40, 3}, {32, 32, 64, 64}, {64, 64, 12, 100},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%dx%d_%dx%d", c.in, c.out, c.h, c.w), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(c.h), uint64(c.w)))
			x, w := randVec(rng, c.in*c.h*c.w), randVec(rng, c.out*c.in*9)
			g := winogradGrid{in: c.in, out: c.out, h: c.h, w: c.w}
			u := make([]float32, winogradWeightsLen(c.out, c.in))
			winogradWeights(u, w, c.out, c.in)
			// Scratch and output full of NaNs: no stale value may be read,
			// every output value must be written.
			nans := func(n int) []float32 {
				v := make([]float32, n)
				for i := range v {
					v[i] = float32(math.NaN())
				}
				return v
			}
			wk := &worker{}
			wk.wino.v, wk.wino.m, wk.wino.rows = nans(1<<18), nans(1<<18), nans(1<<18)
			want, mag := directConv3(x, w, c.in, c.out, c.h, c.w)
			worst := 0.0
			// Bands of one row of tiles, then of the budget's size; the
			// output written, or added to a base.
			base := randVec(rng, c.out*c.h*c.w)
			for _, rows := range []int{1, g.bandTiles()} {
				for _, add := range []bool{false, true} {
					y := nans(c.out * c.h * c.w)
					if add {
						copy(y, base)
					}
					for t0 := 0; t0 < g.tilesDown(); t0 += rows {
						g.band(wk, u, x, t0, min(g.tilesDown(), t0+rows), y, add)
					}
					// F(4×4, 3×3) rounds more than a direct sum: its
					// transforms scale values by up to 25 and 1/24 (Lavin
					// and Gray).
					for i, v := range want {
						if add {
							v += float64(base[i])
						}
						scale := mag[i]
						if add {
							scale += math.Abs(float64(base[i]))
						}
						d := math.Abs(float64(y[i])-v) / scale
						if !(d <= winogradTolerance) {
							t.Fatalf("bands of %d tile rows, add %v: y[%d] = %g, want %g (error %.2g of the terms' magnitude)", rows, add, i, y[i], v, d)
						}
						worst = max(worst, d)
					}
				}
			}
			t.Logf("largest error %.2g of the terms' magnitude", worst)
		})
	}
}

// A convolution layer big enough for the Winograd path gives the same
// output, bias and activation included, and the same input gradient,
// added to what dx held, as the same layer kept on the direct path, the
// batch spread over two workers.
func TestWinogradLayer(t *testing.T) {
	const in, out, side = 6, 5, 101
	rng := rand.New(rand.NewPCG(7, 8))
	params := randVec(rng, out*in*9+out)
	x := &Tensor{Shape: Shape{3, in, side, side}, Data: randVec(rng, 3*in*side*side)}
	dyData := randVec(rng, 3*out*side*side)
	dxBase := randVec(rng, x.Len())
	run := func(direct bool) (y, dx *Tensor) {
		l := &convLayer{out: out, k: 3, s: 1, p: 1, act: activation{kind: OpLeakyReLU, slope: 0.1}, direct: direct}
		l.weight, l.bias = params[:out*in*9], params[out*in*9:]
		y = NewTensor(l.outShape([]Shape{x.Shape}))
		if l.useWinograd() == direct {
			t.Fatalf("direct=%v: useWinograd() = %v", direct, l.useWinograd())
		}
		ws := []*worker{{grads: make([]float32, len(params))}, {grads: make([]float32, len(params))}}
		l.forward(ws, []*Tensor{x}, y)
		dy := &Tensor{Shape: y.Shape, Data: append([]float32(nil), dyData...)}
		dx = &Tensor{Shape: x.Shape, Data: append([]float32(nil), dxBase...)}
		l.backward(ws, []*Tensor{x}, y, dy, []*Tensor{dx})
		return y, dx
	}
	wantY, wantDx := run(true)
	gotY, gotDx := run(false)
	for _, c := range []struct {
		name      string
		got, want []float32
	}{{"y", gotY.Data, wantY.Data}, {"dx", gotDx.Data, wantDx.Data}} {
		for i := range c.want {
			if d := math.Abs(float64(c.got[i] - c.want[i])); d > 1e-4*(1+math.Abs(float64(c.want[i]))) {
				t.Fatalf("%s[%d] = %g by Winograd, %g directly", c.name, i, c.got[i], c.want[i])
			}
		}
	}
}
