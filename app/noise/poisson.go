package noise

import (
	"math"
	"math/rand/v2"
)

// poissonPTRSThreshold is the mean from which poisson switches from
// multiplying uniforms to transformed rejection.
const poissonPTRSThreshold = 10

// poisson returns a Poisson-distributed count with the given mean ≥ 0, as a
// float64 so that huge means do not overflow.
func poisson(rng *rand.Rand, mean float64) float64 {
	if mean <= 0 {
		return 0
	}
	if mean < poissonPTRSThreshold {
		return poissonByMultiplication(rng, mean)
	}
	return poissonPTRS(rng, mean)
}

// poissonByMultiplication is Knuth's method: count uniforms until their
// product falls below e^-mean. It takes about mean+1 draws.
func poissonByMultiplication(rng *rand.Rand, mean float64) float64 {
	limit := math.Exp(-mean)
	count := 0.0
	for product := rng.Float64(); product > limit; product *= rng.Float64() {
		count++
	}
	return count
}

// poissonPTRS is Hörmann's transformed rejection with squeeze ("The
// transformed rejection method for generating Poisson random variables",
// Insurance: Mathematics and Economics 12, 1993), valid for mean ≥ 10; it
// takes about 1.2 iterations on average.
func poissonPTRS(rng *rand.Rand, mean float64) float64 {
	sqrtMean := math.Sqrt(mean)
	logMean := math.Log(mean)
	b := 0.931 + 2.53*sqrtMean
	a := -0.059 + 0.02483*b
	invAlpha := 1.1239 + 1.1328/(b-3.4)
	vr := 0.9277 - 3.6224/(b-2)
	for {
		u := rng.Float64() - 0.5
		v := rng.Float64()
		us := 0.5 - math.Abs(u)
		k := math.Floor((2*a/us+b)*u + mean + 0.43)
		if us >= 0.07 && v <= vr {
			return k
		}
		if k < 0 || (us < 0.013 && v > us) {
			continue
		}
		logFactorial, _ := math.Lgamma(k + 1)
		if math.Log(v)+math.Log(invAlpha)-math.Log(a/(us*us)+b) <= -mean+k*logMean-logFactorial {
			return k
		}
	}
}
