package convae

import (
	"errors"
	"fmt"
	"reflect"
)

// Equal reports whether s and o describe the same network: the same name,
// channels and ops, so that their parameters line up one for one.
func (s Spec) Equal(o Spec) bool { return reflect.DeepEqual(s, o) }

// Average returns a new network of the nets' common spec whose every
// parameter is the mean of theirs (computed in float64): the average of
// checkpoints of one training run, which lies nearer the middle of the
// valley that the run's last steps wander around than any one of them.
// The nets must share one spec, every op and parameter shape alike.
func Average(nets []*Net) (*Net, error) {
	if len(nets) == 0 {
		return nil, errors.New("convae: no networks to average")
	}
	first := nets[0]
	for i, n := range nets[1:] {
		if !n.spec.Equal(first.spec) {
			return nil, fmt.Errorf("convae: network %d (%s) differs from network 1 (%s): only networks of one spec can be averaged", i+2, n.spec.Name, first.spec.Name)
		}
	}
	avg, err := newNet(first.spec)
	if err != nil {
		return nil, err
	}
	sum := make([]float64, len(avg.params))
	for _, n := range nets {
		for i, v := range n.params {
			sum[i] += float64(v)
		}
	}
	for i, s := range sum {
		avg.params[i] = float32(s / float64(len(nets)))
	}
	return avg, nil
}
