//go:build !amd64 || purego

package vec

const hasAVX2 = false

func biasActAVX2(v []float32, bias, slope float32) { biasActGo(v, bias, slope) }
func actGradAVX2(y, dy []float32, slope float32)   { actGradGo(y, dy, slope) }
func addAVX2(dst, src []float32)                   { addGo(dst, src) }
