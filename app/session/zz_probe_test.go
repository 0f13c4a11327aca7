package session

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"diabolo/app/corruption"
	"diabolo/app/dataset"
	"diabolo/convae"
)

func TestZZProbe(t *testing.T) {
	f, err := os.Open(os.Getenv("PROBE"))
	if err != nil {
		t.Skip()
	}
	model, err := convae.Load(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	spec2 := model.Net.Spec()
	spec2.Ops = spec2.Ops[:len(spec2.Ops)-1]
	spec2.Out = 4
	net2, _ := convae.NewNet(spec2, 1)
	copy(net2.Params(), model.Net.Params())
	paths, _ := dataset.Scan("../../../shared/data/val")
	ds, _ := dataset.FromPaths(paths, dataset.Options{Patch: 128})
	m, _ := corruption.Parse("watermark:zoom=1-4+quantize")
	const N, S = 16, 128
	p := S * S
	clean := convae.NewTensor(convae.Shape{N: N, C: 3, H: S, W: S})
	x := convae.NewTensor(convae.Shape{N: N, C: 4, H: S, W: S})
	mt := newMarkTargets(N, p)
	ds.NewSampler(5).Fill(clean.Data, N, S)
	corrupt(x, clean, mt, m, rand.New(rand.NewPCG(9, 9)), "watermark", os.Getenv("HINT") != "")
	y := net2.Forward(x)
	var in, out, inN, outN, hit, fp, colErr float64
	for n := 0; n < N; n++ {
		for i := 0; i < p; i++ {
			a := float64(y.Item(n)[i])
			alpha := 0.95 / (1 + math.Exp(-(a - convae.UnblendOffset)))
			if mt.alpha[n*p+i] > 0.1 {
				in += alpha
				inN++
				if alpha > 0.1 {
					hit++
				}
				for c := 0; c < 3; c++ {
					w := 1 / (1 + math.Exp(-float64(y.Item(n)[(c+1)*p+i])))
					colErr += math.Abs(w - float64(mt.colour[(n*3+c)*p+i]))
				}
			} else {
				out += alpha
				outN++
				if alpha > 0.1 {
					fp++
				}
			}
		}
	}
	fmt.Printf("alpha inside %.3f (true: %.3f; %.0f px, detected %.2f), outside %.4f (false pos %.4f), colour error %.3f\n", in/inN, meanOver(mt.alpha, 0.1), inN, hit/inN, out/outN, fp/outN, colErr/inN/3)
}

func meanOver(a []float32, t float32) float64 {
	var s, n float64
	for _, v := range a {
		if v > t {
			s += float64(v)
			n++
		}
	}
	return s / n
}
