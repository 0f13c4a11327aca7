package picture_test

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"testing"

	"diabolo/app/picture"
)

// randomBytes fills p with reproducible random bytes.
func randomBytes(rng *rand.Rand, p []byte) {
	for i := range p {
		p[i] = byte(rng.UintN(256))
	}
}

// premultiply makes random interleaved RGBA samples (bytes a sample) valid
// premultiplied colour: no colour above its alpha.
func premultiply(pix []byte, bytesPerSample int) {
	px := 4 * bytesPerSample
	for i := 0; i+px <= len(pix); i += px {
		for c := range 3 {
			// Big-endian samples compare like strings of their bytes.
			cs := pix[i+c*bytesPerSample : i+(c+1)*bytesPerSample]
			as := pix[i+3*bytesPerSample : i+4*bytesPerSample]
			if string(cs) > string(as) {
				copy(cs, as)
			}
		}
	}
}

func TestFromImageMatchesColorModels(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	r := image.Rect(0, 0, 13, 7) // odd sizes catch subsampling slips
	random := func(p []byte) []byte { randomBytes(rng, p); return p }

	opaqueNRGBA := image.NewNRGBA(r)
	random(opaqueNRGBA.Pix)
	for i := 3; i < len(opaqueNRGBA.Pix); i += 4 {
		opaqueNRGBA.Pix[i] = 0xff
	}
	rgba := image.NewRGBA(r)
	premultiply(random(rgba.Pix), 1)
	rgba64 := image.NewRGBA64(r)
	premultiply(random(rgba64.Pix), 2)
	nrgba := image.NewNRGBA(r)
	random(nrgba.Pix)
	nrgba64 := image.NewNRGBA64(r)
	random(nrgba64.Pix)
	gray := image.NewGray(r)
	random(gray.Pix)
	gray16 := image.NewGray16(r)
	random(gray16.Pix)
	cmyk := image.NewCMYK(r)
	random(cmyk.Pix)
	alpha := image.NewAlpha(r)
	random(alpha.Pix)
	palette := color.Palette{color.NRGBA{255, 0, 0, 255}, color.NRGBA{0, 0, 255, 128}, color.Transparent, color.Gray{90}}
	paletted := image.NewPaletted(r, palette)
	for i := range paletted.Pix {
		paletted.Pix[i] = byte(rng.UintN(uint(len(palette))))
	}
	opaquePaletted := image.NewPaletted(r, palette[:1:1])

	type source struct {
		name      string
		img       image.Image
		wantAlpha bool
		wantGray  bool
		tol       float64
	}
	sources := []source{
		{"NRGBA", nrgba, true, false, 2.0 / 0xffff},
		{"NRGBA opaque", opaqueNRGBA, false, false, 1e-6},
		{"RGBA", rgba, true, false, 2.0 / 0xffff},
		{"NRGBA64", nrgba64, true, false, 2.0 / 0xffff},
		{"RGBA64", rgba64, true, false, 2.0 / 0xffff},
		{"Gray", gray, false, true, 1e-6},
		{"Gray16", gray16, false, true, 1e-6},
		{"CMYK", cmyk, false, false, 2.0 / 0xffff},
		{"Paletted", paletted, true, false, 2.0 / 0xffff},
		{"Paletted opaque", opaquePaletted, false, false, 1e-6},
		{"Alpha (generic path)", alpha, true, false, 2.0 / 0xffff},
	}
	for _, ratio := range []image.YCbCrSubsampleRatio{
		image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420,
		image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410,
	} {
		ycc := image.NewYCbCr(r, ratio)
		random(ycc.Y)
		random(ycc.Cb)
		random(ycc.Cr)
		sources = append(sources, source{"YCbCr " + ratio.String(), ycc, false, false, 1e-6})
		nycca := image.NewNYCbCrA(r, ratio)
		random(nycca.Y)
		random(nycca.Cb)
		random(nycca.Cr)
		random(nycca.A)
		sources = append(sources, source{"NYCbCrA " + ratio.String(), nycca, true, false, 2.0 / 0xffff})
	}
	// A window into each image, at odd coordinates, must read the same
	// pixels as the image does there.
	window := image.Rect(3, 1, 12, 6)
	for _, s := range sources[:len(sources):len(sources)] {
		sub := s.img.(interface {
			SubImage(image.Rectangle) image.Image
		}).SubImage(window)
		sources = append(sources, source{s.name + " window", sub, s.wantAlpha, s.wantGray, s.tol})
	}

	for _, s := range sources {
		t.Run(s.name, func(t *testing.T) {
			got := picture.FromImage(s.img)
			compareImage(t, got, s.img, s.tol)
			if (got.Alpha != nil) != s.wantAlpha {
				t.Errorf("has alpha = %v, want %v", got.Alpha != nil, s.wantAlpha)
			}
			if got.Gray != s.wantGray {
				t.Errorf("Gray = %v, want %v", got.Gray, s.wantGray)
			}
		})
	}
}

