//go:build amd64 && !purego

package vec

import "golang.org/x/sys/cpu"

// hasAVX2 selects the assembly loops; it is fixed at start-up.
var hasAVX2 = cpu.X86.HasAVX2

//go:noescape
func biasActAVX2(v []float32, bias, slope float32)

//go:noescape
func actGradAVX2(y, dy []float32, slope float32)

//go:noescape
func addAVX2(dst, src []float32)
