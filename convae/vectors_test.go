package convae

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// refTensor is a tensor as make_vectors.py writes it.
type refTensor struct {
	Shape []int     `json:"shape"`
	Data  []float64 `json:"data"`
}

func (r refTensor) f32() []float32 {
	out := make([]float32, len(r.Data))
	for i, v := range r.Data {
		out[i] = float32(v)
	}
	return out
}

func (r refTensor) tensor(t *testing.T) *Tensor {
	t.Helper()
	s := Shape{1, 1, 1, 1}
	dims := []*int{&s.N, &s.C, &s.H, &s.W}
	if len(r.Shape) > 4 {
		t.Fatalf("shape %v has more than 4 dims", r.Shape)
	}
	for i, d := range r.Shape {
		*dims[4-len(r.Shape)+i] = d
	}
	return &Tensor{Shape: s, Data: r.f32()}
}

// loadVectors reads testdata/vectors/name.json.
func loadVectors(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "vectors", name+".json"))
	if err != nil {
		t.Fatalf("read vectors: %v", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
}

// assertClose fails unless got and want agree to float32 precision:
// |got-want| ≤ atol + rtol·|want| element-wise, with rtol 1e-4 and atol
// 1e-4 of the largest |want|.
func assertClose(t *testing.T, what string, got []float32, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	scale := 0.0
	for _, w := range want {
		scale = math.Max(scale, math.Abs(w))
	}
	atol := 1e-4*scale + 1e-7
	worst, at := 0.0, -1
	for i, w := range want {
		d := math.Abs(float64(got[i]) - w)
		if d > atol+1e-4*math.Abs(w) && d > worst {
			worst, at = d, i
		}
	}
	if at >= 0 {
		t.Errorf("%s: element %d is %g, want %g (|diff| %.3g, scale %.3g)", what, at, got[at], want[at], worst, scale)
	}
}

// layerRun runs one layer forward and backward the way Net does, with the
// given worker count, and returns output, input gradients and parameter
// gradients.
func layerRun(l layer, workers int, params []float32, inputs []*Tensor, gy *Tensor) (y *Tensor, dx []*Tensor, grads []float32) {
	ws := make([]*worker, workers)
	grads = make([]float32, len(params))
	for i := range ws {
		ws[i] = &worker{grads: make([]float32, len(params))}
	}
	ws[0].grads = grads
	shapes := make([]Shape, len(inputs))
	for i, in := range inputs {
		shapes[i] = in.Shape
	}
	y = NewTensor(l.outShape(shapes))
	l.forward(ws, inputs, y)
	out := &Tensor{Shape: y.Shape, Data: append([]float32(nil), y.Data...)}
	for _, in := range inputs {
		dx = append(dx, NewTensor(in.Shape))
	}
	dy := &Tensor{Shape: gy.Shape, Data: append([]float32(nil), gy.Data...)}
	l.backward(ws, inputs, y, dy, dx)
	for _, w := range ws[1:] {
		addTo(grads, w.grads)
	}
	return out, dx, grads
}

func TestConvVectors(t *testing.T) {
	cases := []struct {
		file       string
		transposed bool
	}{
		{"conv3x3_s1_p1", false},
		{"conv3x3_s2_p1", false},
		{"conv1x1_s1_p0", false},
		{"conv5x5_s1_p2_nobias", false},
		{"convT2x2_s2_p0", true},
		{"convT4x4_s2_p1", true},
	}
	for _, c := range cases {
		for _, workers := range []int{1, 2, 3} {
			var v struct {
				Stride, Padding, Kernel    int
				X, Weight, Bias, Y, Gy, Gx refTensor
				Gweight, Gbias             refTensor
			}
			loadVectors(t, c.file, &v)
			outCh := v.Weight.Shape[0]
			if c.transposed {
				outCh = v.Weight.Shape[1]
			}
			params := append(v.Weight.f32(), v.Bias.f32()...)
			l := &convLayer{transposed: c.transposed, out: outCh, k: v.Kernel, s: v.Stride, p: v.Padding,
				weight: params[:len(v.Weight.Data)], wOff: 0}
			if len(v.Bias.Data) > 0 {
				l.bias = params[len(v.Weight.Data):]
				l.bOff = len(v.Weight.Data)
			}
			y, dx, grads := layerRun(l, workers, params, []*Tensor{v.X.tensor(t)}, v.Gy.tensor(t))
			name := c.file + "/workers=" + string(rune('0'+workers))
			assertClose(t, name+" y", y.Data, v.Y.Data)
			assertClose(t, name+" gx", dx[0].Data, v.Gx.Data)
			assertClose(t, name+" gweight", grads[:len(v.Weight.Data)], v.Gweight.Data)
			if l.bias != nil {
				assertClose(t, name+" gbias", grads[len(v.Weight.Data):], v.Gbias.Data)
			}
		}
	}
}

func TestElementwiseVectors(t *testing.T) {
	cases := []struct {
		file  string
		layer layer
	}{
		{"relu", &actLayer{activation{kind: OpReLU}}},
		{"leaky_relu_0.1", &actLayer{activation{kind: OpLeakyReLU, slope: 0.1}}},
		{"sigmoid", sigmoidLayer{}},
		{"pixel_unshuffle_2", &shuffleLayer{r: 2, inverse: true}},
		{"pixel_shuffle_2", &shuffleLayer{r: 2}},
	}
	for _, c := range cases {
		var v struct{ X, Y, Gy, Gx refTensor }
		loadVectors(t, c.file, &v)
		y, dx, _ := layerRun(c.layer, 2, nil, []*Tensor{v.X.tensor(t)}, v.Gy.tensor(t))
		if want := v.Y.tensor(t).Shape; y.Shape != want {
			t.Errorf("%s: output shape %v, want %v", c.file, y.Shape, want)
		}
		assertClose(t, c.file+" y", y.Data, v.Y.Data)
		assertClose(t, c.file+" gx", dx[0].Data, v.Gx.Data)
	}
}

func TestLossVectors(t *testing.T) {
	for _, name := range []string{"mse", "l1"} {
		var v struct {
			Pred, Target, Gpred refTensor
			Loss                float64
		}
		loadVectors(t, name, &v)
		loss, err := NewLoss(name)
		if err != nil {
			t.Fatal(err)
		}
		grad := make([]float32, len(v.Pred.Data))
		got := loss.Eval(v.Pred.f32(), v.Target.f32(), grad)
		if math.Abs(got-v.Loss) > 1e-5*math.Abs(v.Loss) {
			t.Errorf("%s loss = %.9g, want %.9g", name, got, v.Loss)
		}
		assertClose(t, name+" gpred", grad, v.Gpred.Data)
	}
}

// TestRefAETrainStep checks a whole training step of RefAE at width 8
// (forward, MSE, backward, one Adam step) against PyTorch.
func TestRefAETrainStep(t *testing.T) {
	var v struct {
		Noisy, Clean, Y refTensor
		Loss            float64
		ParamsBefore    map[string]refTensor `json:"params_before"`
		Grads           map[string]refTensor
		ParamsAfter     map[string]refTensor `json:"params_after"`
	}
	loadVectors(t, "refae_w8_train_step", &v)
	for _, workers := range []int{1, 2} {
		net, err := NewNet(RefSpec(8), 1)
		if err != nil {
			t.Fatal(err)
		}
		net.SetWorkers(workers)
		for _, p := range net.ParamInfos() {
			ref, ok := v.ParamsBefore[p.Name]
			if !ok {
				t.Fatalf("PyTorch has no parameter %s", p.Name)
			}
			if len(ref.Data) != p.Len() {
				t.Fatalf("%s: %d values, PyTorch %d", p.Name, p.Len(), len(ref.Data))
			}
			copy(net.Param(p.Name), ref.f32())
		}
		if len(net.ParamInfos()) != len(v.ParamsBefore) {
			t.Fatalf("%d parameter tensors, PyTorch %d", len(net.ParamInfos()), len(v.ParamsBefore))
		}
		y := net.Forward(v.Noisy.tensor(t))
		assertClose(t, "y", y.Data, v.Y.Data)
		dy := NewTensor(y.Shape)
		loss := MSELoss{}.Eval(y.Data, v.Clean.f32(), dy.Data)
		if math.Abs(loss-v.Loss) > 1e-5*v.Loss {
			t.Errorf("loss = %.9g, want %.9g", loss, v.Loss)
		}
		net.Backward(dy)
		off := 0
		for _, p := range net.ParamInfos() {
			assertClose(t, "grad "+p.Name, net.Grads()[off:off+p.Len()], v.Grads[p.Name].Data)
			off += p.Len()
		}
		opt := NewAdam(1e-3, len(net.Params()))
		opt.Step(net.Params(), net.Grads())
		for _, p := range net.ParamInfos() {
			assertClose(t, "updated "+p.Name, net.Param(p.Name), v.ParamsAfter[p.Name].Data)
		}
	}
}
