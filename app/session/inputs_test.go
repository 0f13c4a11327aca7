package session

import (
	"math/rand/v2"
	"slices"
	"testing"

	"diabolo/app/corruption"
	"diabolo/app/noise"
	"diabolo/convae"
)

// The fourth input channel carries the noise level for denoising and the
// brush mask for watermark removal: empty without hints, covering every
// changed pixel when given.
func TestCorruptFillsTheFourthChannel(t *testing.T) {
	const n, side = 8, 48
	clean := convae.NewTensor(convae.Shape{N: n, C: 3, H: side, W: side})
	for i := range clean.Data {
		clean.Data[i] = 0.3 + 0.4*float32(i%11)/11
	}
	x := convae.NewTensor(convae.Shape{N: n, C: 4, H: side, W: side})
	plane := side * side

	gauss, _ := noise.Parse("gaussian:20")
	corrupt(x, clean, nil, gauss, rand.New(rand.NewPCG(1, 2)), "denoise", painting{share: 0.5, margin: 6})
	for i := 0; i < n; i++ {
		for _, v := range x.Item(i)[3*plane:] {
			if d := v - 20.0/255; d > 1e-6 || d < -1e-6 {
				t.Fatalf("noise level channel holds %g, want %g", v, 20.0/255)
			}
		}
	}

	mark, err := corruption.Parse("watermark")
	if err != nil {
		t.Fatal(err)
	}
	corrupt(x, clean, nil, mark, rand.New(rand.NewPCG(1, 2)), "watermark", painting{})
	for i := 0; i < n; i++ {
		for _, v := range x.Item(i)[3*plane:] {
			if v != 0 {
				t.Fatal("validation inputs carry a brush mask")
			}
		}
	}

	hinted := 0
	corrupt(x, clean, nil, mark, rand.New(rand.NewPCG(5, 6)), "watermark", painting{share: 0.5, margin: 6})
	for i := 0; i < n; i++ {
		item, orig := x.Item(i), clean.Item(i)
		mask := item[3*plane:]
		painted := false
		for _, v := range mask {
			painted = painted || v == 1
		}
		if !painted {
			continue
		}
		hinted++
		for c := 0; c < 3; c++ {
			for j := 0; j < plane; j++ {
				if d := item[c*plane+j] - orig[c*plane+j]; (d > 1.0/255 || d < -1.0/255) && mask[j] != 1 {
					t.Fatalf("patch %d: pixel %d changed by the mark but left out of the brush mask", i, j)
				}
			}
		}
	}
	if hinted == 0 || hinted == n {
		t.Errorf("%d of %d patches carry a brush mask, want about half", hinted, n)
	}

	// Brush training paints every patch.
	corrupt(x, clean, nil, mark, rand.New(rand.NewPCG(5, 6)), "watermark", painting{share: 1, margin: 6})
	for i := 0; i < n; i++ {
		if !slices.Contains(x.Item(i)[3*plane:], 1) {
			t.Errorf("brush training: patch %d carries no brush mask", i)
		}
	}
}

// The mark targets of a batch hold each patch's opacity and colour: the
// input is the clean patch with that mark blended over it.
func TestCorruptRecordsTheMarks(t *testing.T) {
	const n, side = 4, 40
	plane := side * side
	clean := convae.NewTensor(convae.Shape{N: n, C: 3, H: side, W: side})
	for i := range clean.Data {
		clean.Data[i] = 0.2 + 0.6*float32(i%13)/13
	}
	x := convae.NewTensor(convae.Shape{N: n, C: 4, H: side, W: side})
	mark, err := corruption.Parse("watermark:0.5")
	if err != nil {
		t.Fatal(err)
	}
	marks := newMarkTargets(n, plane)
	corrupt(x, clean, marks, mark, rand.New(rand.NewPCG(8, 8)), "watermark", painting{})
	marked := 0
	for k := 0; k < n; k++ {
		for c := 0; c < 3; c++ {
			for i := 0; i < plane; i++ {
				a := marks.alpha[k*plane+i]
				want := (1-a)*clean.Item(k)[c*plane+i] + a*marks.colour[(k*3+c)*plane+i]
				if d := x.Item(k)[c*plane+i] - want; d > 1e-5 || d < -1e-5 {
					t.Fatalf("patch %d channel %d pixel %d: input %g, clean blended with the recorded mark %g", k, c, i, x.Item(k)[c*plane+i], want)
				}
				if a > 0 && c == 0 {
					marked++
				}
			}
		}
	}
	if marked == 0 {
		t.Error("no marked pixel recorded")
	}
}

// The paint reaches 1 to margin pixels past the marks, drawn per patch: no
// painted pixel lies farther from a marked one than margin, and over a
// batch the widest paint comes near it.
func TestCorruptPaintMargin(t *testing.T) {
	const n, side = 16, 64
	plane := side * side
	clean := convae.NewTensor(convae.Shape{N: n, C: 3, H: side, W: side})
	for i := range clean.Data {
		clean.Data[i] = 0.3 + 0.4*float32(i%7)/7
	}
	mark, err := corruption.Parse("watermark")
	if err != nil {
		t.Fatal(err)
	}
	for _, margin := range []int{1, 6, 20} {
		x := convae.NewTensor(convae.Shape{N: n, C: 4, H: side, W: side})
		marks := newMarkTargets(n, plane)
		corrupt(x, clean, marks, mark, rand.New(rand.NewPCG(3, uint64(margin))), "watermark", painting{share: 1, margin: margin})
		widest := 0
		for k := 0; k < n; k++ {
			alpha := marks.alpha[k*plane : (k+1)*plane]
			paint := x.Item(k)[3*plane:]
			for i, p := range paint {
				if p != 1 {
					continue
				}
				// The distance (along rows and columns at once, as a
				// square brush reaches) to the nearest marked pixel.
				d := side
				for j, a := range alpha {
					if a > markThreshold {
						d = min(d, max(abs(i%side-j%side), abs(i/side-j/side)))
					}
				}
				widest = max(widest, d)
			}
		}
		if widest > margin || widest < margin*2/3 {
			t.Errorf("margin %d: the paint reaches %d pixels past the marks, want at most %d and near it", margin, widest, margin)
		}
	}
}

func abs(v int) int { return max(v, -v) }
