package synthetic

import (
	"math"

	"diabolo/convae"
)

// MaskAdder returns a watermark model (3 colour channels and a brush mask
// in, 3 out) that adds add to every colour value where the mask is painted
// and everywhere to every colour value: a network whose output tests can
// predict.
func MaskAdder(add, everywhere float32) (*convae.Model, error) {
	spec := convae.Spec{Name: "mask-adder", In: 4, Out: 3, Ops: []convae.Op{
		{Kind: convae.OpConv, Name: "out", Out: 3, Kernel: 1},
		{Kind: convae.OpResidual, Sign: 1},
	}}
	net, err := convae.NewNet(spec, 1)
	if err != nil {
		return nil, err
	}
	w, b := net.Param("out.weight"), net.Param("out.bias")
	clear(w)
	for c := 0; c < 3; c++ {
		w[c*4+3] = add
		b[c] = everywhere
	}
	return &convae.Model{Net: net, Meta: convae.Metadata{Task: "watermark"}}, nil
}

// MaskUnblender returns a watermark model (3 colour channels and a brush
// mask in, 3 out) that unblends a mark of the given opacity and colour
// wherever the mask is painted and leaves other pixels alone: a network
// with an unblend op whose opacity and colour tests know in advance.
func MaskUnblender(opacity float32, colour [3]float32) (*convae.Model, error) {
	spec := convae.Spec{Name: "mask-unblender", In: 4, Out: 3, Ops: []convae.Op{
		{Kind: convae.OpConv, Name: "marks", Out: 4, Kernel: 1},
		{Kind: convae.OpUnblend},
	}}
	net, err := convae.NewNet(spec, 1)
	if err != nil {
		return nil, err
	}
	logit := func(p float64) float32 { return float32(math.Log(p / (1 - p))) }
	// Unpainted pixels get an opacity logit far below the unblend op's
	// offset (an opacity of about 1e-13), painted ones exactly opacity.
	const off = -30
	w, b := net.Param("marks.weight"), net.Param("marks.bias")
	clear(w)
	b[0] = convae.UnblendOffset + off
	w[3] = logit(float64(opacity)/convae.UnblendMaxOpacity) - off
	for c := 0; c < 3; c++ {
		// A colour logit is finite: 0 and 1 are approached, not reached.
		b[c+1] = logit(min(max(float64(colour[c]), 1e-6), 1-1e-6))
	}
	return &convae.Model{Net: net, Meta: convae.Metadata{Task: "watermark"}}, nil
}
