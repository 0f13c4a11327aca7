//go:build amd64 && !purego

#include "textflag.h"

// Only VEX-encoded instructions here: a legacy SSE instruction (MOVSS,
// UCOMISS…) while the upper halves of the YMM registers are dirty costs a
// state transition, measured at about 110 ns per call on Zen 3.

// One step p of the 4×24 micro-kernel: three vectors of a B row (24
// floats at breg+boff), each multiplied by the four broadcast values of
// the packed A column (4 floats at AX+aoff), accumulated in Y0–Y11: row r
// of the tile lives in Y(3r), Y(3r+1), Y(3r+2).
#define STEPB(aoff, boff, breg) \
	VMOVUPS      boff(breg), Y12    \
	VMOVUPS      boff+32(breg), Y13 \
	VMOVUPS      boff+64(breg), Y14 \
	VBROADCASTSS aoff(AX), Y15      \
	VFMADD231PS  Y15, Y12, Y0       \
	VFMADD231PS  Y15, Y13, Y1       \
	VFMADD231PS  Y15, Y14, Y2       \
	VBROADCASTSS aoff+4(AX), Y15    \
	VFMADD231PS  Y15, Y12, Y3       \
	VFMADD231PS  Y15, Y13, Y4       \
	VFMADD231PS  Y15, Y14, Y5       \
	VBROADCASTSS aoff+8(AX), Y15    \
	VFMADD231PS  Y15, Y12, Y6       \
	VFMADD231PS  Y15, Y13, Y7       \
	VFMADD231PS  Y15, Y14, Y8       \
	VBROADCASTSS aoff+12(AX), Y15   \
	VFMADD231PS  Y15, Y12, Y9       \
	VFMADD231PS  Y15, Y13, Y10      \
	VFMADD231PS  Y15, Y14, Y11

// A step of the packed kernel: the B row at BX+boff (packed rows are 96
// bytes apart).
#define STEP(aoff, boff) STEPB(aoff, boff, BX)

// A step of the strided kernel: the B row at breg.
#define STEPR(aoff, breg) STEPB(aoff, 0, breg)

// Y0–Y11, the accumulators of the 4×24 tile, = 0.
#define ZERO_ACCUMULATORS \
	VXORPS Y0, Y0, Y0    \
	VXORPS Y1, Y1, Y1    \
	VXORPS Y2, Y2, Y2    \
	VXORPS Y3, Y3, Y3    \
	VXORPS Y4, Y4, Y4    \
	VXORPS Y5, Y5, Y5    \
	VXORPS Y6, Y6, Y6    \
	VXORPS Y7, Y7, Y7    \
	VXORPS Y8, Y8, Y8    \
	VXORPS Y9, Y9, Y9    \
	VXORPS Y10, Y10, Y10 \
	VXORPS Y11, Y11, Y11

// Row r of C (at DI) = accumulators + beta·C, beta in Y15.
#define UPDATE(r0, r1, r2) \
	VFMADD231PS (DI), Y15, r0   \
	VFMADD231PS 32(DI), Y15, r1 \
	VFMADD231PS 64(DI), Y15, r2 \
	VMOVUPS     r0, (DI)        \
	VMOVUPS     r1, 32(DI)      \
	VMOVUPS     r2, 64(DI)      \
	ADDQ        DX, DI

// Row r of C (at DI) = accumulators.
#define STORE(r0, r1, r2) \
	VMOVUPS r0, (DI)   \
	VMOVUPS r1, 32(DI) \
	VMOVUPS r2, 64(DI) \
	ADDQ    DX, DI

// func kernel4x24(k int, a, b, c *float32, ldc int, beta float32)
TEXT ·kernel4x24(SB), NOSPLIT, $0-44
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), AX
	MOVQ b+16(FP), BX
	MOVQ c+24(FP), DI
	MOVQ ldc+32(FP), DX
	SHLQ $2, DX

	// Bring the C tile towards L1 while the products are computed.
	MOVQ       DI, SI
	PREFETCHT0 (SI)
	PREFETCHT0 48(SI)
	PREFETCHT0 95(SI)
	ADDQ       DX, SI
	PREFETCHT0 (SI)
	PREFETCHT0 48(SI)
	PREFETCHT0 95(SI)
	ADDQ       DX, SI
	PREFETCHT0 (SI)
	PREFETCHT0 48(SI)
	PREFETCHT0 95(SI)
	ADDQ       DX, SI
	PREFETCHT0 (SI)
	PREFETCHT0 48(SI)
	PREFETCHT0 95(SI)

	ZERO_ACCUMULATORS

	MOVQ CX, R8
	SHRQ $2, R8
	ANDQ $3, CX
	TESTQ R8, R8
	JZ   tail

