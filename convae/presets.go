package convae

import (
	"fmt"
	"slices"
	"strings"
)

// Preset is a named network architecture offered to users.
type Preset struct {
	Name        string
	Description string
	Spec        Spec
}

// presetTable builds the presets; it is a function so that no mutable table
// is shared between callers.
func presetTable() []Preset {
	return []Preset{
		{"diabolo", "classic bottleneck autoencoder: three stride-2 encoder stages down to a 1/8-scale code, decoder back up, no skips", DiaboloSpec(32)},
		{"ref", "RefAE, the reference U-Net of torch_twin.py (width 32): the speed yardstick", RefSpec(32)},
		{"unet-s", "small U-Net with skips, predicting the noise (residual)", UNetSpec("unet-s", UNetConfig{Width: 16, Levels: 2, Blocks: 1})},
		{"unet-m", "U-Net on a pixel-unshuffled half-resolution image with a noise-level input, like FFDNet", UNetSpec("unet-m", UNetConfig{Width: 32, Levels: 2, Blocks: 2, Unshuffle: true, NoiseLevel: true})},
		{"unet-wm", "watermark remover: three-level U-Net on a pixel-unshuffled image with a mask input, reaching 147 pixels around each pixel, that predicts each mark's opacity and colour and takes it off", UNetSpec("unet-wm", UNetConfig{Width: 32, Levels: 3, Blocks: 2, Unshuffle: true, NoiseLevel: true, Unblend: true})},
		{"unet-wmf", "unet-wm that also predicts the picture under the marks, for the strokes too opaque to unblend", UNetSpec("unet-wmf", UNetConfig{Width: 32, Levels: 3, Blocks: 2, Unshuffle: true, NoiseLevel: true, Unblend: true, Fill: true})},
		{"unet-wmh", "unet-wm with a full-resolution head that sharpens the marks' opacity along the picture's edges", UNetSpec("unet-wmh", UNetConfig{Width: 32, Levels: 3, Blocks: 2, Unshuffle: true, NoiseLevel: true, Unblend: true, Head: 16})},
		{"unet-l", "larger noise-level-aware U-Net on a pixel-unshuffled image", UNetSpec("unet-l", UNetConfig{Width: 48, Levels: 3, Blocks: 2, Unshuffle: true, NoiseLevel: true})},
	}
}

// Presets returns the built-in architectures, in the order to offer them.
func Presets() []Preset { return presetTable() }

// PresetNames returns the names of the built-in architectures.
func PresetNames() []string {
	var names []string
	for _, p := range presetTable() {
		names = append(names, p.Name)
	}
	return names
}

// LookupPreset returns the built-in architecture called name.
func LookupPreset(name string) (Preset, error) {
	ps := presetTable()
	i := slices.IndexFunc(ps, func(p Preset) bool { return p.Name == name })
	if i < 0 {
		return Preset{}, fmt.Errorf("unknown preset %q (known: %s)", name, strings.Join(PresetNames(), ", "))
	}
	return ps[i], nil
}

// conv3 is a size-keeping 3×3 convolution.
func conv3(name string, out int) Op {
	return Op{Kind: OpConv, Name: name, Out: out, Kernel: 3, Pad: 1}
}

// down3 is a 3×3 convolution of stride 2, halving the size.
func down3(name string, out int) Op {
	return Op{Kind: OpConv, Name: name, Out: out, Kernel: 3, Stride: 2, Pad: 1}
}

// up2 is a 2×2 transposed convolution of stride 2, doubling the size.
func up2(name string, out int) Op {
	return Op{Kind: OpConvTranspose, Name: name, Out: out, Kernel: 2, Stride: 2}
}

var relu = Op{Kind: OpReLU}

// RefSpec returns RefAE of ../shared/reference/torch_twin.py at width w:
// the same layers, in the same order, with the same parameter names and
// shapes, so that PyTorch's weights load into it unchanged.
func RefSpec(w int) Spec {
	return Spec{Name: "ref", In: 3, Out: 3, Ops: []Op{
		conv3("e1a", w), relu, conv3("e1b", w), relu, {Kind: OpSave, Name: "a"},
		down3("d1", 2*w), relu, conv3("e2", 2*w), relu, {Kind: OpSave, Name: "b"},
		down3("d2", 4*w), relu, conv3("e3", 4*w), relu,
		up2("u2", 2*w), {Kind: OpConcat, From: "b"}, conv3("c2", 2*w), relu,
		up2("u1", w), {Kind: OpConcat, From: "a"}, conv3("c1", w), relu,
		conv3("out", 3),
		{Kind: OpResidual, Sign: -1},
	}}
}

