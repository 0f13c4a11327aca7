package watermark

import "math"

// cgProblem is a symmetric positive definite system A·x = b given by its
// action, for conjugate gradients.
type cgProblem struct {
	// apply sets out = A·x. Both have the length of b.
	apply func(x, out []float64)
	// b is the right-hand side.
	b []float64
	// diag is the diagonal of A, for the Jacobi preconditioner; entries ≤ 0
	// mark unknowns that are not part of the system (their residual and
	// update stay 0).
	diag []float64
}

// solve improves x, the starting guess, in place by preconditioned conjugate
// gradients until the residual's norm falls below tol times the norm of b or
// maxIter iterations have run. It returns the number of iterations and the
// final relative residual.
func (p cgProblem) solve(x []float64, tol float64, maxIter int) (int, float64) {
	n := len(p.b)
	r, z, d, ad := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	p.apply(x, ad)
	bNorm := 0.0
	for i := range n {
		if p.diag[i] > 0 {
			r[i] = p.b[i] - ad[i]
			bNorm += p.b[i] * p.b[i]
		}
	}
	bNorm = math.Sqrt(bNorm)
	if bNorm == 0 {
		bNorm = 1
	}
	precondition := func() float64 {
		var rz float64
		for i := range n {
			if p.diag[i] > 0 {
				z[i] = r[i] / p.diag[i]
				rz += r[i] * z[i]
			}
		}
		return rz
	}
	rz := precondition()
	copy(d, z)
	rel := norm(r) / bNorm
	iter := 0
	for ; iter < maxIter && rel > tol; iter++ {
		p.apply(d, ad)
		var dad float64
		for i := range n {
			if p.diag[i] > 0 {
				dad += d[i] * ad[i]
			}
		}
		if dad <= 0 {
			break
		}
		step := rz / dad
		for i := range n {
			if p.diag[i] > 0 {
				x[i] += step * d[i]
				r[i] -= step * ad[i]
			}
		}
		next := precondition()
		beta := next / rz
		rz = next
		for i := range n {
			d[i] = z[i] + beta*d[i]
		}
		rel = norm(r) / bNorm
	}
	return iter, rel
}

// norm returns the Euclidean norm of v.
func norm(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}