loop4:
	PREFETCHT0 256(AX)
	STEP(0, 0)
	STEP(16, 96)
	STEP(32, 192)
	STEP(48, 288)
	ADDQ $64, AX
	ADDQ $384, BX
	DECQ R8
	JNZ  loop4

tail:
	TESTQ CX, CX
	JZ    update

loop1:
	STEP(0, 0)
	ADDQ $16, AX
	ADDQ $96, BX
	DECQ CX
	JNZ  loop1

update:
	// beta == 0 overwrites C without reading it (it may hold NaNs);
	// any other beta (NaN included) scales it.
	VMOVSS   beta+40(FP), X15
	VXORPS   X14, X14, X14
	VUCOMISS X14, X15
	JNE     scaled
	JPS     scaled
	STORE(Y0, Y1, Y2)
	STORE(Y3, Y4, Y5)
	STORE(Y6, Y7, Y8)
	STORE(Y9, Y10, Y11)
	VZEROUPPER
	RET

scaled:
	VBROADCASTSS beta+40(FP), Y15
	UPDATE(Y0, Y1, Y2)
	UPDATE(Y3, Y4, Y5)
	UPDATE(Y6, Y7, Y8)
	UPDATE(Y9, Y10, Y11)
	VZEROUPPER
	RET

// func fmaLoop(n int)
TEXT ·fmaLoop(SB), NOSPLIT, $0-8
	MOVQ   n+0(FP), CX
	ZERO_ACCUMULATORS
	VXORPS Y12, Y12, Y12
	VXORPS Y13, Y13, Y13
	TESTQ  CX, CX
	JZ     done

fma:
	VFMADD231PS Y12, Y13, Y0
	VFMADD231PS Y12, Y13, Y1
	VFMADD231PS Y12, Y13, Y2
	VFMADD231PS Y12, Y13, Y3
	VFMADD231PS Y12, Y13, Y4
	VFMADD231PS Y12, Y13, Y5
	VFMADD231PS Y12, Y13, Y6
	VFMADD231PS Y12, Y13, Y7
	VFMADD231PS Y12, Y13, Y8
	VFMADD231PS Y12, Y13, Y9
	VFMADD231PS Y12, Y13, Y10
	VFMADD231PS Y12, Y13, Y11
	DECQ        CX
	JNZ         fma

done:
	VZEROUPPER
	RET

// func kernel4x24s(k int, a, b, c *float32, ldb, ldc int)
// The 4×24 tile C = A·B (C overwritten) with A a packed mr×k sliver and B
// read in place: row p of its 24 columns at b + p·ldb.
TEXT ·kernel4x24s(SB), NOSPLIT, $0-48
	MOVQ k+0(FP), CX
	MOVQ a+8(FP), AX
	MOVQ b+16(FP), BX
	MOVQ c+24(FP), DI
	MOVQ ldb+32(FP), R9
	SHLQ $2, R9
	MOVQ ldc+40(FP), DX
	SHLQ $2, DX

	ZERO_ACCUMULATORS

	MOVQ  CX, R8
	SHRQ  $2, R8
	ANDQ  $3, CX
	TESTQ R8, R8
	JZ    stail

sloop4:
	LEAQ (BX)(R9*1), R10
	LEAQ (BX)(R9*2), R11
	LEAQ (R10)(R9*2), R12
	STEPR(0, BX)
	STEPR(16, R10)
	STEPR(32, R11)
	STEPR(48, R12)
	ADDQ $64, AX
	LEAQ (R11)(R9*2), BX
	DECQ R8
	JNZ  sloop4

stail:
	TESTQ CX, CX
	JZ    sstore

sloop1:
	STEPR(0, BX)
	ADDQ $16, AX
	ADDQ R9, BX
	DECQ CX
	JNZ  sloop1

sstore:
	STORE(Y0, Y1, Y2)
	STORE(Y3, Y4, Y5)
	STORE(Y6, Y7, Y8)
	STORE(Y9, Y10, Y11)
	VZEROUPPER
	RET
