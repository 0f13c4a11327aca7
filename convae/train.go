package convae

import "fmt"

// Trainer performs supervised training steps: forward, loss, backward and
// an optimiser update, reusing its buffers from step to step.
type Trainer struct {
	Net  *Net
	Opt  *Adam
	Loss Loss
	grad Tensor // gradient of the loss with respect to the output
}

// NewTrainer returns a trainer of net with Adam at learning rate lr and
// the given loss.
func NewTrainer(net *Net, lr float64, loss Loss) *Trainer {
	return &Trainer{Net: net, Opt: NewAdam(lr, len(net.Params())), Loss: loss}
}

// Step trains on one batch: x goes in, target is what should come out. It
// returns the loss before the update. A non-finite loss leaves the
// parameters unchanged, so the caller can lower the learning rate and go on.
func (t *Trainer) Step(x, target *Tensor) float64 {
	y := t.Net.Forward(x)
	if y.Shape != target.Shape {
		panic(fmt.Sprintf("convae: output %v and target %v differ in shape", y.Shape, target.Shape))
	}
	t.grad.reshape(y.Shape)
	loss := t.Loss.Eval(y.Data, target.Data, t.grad.Data)
	if loss != loss || loss > 1e30 { // NaN or overflow
		return loss
	}
	t.Net.Backward(&t.grad)
	t.Opt.Step(t.Net.Params(), t.Net.Grads())
	return loss
}

// Evaluate returns the loss of the network on x against target, without
// training.
func (t *Trainer) Evaluate(x, target *Tensor) float64 {
	y := t.Net.Forward(x)
	return t.Loss.Eval(y.Data, target.Data, nil)
}
