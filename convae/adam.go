package convae

import (
	"fmt"
	"math"
)

// Adam is the Adam optimiser with exactly PyTorch's update rule
// (torch.optim.Adam, and AdamW when Decoupled is set):
//
//	g ← g + WeightDecay·p                       (coupled weight decay)
//	p ← p - LR·WeightDecay·p                    (decoupled weight decay)
//	m ← β1·m + (1-β1)·g
//	v ← β2·v + (1-β2)·g²
//	p ← p - (LR/(1-β1^t)) · m / (√v/√(1-β2^t) + ε)
type Adam struct {
	LR, Beta1, Beta2, Eps float64
	WeightDecay           float64
	Decoupled             bool // AdamW: decay the weights, not the gradient

	step int
	m, v []float32
}

// NewAdam returns Adam with PyTorch's defaults (β 0.9, 0.999, ε 1e-8) and
// learning rate lr, for a parameter vector of n values.
func NewAdam(lr float64, n int) *Adam {
	return &Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, m: make([]float32, n), v: make([]float32, n)}
}

// Steps returns the number of updates made so far.
func (a *Adam) Steps() int { return a.step }

// State returns the moment vectors and the step count, for checkpoints.
func (a *Adam) State() (m, v []float32, step int) { return a.m, a.v, a.step }

// SetState restores moments and step count saved by State; m and v must
// have the length of the parameter vector.
func (a *Adam) SetState(m, v []float32, step int) error {
	if len(m) != len(a.m) || len(v) != len(a.v) || step < 0 {
		return fmt.Errorf("adam state of %d/%d values for %d parameters", len(m), len(v), len(a.m))
	}
	copy(a.m, m)
	copy(a.v, v)
	a.step = step
	return nil
}

// Step updates params from grads (both of the length given to NewAdam).
// It panics on a length mismatch.
func (a *Adam) Step(params, grads []float32) {
	if len(params) != len(a.m) || len(grads) != len(a.m) {
		panic(fmt.Sprintf("convae: Adam for %d parameters got %d params, %d grads", len(a.m), len(params), len(grads)))
	}
	a.step++
	t := float64(a.step)
	bc1 := 1 - math.Pow(a.Beta1, t)
	bc2 := 1 - math.Pow(a.Beta2, t)
	stepSize := float32(a.LR / bc1)
	invSqrtBC2 := float32(1 / math.Sqrt(bc2))
	b1, b2 := float32(a.Beta1), float32(a.Beta2)
	eps := float32(a.Eps)
	wd := float32(a.WeightDecay)
	decay := float32(1 - a.LR*a.WeightDecay)
	m, v := a.m[:len(params)], a.v[:len(params)]
	grads = grads[:len(params)]
	for i, p := range params {
		g := grads[i]
		if wd != 0 {
			if a.Decoupled {
				p *= decay
			} else {
				g += wd * p
			}
		}
		mi := b1*m[i] + (1-b1)*g
		vi := b2*v[i] + (1-b2)*g*g
		m[i], v[i] = mi, vi
		denom := float32(math.Sqrt(float64(vi)))*invSqrtBC2 + eps
		params[i] = p - stepSize*mi/denom
	}
}
