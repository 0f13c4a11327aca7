package synthetic

import "diabolo/convae"

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