func TestFromImageKeeps16Bits(t *testing.T) {
	src := image.NewNRGBA64(image.Rect(0, 0, 2, 1))
	src.SetNRGBA64(0, 0, color.NRGBA64{R: 0x1234, G: 0x00ff, B: 0xff01, A: 0xffff})
	src.SetNRGBA64(1, 0, color.NRGBA64{R: 1, G: 2, B: 0xfffe, A: 0xffff})
	got := picture.FromImage(src)
	want := []uint16{0x1234, 1, 0x00ff, 2, 0xff01, 0xfffe} // planar
	for i, w := range want {
		if g := got.Pix[i] * 0xffff; math.Abs(float64(g)-float64(w)) > 1e-3 {
			t.Errorf("Pix[%d] = %v/65535, want %d/65535", i, g, w)
		}
	}
}

func TestFromImageUnpremultiplies(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 3, 1))
	src.SetRGBA(0, 0, color.RGBA{R: 50, G: 25, B: 0, A: 100}) // straight 0.5, 0.25, 0
	src.SetRGBA(1, 0, color.RGBA{})                           // transparent
	src.SetRGBA(2, 0, color.RGBA{R: 255, G: 255, B: 255, A: 255})
	got := picture.FromImage(src)
	want := []float32{0.5, 0, 1, 0.25, 0, 1, 0, 0, 1}
	for i, w := range want {
		if math.Abs(float64(got.Pix[i]-w)) > 1e-6 {
			t.Errorf("Pix[%d] = %v, want %v", i, got.Pix[i], w)
		}
	}
	wantAlpha := []float32{100.0 / 255, 0, 1}
	for i, w := range wantAlpha {
		if math.Abs(float64(got.Alpha[i]-w)) > 1e-6 {
			t.Errorf("Alpha[%d] = %v, want %v", i, got.Alpha[i], w)
		}
	}
}

func TestToNRGBARoundTrips(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	src8 := image.NewNRGBA(image.Rect(0, 0, 9, 5))
	randomBytes(rng, src8.Pix)
	if got := picture.FromImage(src8).ToNRGBA(); string(got.Pix) != string(src8.Pix) || got.Rect != src8.Rect {
		t.Errorf("8-bit round trip changed the pixels")
	}
	src16 := image.NewNRGBA64(image.Rect(0, 0, 9, 5))
	randomBytes(rng, src16.Pix)
	if got := picture.FromImage(src16).ToNRGBA64(); string(got.Pix) != string(src16.Pix) || got.Rect != src16.Rect {
		t.Errorf("16-bit round trip changed the pixels")
	}
}

func TestToNRGBAOpaqueWithoutAlpha(t *testing.T) {
	m := picture.New(2, 2)
	for _, a := range [][]byte{m.ToNRGBA().Pix[3:4], m.ToNRGBA64().Pix[6:8]} {
		for _, v := range a {
			if v != 0xff {
				t.Fatalf("alpha byte %#x for an image without alpha, want 0xff", v)
			}
		}
	}
}

func TestToNRGBARoundsAndClamps(t *testing.T) {
	tests := []struct {
		in     float32
		want8  uint8
		want16 uint16
	}{
		{0, 0, 0},
		{1, 255, 65535},
		{-0.3, 0, 0},
		{1.7, 255, 65535},
		{float32(math.NaN()), 0, 0},
		{1.4 / 255, 1, 360},
		{1.6 / 255, 2, 411},
		{0.5, 128, 32768},
	}
	for _, tt := range tests {
		m := picture.New(1, 1)
		for c := range picture.Channels {
			m.Plane(c)[0] = tt.in
		}
		m.Alpha = []float32{tt.in}
		p8 := m.ToNRGBA().Pix
		p16 := m.ToNRGBA64().Pix
		for c := range 4 {
			if p8[c] != tt.want8 {
				t.Errorf("ToNRGBA(%v) sample %d = %d, want %d", tt.in, c, p8[c], tt.want8)
			}
			if got := uint16(p16[2*c])<<8 | uint16(p16[2*c+1]); got != tt.want16 {
				t.Errorf("ToNRGBA64(%v) sample %d = %d, want %d", tt.in, c, got, tt.want16)
			}
		}
	}
}

func BenchmarkFromImageYCbCr(b *testing.B) {
	src := image.NewYCbCr(image.Rect(0, 0, 4000, 3000), image.YCbCrSubsampleRatio420)
	rng := rand.New(rand.NewPCG(5, 6))
	randomBytes(rng, src.Y)
	randomBytes(rng, src.Cb)
	randomBytes(rng, src.Cr)
	b.ReportAllocs()
	for b.Loop() {
		picture.FromImage(src)
	}
}
