//go:build amd64 && !purego

package gemm

// testKernels lists the micro-kernels this machine can run, by name.
func testKernels() map[string]microKernel {
	ks := map[string]microKernel{"go": kernelGo}
	if hasFMA {
		ks["avx2"] = kernelAVX2
	}
	return ks
}
