package convae

import (
	"math"
	"strings"
	"testing"
)

// The average of networks holds the mean of each parameter, and the
// networks averaged are left as they were.
func TestAverage(t *testing.T) {
	spec := UNetSpec("small", UNetConfig{Width: 4, Levels: 1, Blocks: 1})
	var nets []*Net
	for seed := range uint64(3) {
		n, err := NewNet(spec, seed+1)
		if err != nil {
			t.Fatal(err)
		}
		nets = append(nets, n)
	}
	before := append([]float32(nil), nets[0].Params()...)
	avg, err := Average(nets)
	if err != nil {
		t.Fatal(err)
	}
	if len(avg.Params()) != len(before) {
		t.Fatalf("the average has %d parameters, want %d", len(avg.Params()), len(before))
	}
	var spread float64
	for i, got := range avg.Params() {
		a, b, c := float64(nets[0].Params()[i]), float64(nets[1].Params()[i]), float64(nets[2].Params()[i])
		if want := (a + b + c) / 3; math.Abs(float64(got)-want) > 1e-7 {
			t.Fatalf("parameter %d: %g, want the mean of %g, %g and %g", i, got, a, b, c)
		}
		spread = max(spread, math.Abs(a-b))
	}
	if spread == 0 {
		t.Fatal("the networks averaged are all alike: the test cannot tell a mean from a copy")
	}
	for i, v := range nets[0].Params() {
		if v != before[i] {
			t.Fatalf("parameter %d of the first network changed from %g to %g", i, before[i], v)
		}
	}
	// The average computes: it has its own buffers, not the first net's.
	x := NewTensor(Shape{N: 1, C: spec.In, H: 8, W: 8})
	for i := range x.Data {
		x.Data[i] = float32(i%7) / 7
	}
	if y := avg.Forward(x); len(y.Data) != spec.Out*64 {
		t.Errorf("the average's output has %d values, want %d", len(y.Data), spec.Out*64)
	}
}

func TestAverageRejects(t *testing.T) {
	small, err := NewNet(UNetSpec("small", UNetConfig{Width: 4, Levels: 1, Blocks: 1}), 1)
	if err != nil {
		t.Fatal(err)
	}
	wider, err := NewNet(UNetSpec("wider", UNetConfig{Width: 8, Levels: 1, Blocks: 1}), 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		nets []*Net
		want string
	}{
		{"none", nil, "no networks to average"},
		{"two specs", []*Net{small, small, wider}, "network 3 (wider) differs from network 1 (small)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Average(tc.nets)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Average: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
