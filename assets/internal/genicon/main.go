// Command genicon draws Diabolo's application icon, assets/icon.png.
//
// The icon is a diabolo lying on its side: two cones meeting at a narrow
// waist, like the network's encoder, bottleneck and decoder. The left cone is
// grainy and the right one smooth, for the noise that goes in and the clean
// picture that comes out. The drawing is procedural and deterministic, so
//
//	go run ./assets/internal/genicon -o assets/icon.png
//
// always produces the same file.
package main

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
)

const (
	size    = 512 // side of the icon in pixels
	samples = 4   // supersampling per axis, for anti-aliased edges
)

// rgb is a linear blend-friendly colour with components in [0, 1].
type rgb struct{ r, g, b float64 }

func (c rgb) mix(o rgb, t float64) rgb {
	return rgb{c.r + (o.r-c.r)*t, c.g + (o.g-c.g)*t, c.b + (o.b-c.b)*t}
}

func (c rgb) scale(f float64) rgb { return rgb{c.r * f, c.g * f, c.b * f} }

func hex(v uint32) rgb {
	return rgb{float64(v>>16&0xff) / 255, float64(v>>8&0xff) / 255, float64(v&0xff) / 255}
}

var (
	bgTop    = hex(0x1f2a4d)
	bgBottom = hex(0x120f2a)
	coral    = hex(0xff7a59)
	violet   = hex(0xb05cf0)
	teal     = hex(0x2fd3c3)
)

// Geometry, in icon pixels.
const (
	cx, cy      = 256.0, 256.0
	capX        = 150.0 // horizontal distance of each cap from the centre
	capRY       = 150.0 // half height of each cap
	capRX       = 40.0  // half width of each cap's ellipse
	waist       = 22.0  // half height of the waist
	cornerR     = 104.0 // radius of the background's rounded corners
	grainAmount = 0.22  // strength of the grain on the noisy cone
)

// shade returns the colour and coverage (0 or 1) of one sub-sample at (x, y).
func shade(x, y float64, grain float64) (rgb, float64) {
	// Rounded-square background.
	if !inRoundedSquare(x, y) {
		return rgb{}, 0
	}
	c := bgTop.mix(bgBottom, y/size)

	dx, dy := x-cx, y-cy
	ax := math.Abs(dx)
	// Half height of the cone's silhouette at this distance from the centre.
	half := waist + (capRY-waist)*ax/capX
	inCone := ax <= capX && math.Abs(dy) <= half
	// Outer cap: an ellipse closing the cone.
	ex := (ax - capX) / capRX
	ey := dy / capRY
	inCap := ex*ex+ey*ey <= 1
	if !inCone && !inCap {
		// Soft glow under the diabolo.
		g := math.Exp(-((dx*dx)/(2*180*180) + (dy-10)*(dy-10)/(2*120*120)))
		return c.mix(violet, 0.18*g), 1
	}
	// Body colour runs coral → violet → teal from left to right.
	t := (dx + capX + capRX) / (2 * (capX + capRX))
	var body rgb
	if t < 0.5 {
		body = coral.mix(violet, t*2)
	} else {
		body = violet.mix(teal, (t-0.5)*2)
	}
	// Round the cones with a vertical light falloff.
	v := dy / capRY
	light := 1.05 - 0.35*v*v - 0.1*v
	body = body.scale(light)
	if inCap && ax > capX {
		// The outer faces of the caps catch more light than the cones.
		body = body.mix(rgb{1, 1, 1}, 0.25)
	}
	if dx < 0 {
		// The encoder side is noisy.
		body = body.scale(1 + grain*grainAmount)
	}
	return body, 1
}

func inRoundedSquare(x, y float64) bool {
	const m = 16.0 // margin
	lo, hi := m+cornerR, size-m-cornerR
	qx := math.Max(math.Max(lo-x, x-hi), 0)
	qy := math.Max(math.Max(lo-y, y-hi), 0)
	return x >= m && x <= size-m && y >= m && y <= size-m && qx*qx+qy*qy <= cornerR*cornerR
}

func draw() *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	rng := rand.New(rand.NewPCG(1, 2))
	for py := range size {
		for px := range size {
			// One grain value per output pixel, in [-1, 1].
			grain := rng.Float64()*2 - 1
			var sum rgb
			var cover float64
			for sy := range samples {
				for sx := range samples {
					x := float64(px) + (float64(sx)+0.5)/samples
					y := float64(py) + (float64(sy)+0.5)/samples
					c, a := shade(x, y, grain)
					sum = rgb{sum.r + c.r*a, sum.g + c.g*a, sum.b + c.b*a}
					cover += a
				}
			}
			if cover == 0 {
				continue
			}
			n := float64(samples * samples)
			avg := sum.scale(1 / cover)
			img.SetNRGBA(px, py, color.NRGBA{to8(avg.r), to8(avg.g), to8(avg.b), to8(cover / n)})
		}
	}
	return img
}

func to8(v float64) uint8 {
	return uint8(math.Round(math.Max(0, math.Min(1, v)) * 255))
}

func main() {
	out := flag.String("o", "icon.png", "output PNG file")
	flag.Parse()
	f, err := os.Create(*out)
	if err == nil {
		err = png.Encode(f, draw())
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "genicon:", err)
		os.Exit(1)
	}
}
