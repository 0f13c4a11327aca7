package convae

// What a network has learned, for display: the filters of its first
// convolution and the activation at its bottleneck.

// FilterChannels is the number of input planes a Filters value covers: the
// colour planes, the first three of the network's input.
const FilterChannels = 3

// Filters are the weights of a network's first convolution as they apply to
// the colour planes of its input, so that each filter can be drawn as a
// small colour image: filter i's response at a position is the dot product
// of Filter(i) with the Side×Side window of the input's colour planes there
// (plus the bias and the contribution of any further input planes, which
// are left out).
type Filters struct {
	Count, Side int
	// Weights holds Count filters of FilterChannels planes of Side×Side
	// values: [Count][FilterChannels][Side][Side].
	Weights []float32
}

// Filter returns the FilterChannels·Side·Side weights of filter i, sharing
// storage with f.
func (f Filters) Filter(i int) []float32 {
	n := FilterChannels * f.Side * f.Side
	return f.Weights[i*n : (i+1)*n : (i+1)*n]
}

// unshuffledSource says where a channel of a pixel-unshuffled activation
// comes from: plane c of the input, at offset (dy, dx) inside each cell of
// the unshuffle's scale.
type unshuffledSource struct{ c, dy, dx int }

// FirstFilters returns a copy of the filters of the first convolution of n
// (the first OpConv of its spec), mapped back to the input's colour planes.
// Pixel-unshuffles before it (the FFDNet-style U-Nets start with one) are
// undone: a K×K kernel over the C·r² channels of an unshuffle by r is a
// (rK)×(rK) kernel over the C input planes. It reports false when the spec
// has no convolution, when the first one is preceded by an op other than
// OpPixelUnshuffle and OpSave (its kernel then does not apply to the input
// directly), or when the input has fewer than FilterChannels planes.
func (n *Net) FirstFilters() (Filters, bool) {
	if n.spec.In < FilterChannels {
		return Filters{}, false
	}
	// sources[c] is the origin of channel c of the current activation,
	// each of whose pixels covers scale×scale input pixels.
	sources := make([]unshuffledSource, n.spec.In)
	for c := range sources {
		sources[c] = unshuffledSource{c: c}
	}
	scale := 1
	for _, op := range n.spec.Ops {
		switch op.Kind {
		case OpSave:
		case OpPixelUnshuffle:
			sources = unshuffleSources(sources, scale, op.Factor)
			scale *= op.Factor
		case OpConv:
			return n.mapFilters(op, sources, scale), true
		default:
			return Filters{}, false
		}
	}
	return Filters{}, false
}

// unshuffleSources returns the sources of the channels after a pixel
// unshuffle by r of an activation whose channels come from sources at
// scale. As shuffleLayer orders them (like PyTorch), channel c·r²+i·r+j of
// the result is channel c at row offset i and column offset j of each r×r
// cell.
func unshuffleSources(sources []unshuffledSource, scale, r int) []unshuffledSource {
	out := make([]unshuffledSource, 0, len(sources)*r*r)
	for _, s := range sources {
		for i := range r {
			for j := range r {
				out = append(out, unshuffledSource{c: s.c, dy: s.dy + scale*i, dx: s.dx + scale*j})
			}
		}
	}
	return out
}

// mapFilters spreads the weights of convolution op, whose input channels
// come from sources at scale, over the colour planes of the input.
func (n *Net) mapFilters(op Op, sources []unshuffledSource, scale int) Filters {
	k := op.Kernel
	side := scale * k
	f := Filters{Count: op.Out, Side: side, Weights: make([]float32, op.Out*FilterChannels*side*side)}
	w := n.Param(op.Name + ".weight") // [Out][len(sources)][k][k]
	for o := range op.Out {
		dst := f.Filter(o)
		for ci, s := range sources {
			if s.c >= FilterChannels {
				continue // a noise-level or mask plane
			}
			kernel := w[(o*len(sources)+ci)*k*k : (o*len(sources)+ci+1)*k*k]
			for ky := range k {
				for kx := range k {
					y, x := scale*ky+s.dy, scale*kx+s.dx
					dst[(s.c*side+y)*side+x] = kernel[ky*k+kx]
				}
			}
		}
	}
	return f
}

// Bottleneck returns a copy of the activation at the network's bottleneck
// in the last Forward: the one with the largest down-sampling factor
// relative to the input, the last one if several have it (for the U-Nets of
// UNetSpec, the output of the last "mid" convolution; for DiaboloSpec, of
// "code"). Fused activations are applied: it is what the next layer reads.
// The factors are those of the spec's layout (stride-2 convolutions and
// pixel-unshuffles divide the size, transposed convolutions and
// pixel-shuffles multiply it); the network's output is not a candidate, so
// a network that never down-samples has its bottleneck at its last inner
// activation. It reports false before the first Forward and for a network
// of a single layer.
//
// The copy is made on each call, never in Forward, which stays free of
// allocations.
func (n *Net) Bottleneck() (*Tensor, bool) {
	i := n.bottleneckIndex()
	if i <= 0 || n.acts == nil || n.acts[0].Data == nil {
		return nil, false
	}
	a := n.acts[i]
	t := NewTensor(a.Shape)
	copy(t.Data, a.Data)
	return t, true
}

// bottleneckIndex returns the index in acts of the bottleneck activation
// (see Bottleneck), or 0 when there is no inner activation.
func (n *Net) bottleneckIndex() int {
	type scale struct{ down, up int } // size = input size · up/down
	scales := make([]scale, len(n.nodes)+1)
	scales[0] = scale{1, 1}
	best := 0
	for i, nd := range n.nodes {
		s := scales[nd.inputs[0]]
		switch l := nd.layer.(type) {
		case *convLayer:
			if l.transposed {
				s.up *= l.s
			} else {
				s.down *= l.s
			}
		case *shuffleLayer:
			if l.inverse {
				s.down *= l.r
			} else {
				s.up *= l.r
			}
		}
		g := gcd(s.down, s.up)
		s = scale{s.down / g, s.up / g}
		scales[i+1] = s
		if i+1 == len(n.nodes) {
			break // the output
		}
		if b := scales[best]; best == 0 || s.down*b.up >= b.down*s.up {
			best = i + 1
		}
	}
	return best
}

// gcd returns the greatest common divisor of two positive integers.
func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