// DiaboloSpec returns the classic "diabolo" autoencoder of width w: an
// encoder of stride-2 convolutions that compresses the image to a code of
// 2w channels at 1/8 of its size, and a decoder of transposed convolutions
// that rebuilds it, with no skip connections; a sigmoid keeps the output in
// [0, 1].
func DiaboloSpec(w int) Spec {
	return Spec{Name: "diabolo", In: 3, Out: 3, Ops: []Op{
		conv3("enc0", w), relu,
		down3("enc1", w), relu,
		down3("enc2", 2*w), relu,
		down3("code", 2*w), relu,
		{Kind: OpConvTranspose, Name: "dec2", Out: 2 * w, Kernel: 4, Stride: 2, Pad: 1}, relu,
		{Kind: OpConvTranspose, Name: "dec1", Out: w, Kernel: 4, Stride: 2, Pad: 1}, relu,
		{Kind: OpConvTranspose, Name: "dec0", Out: w, Kernel: 4, Stride: 2, Pad: 1}, relu,
		conv3("out", 3), {Kind: OpSigmoid},
	}}
}

// UNetConfig sizes a U-Net built by UNetSpec.
type UNetConfig struct {
	Width     int  // channels at the first level; doubled at each level down
	Levels    int  // number of stride-2 down-samplings
	Blocks    int  // 3×3 convolutions per level and side
	Unshuffle bool // work at half resolution after a 2× pixel-unshuffle (FFDNet)
	// NoiseLevel takes a fourth input channel: a noise-level map for a
	// denoiser, a brush mask for a watermark remover.
	NoiseLevel bool
	// Unblend predicts a visible mark's opacity and colour and takes it off
	// the input (OpUnblend) instead of predicting the noise: for watermark
	// removal.
	Unblend bool
	// Fill, with Unblend, also predicts the picture under the marks, for
	// where a nearly opaque mark leaves too little of it to unblend (see
	// OpUnblend and MarkFill).
	Fill bool
	// Head, with Unshuffle, is the width of a head at full resolution: two
	// 3×3 convolutions over the network's input and its shuffled-back
	// output, whose result is added to that output, so that what the
	// half-resolution body predicts can follow the picture's edges pixel by
	// pixel. 0 leaves it out.
	Head int
}

// UNetSpec returns a U-Net autoencoder with skip connections that predicts
// the noise and subtracts it from its input (residual learning).
func UNetSpec(name string, cfg UNetConfig) Spec {
	in := 3
	if cfg.NoiseLevel {
		in = 4
	}
	var ops []Op
	head := cfg.Unshuffle && cfg.Head > 0
	if head {
		ops = append(ops, Op{Kind: OpSave, Name: "input"})
	}
	if cfg.Unshuffle {
		ops = append(ops, Op{Kind: OpPixelUnshuffle, Factor: 2})
	}
	w := cfg.Width
	for l := 0; l < cfg.Levels; l++ {
		for b := 0; b < cfg.Blocks; b++ {
			ops = append(ops, conv3(fmt.Sprintf("enc%d_%d", l, b), w), relu)
		}
		ops = append(ops, Op{Kind: OpSave, Name: fmt.Sprintf("skip%d", l)})
		ops = append(ops, down3(fmt.Sprintf("down%d", l), 2*w), relu)
		w *= 2
	}
	for b := 0; b < cfg.Blocks; b++ {
		ops = append(ops, conv3(fmt.Sprintf("mid_%d", b), w), relu)
	}
	for l := cfg.Levels - 1; l >= 0; l-- {
		w /= 2
		ops = append(ops, up2(fmt.Sprintf("up%d", l), w), Op{Kind: OpConcat, From: fmt.Sprintf("skip%d", l)})
		for b := 0; b < cfg.Blocks; b++ {
			ops = append(ops, conv3(fmt.Sprintf("dec%d_%d", l, b), w), relu)
		}
	}
	outC, last := 3, Op{Kind: OpResidual, Sign: -1}
	if cfg.Unblend {
		outC, last = 4, Op{Kind: OpUnblend}
		if cfg.Fill {
			outC = 7
		}
	}
	if cfg.Unshuffle {
		ops = append(ops, conv3("out", outC*4), Op{Kind: OpPixelShuffle, Factor: 2})
		if head {
			ops = append(ops, Op{Kind: OpSave, Name: "body"}, Op{Kind: OpConcat, From: "input"},
				conv3("head0", cfg.Head), relu, conv3("head1", outC), Op{Kind: OpAdd, From: "body"})
		}
	} else {
		ops = append(ops, conv3("out", outC))
	}
	ops = append(ops, last)
	return Spec{Name: name, In: in, Out: 3, Ops: ops}
}
