package convae

import (
	"fmt"
	"math"
)

// Loss names accepted by NewLoss.
const (
	LossMSE         = "mse"
	LossL1          = "l1"
	LossCharbonnier = "charbonnier"
)

// Loss measures how far a prediction is from its target, averaged over all
// elements, and computes its gradient.
type Loss interface {
	// Eval returns the loss of pred against target and, when grad is not
	// nil, writes its gradient with respect to pred into grad. All three
	// have the same length.
	Eval(pred, target, grad []float32) float64
	// Name returns the loss's name, as NewLoss accepts it.
	Name() string
}

// NewLoss returns the loss called name: "mse", "l1" or "charbonnier"
// (√((p-t)² + ε²) - ε with ε = 1e-3, a smooth L1).
func NewLoss(name string) (Loss, error) {
	switch name {
	case LossMSE:
		return MSELoss{}, nil
	case LossL1:
		return L1Loss{}, nil
	case LossCharbonnier:
		return CharbonnierLoss{Eps: 1e-3}, nil
	}
	return nil, fmt.Errorf("unknown loss %q (known: %s, %s, %s)", name, LossMSE, LossL1, LossCharbonnier)
}

func checkLoss(pred, target, grad []float32) {
	if len(pred) != len(target) || grad != nil && len(grad) != len(pred) {
		panic(fmt.Sprintf("convae: loss lengths %d, %d, %d differ", len(pred), len(target), len(grad)))
	}
}

// MSELoss is the mean squared error, PyTorch's F.mse_loss.
type MSELoss struct{}

// Name returns "mse".
func (MSELoss) Name() string { return LossMSE }

// Eval returns mean((pred-target)²) and its gradient 2(pred-target)/n.
func (MSELoss) Eval(pred, target, grad []float32) float64 {
	checkLoss(pred, target, grad)
	var s float64
	scale := float32(2 / float64(len(pred)))
	for i, p := range pred {
		d := p - target[i]
		s += float64(d * d)
		if grad != nil {
			grad[i] = scale * d
		}
	}
	return s / float64(len(pred))
}

// L1Loss is the mean absolute error, PyTorch's F.l1_loss.
type L1Loss struct{}

// Name returns "l1".
func (L1Loss) Name() string { return LossL1 }

// Eval returns mean(|pred-target|) and its (sub)gradient sign(pred-target)/n,
// 0 where pred equals target, as in PyTorch.
func (L1Loss) Eval(pred, target, grad []float32) float64 {
	checkLoss(pred, target, grad)
	var s float64
	scale := float32(1 / float64(len(pred)))
	for i, p := range pred {
		d := p - target[i]
		s += math.Abs(float64(d))
		if grad != nil {
			switch {
			case d > 0:
				grad[i] = scale
			case d < 0:
				grad[i] = -scale
			default:
				grad[i] = 0
			}
		}
	}
	return s / float64(len(pred))
}

// CharbonnierLoss is mean(√((pred-target)² + Eps²) - Eps): quadratic near
// zero, like L1 beyond Eps.
type CharbonnierLoss struct{ Eps float32 }

// Name returns "charbonnier".
func (CharbonnierLoss) Name() string { return LossCharbonnier }

// Eval returns the Charbonnier loss and its gradient (d/√(d²+ε²))/n.
func (c CharbonnierLoss) Eval(pred, target, grad []float32) float64 {
	checkLoss(pred, target, grad)
	var s float64
	e2 := float64(c.Eps) * float64(c.Eps)
	scale := 1 / float64(len(pred))
	for i, p := range pred {
		d := float64(p - target[i])
		r := math.Sqrt(d*d + e2)
		s += r - float64(c.Eps)
		if grad != nil {
			grad[i] = float32(d / r * scale)
		}
	}
	return s / float64(len(pred))
}
