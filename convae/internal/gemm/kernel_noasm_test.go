//go:build !amd64 || purego

package gemm

// testKernels lists the micro-kernels this machine can run, by name.
func testKernels() map[string]microKernel {
	return map[string]microKernel{"go": kernelGo}
}
