package noise

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestPoissonMoments(t *testing.T) {
	// Means on both sides of the switch between the two samplers.
	for _, mean := range []float64{0.3, 3, 9.99, 10, 47, 1e4, 1e9} {
		rng := rand.New(rand.NewPCG(uint64(mean*100), 1))
		const draws = 100000
		var sum, sumSquares float64
		zeros := 0
		for range draws {
			k := poisson(rng, mean)
			if k < 0 || k != math.Floor(k) {
				t.Fatalf("mean %v: drew %v, not a count", mean, k)
			}
			if k == 0 {
				zeros++
			}
			sum += k
			sumSquares += k * k
		}
		gotMean := sum / draws
		gotVariance := sumSquares/draws - gotMean*gotMean
		if standardError := math.Sqrt(mean / draws); math.Abs(gotMean-mean) > 5*standardError {
			t.Errorf("mean %v: sample mean %v", mean, gotMean)
		}
		// The relative standard error of a sample variance is about √(2/n).
		if math.Abs(gotVariance-mean) > 5*math.Sqrt(2.0/draws)*mean+5*math.Sqrt(mean/draws) {
			t.Errorf("mean %v: sample variance %v", mean, gotVariance)
		}
		if p0 := math.Exp(-mean); math.Abs(float64(zeros)/draws-p0) > 5*math.Sqrt(p0*(1-p0)/draws)+1e-9 {
			t.Errorf("mean %v: P(0) = %v, want %v", mean, float64(zeros)/draws, p0)
		}
	}
}

func TestPoissonOfZeroMeanIsZero(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, mean := range []float64{0, -1} {
		if k := poisson(rng, mean); k != 0 {
			t.Errorf("poisson(%v) = %v, want 0", mean, k)
		}
	}
}
