//go:build amd64 && !purego

#include "textflag.h"

// The arrays of slices hold 24-byte slice headers: the data pointer of
// element k is at 24·k.

// func winogradInAVX2(dst, src *[6][]float32, n int)
// Eight values of each vector at a time, with a, b, c, d, e, f the six
// sources:
//
//	dst0 = 4a + e - 5c
//	dst1 = (e - 4c) + (d - 4b)
//	dst2 = (e - 4c) - (d - 4b)
//	dst3 = (e - c) + 2(d - b)
//	dst4 = (e - c) - 2(d - b)
//	dst5 = 4b + f - 5d
//
// Multiplications by 2 and 4 are exact (short of overflow), so only dst0
// and dst5 round differently from the Go loop. The twelve pointers point
// past the n values and R14 runs from -n up to 0: with ABI0, R14 is free
// here (the ABI wrapper restores the goroutine pointer after the call, as
// it zeroes X15 again).
TEXT ·winogradInAVX2(SB), NOSPLIT, $0-24
	MOVQ  dst+0(FP), AX
	MOVQ  src+8(FP), BX
	MOVQ  n+16(FP), R14
	TESTQ R14, R14
	JZ    winoin_done

	MOVL         $0x40000000, CX // 2.0
	VMOVD        CX, X13
	VBROADCASTSS X13, Y13
	MOVL         $0x40800000, CX // 4.0
	VMOVD        CX, X14
	VBROADCASTSS X14, Y14
	MOVL         $0x40a00000, CX // 5.0
	VMOVD        CX, X15
	VBROADCASTSS X15, Y15

	MOVQ 0(BX), CX    // a
	MOVQ 24(BX), DX   // b
	MOVQ 48(BX), SI   // c
	MOVQ 72(BX), DI   // d
	MOVQ 96(BX), R8   // e
	MOVQ 120(BX), R9  // f
	MOVQ 0(AX), R10   // dst0
	MOVQ 24(AX), R11  // dst1
	MOVQ 48(AX), R12  // dst2
	MOVQ 72(AX), R13  // dst3
	MOVQ 96(AX), BX   // dst4
	MOVQ 120(AX), AX  // dst5
	LEAQ (CX)(R14*4), CX
	LEAQ (DX)(R14*4), DX
	LEAQ (SI)(R14*4), SI
	LEAQ (DI)(R14*4), DI
	LEAQ (R8)(R14*4), R8
	LEAQ (R9)(R14*4), R9
	LEAQ (R10)(R14*4), R10
	LEAQ (R11)(R14*4), R11
	LEAQ (R12)(R14*4), R12
	LEAQ (R13)(R14*4), R13
	LEAQ (BX)(R14*4), BX
	LEAQ (AX)(R14*4), AX
	NEGQ R14

winoin_loop:
	VMOVUPS (CX)(R14*4), Y0 // a
	VMOVUPS (DX)(R14*4), Y1 // b
	VMOVUPS (SI)(R14*4), Y2 // c
	VMOVUPS (DI)(R14*4), Y3 // d
	VMOVUPS (R8)(R14*4), Y4 // e
	VMOVUPS (R9)(R14*4), Y5 // f

	VFMADD213PS  Y4, Y14, Y0 // Y0 = 4a + e
	VFNMADD231PS Y15, Y2, Y0 // Y0 -= 5c
	VFMADD231PS  Y14, Y1, Y5 // Y5 = 4b + f
	VFNMADD231PS Y15, Y3, Y5 // Y5 -= 5d

	VSUBPS       Y2, Y4, Y6  // Y6 = e - c
	VSUBPS       Y1, Y3, Y7  // Y7 = d - b
	VMOVAPS      Y6, Y8
	VFMADD231PS  Y13, Y7, Y6 // Y6 = e - c + 2(d - b)
	VFNMADD231PS Y13, Y7, Y8 // Y8 = e - c - 2(d - b)

	VFNMADD213PS Y4, Y14, Y2 // Y2 = e - 4c
	VFNMADD213PS Y3, Y14, Y1 // Y1 = d - 4b
	VADDPS       Y1, Y2, Y9
	VSUBPS       Y1, Y2, Y10

	VMOVUPS Y0, (R10)(R14*4)
	VMOVUPS Y9, (R11)(R14*4)
	VMOVUPS Y10, (R12)(R14*4)
	VMOVUPS Y6, (R13)(R14*4)
	VMOVUPS Y8, (BX)(R14*4)
	VMOVUPS Y5, (AX)(R14*4)
	ADDQ    $8, R14
	JNZ     winoin_loop

winoin_done:
	VZEROUPPER
	RET

// func winogradOutAVX2(dst *[4][]float32, src *[6][]float32, n int)
// Eight values of each vector at a time, with s0 … s5 the sources,
// p = s1 + s2, m = s1 - s2, q = s3 + s4 and r = s3 - s4:
//
//	dst0 = s0 + p + q
//	dst1 = m + 2r
//	dst2 = p + 4q
//	dst3 = m + 8r + s5
//
// Multiplications by 2, 4 and 8 are exact (short of overflow), so the
// fused ones round as the Go loop does. The ten pointers point past the n
// values and BX runs from -n up to 0.
TEXT ·winogradOutAVX2(SB), NOSPLIT, $0-24
	MOVQ  dst+0(FP), AX
	MOVQ  src+8(FP), BX
	MOVQ  n+16(FP), CX
	TESTQ CX, CX
	JZ    winoout_done

	MOVL         $0x40000000, CX // 2.0
	VMOVD        CX, X13
	VBROADCASTSS X13, Y13
	MOVL         $0x40800000, CX // 4.0
	VMOVD        CX, X14
	VBROADCASTSS X14, Y14
	MOVL         $0x41000000, CX // 8.0
	VMOVD        CX, X15
	VBROADCASTSS X15, Y15

	MOVQ 0(BX), CX    // s0
	MOVQ 24(BX), DX   // s1
	MOVQ 48(BX), SI   // s2
	MOVQ 72(BX), DI   // s3
	MOVQ 96(BX), R8   // s4
	MOVQ 120(BX), R9  // s5
	MOVQ 0(AX), R10   // dst0
	MOVQ 24(AX), R11  // dst1
	MOVQ 48(AX), R12  // dst2
	MOVQ 72(AX), R13  // dst3
	MOVQ n+16(FP), BX
	LEAQ (CX)(BX*4), CX
	LEAQ (DX)(BX*4), DX
	LEAQ (SI)(BX*4), SI
	LEAQ (DI)(BX*4), DI
	LEAQ (R8)(BX*4), R8
	LEAQ (R9)(BX*4), R9
	LEAQ (R10)(BX*4), R10
	LEAQ (R11)(BX*4), R11
	LEAQ (R12)(BX*4), R12
	LEAQ (R13)(BX*4), R13
	NEGQ BX

winoout_loop:
	VMOVUPS (DX)(BX*4), Y1
	VMOVUPS (SI)(BX*4), Y2
	VMOVUPS (DI)(BX*4), Y3
	VMOVUPS (R8)(BX*4), Y4
	VADDPS  Y2, Y1, Y6 // p
	VSUBPS  Y2, Y1, Y7 // m
	VADDPS  Y4, Y3, Y8 // q
	VSUBPS  Y4, Y3, Y9 // r

	VADDPS      (CX)(BX*4), Y6, Y0 // s0 + p
	VADDPS      Y8, Y0, Y0         // + q
	VMOVAPS     Y7, Y10
	VFMADD231PS Y13, Y9, Y10       // m + 2r
	VFMADD231PS Y14, Y8, Y6        // p + 4q
	VFMADD231PS Y15, Y9, Y7        // m + 8r
	VADDPS      (R9)(BX*4), Y7, Y7 // + s5

	VMOVUPS Y0, (R10)(BX*4)
	VMOVUPS Y10, (R11)(BX*4)
	VMOVUPS Y6, (R12)(BX*4)
	VMOVUPS Y7, (R13)(BX*4)
	ADDQ    $8, BX
	JNZ     winoout_loop

winoout_done:
	VZEROUPPER
	RET

// func deinterleave4AVX2(d0, d1, d2, d3, src *float32, n int)
// Eight groups g0 … g7 of four (x, y, z, w) at a time: loading the 128-bit
// halves pairs the groups as g0|g4, g1|g5, g2|g6, g3|g7, and a 4×4
// transpose within each half (VUNPCKLPS/VUNPCKHPS, then VUNPCKLPD/
// VUNPCKHPD) leaves x0 … x7, y0 … y7, z0 … z7 and w0 … w7 in order.
TEXT ·deinterleave4AVX2(SB), NOSPLIT, $0-48
	MOVQ d0+0(FP), DI
	MOVQ d1+8(FP), R8
	MOVQ d2+16(FP), R9
	MOVQ d3+24(FP), R10
	MOVQ src+32(FP), SI
	MOVQ n+40(FP), CX
	SHRQ $3, CX
	JZ   deinterleave4_done

deinterleave4_loop:
	VMOVUPS     (SI), X0
	VINSERTF128 $1, 64(SI), Y0, Y0  // g0 | g4
	VMOVUPS     16(SI), X1
	VINSERTF128 $1, 80(SI), Y1, Y1  // g1 | g5
	VMOVUPS     32(SI), X2
	VINSERTF128 $1, 96(SI), Y2, Y2  // g2 | g6
	VMOVUPS     48(SI), X3
	VINSERTF128 $1, 112(SI), Y3, Y3 // g3 | g7
	VUNPCKLPS   Y1, Y0, Y4          // x0 x1 y0 y1 | x4 x5 y4 y5
	VUNPCKHPS   Y1, Y0, Y5          // z0 z1 w0 w1 | z4 z5 w4 w5
	VUNPCKLPS   Y3, Y2, Y6          // x2 x3 y2 y3 | x6 x7 y6 y7
	VUNPCKHPS   Y3, Y2, Y7          // z2 z3 w2 w3 | z6 z7 w6 w7
	VUNPCKLPD   Y6, Y4, Y0          // x0 … x7
	VUNPCKHPD   Y6, Y4, Y1          // y0 … y7
	VUNPCKLPD   Y7, Y5, Y2          // z0 … z7
	VUNPCKHPD   Y7, Y5, Y3          // w0 … w7
	VMOVUPS     Y0, (DI)
	VMOVUPS     Y1, (R8)
	VMOVUPS     Y2, (R9)
	VMOVUPS     Y3, (R10)
	ADDQ        $128, SI
	ADDQ        $32, DI
	ADDQ        $32, R8
	ADDQ        $32, R9
	ADDQ        $32, R10
	DECQ        CX
	JNZ         deinterleave4_loop

deinterleave4_done:
	VZEROUPPER
	RET

// func interleave4AVX2(dst, s0, s1, s2, s3 *float32, n int)
// The steps of deinterleave4AVX2 in reverse: the transpose within each
// 128-bit half gives g0|g4, g1|g5, g2|g6 and g3|g7, and VPERM2F128 pairs
// the halves in order. (On the AMD Zen 3 this was written on, that beats
// storing the halves with VEXTRACTF128 by some 15%.)
TEXT ·interleave4AVX2(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ s0+8(FP), SI
	MOVQ s1+16(FP), R8
	MOVQ s2+24(FP), R9
	MOVQ s3+32(FP), R10
	MOVQ n+40(FP), CX
	SHRQ $3, CX
	JZ   interleave4_done

interleave4_loop:
	VMOVUPS    (SI), Y0
	VMOVUPS    (R8), Y1
	VMOVUPS    (R9), Y2
	VMOVUPS    (R10), Y3
	VUNPCKLPS  Y1, Y0, Y4        // x0 y0 x1 y1 | x4 y4 x5 y5
	VUNPCKHPS  Y1, Y0, Y5        // x2 y2 x3 y3 | x6 y6 x7 y7
	VUNPCKLPS  Y3, Y2, Y6        // z0 w0 z1 w1 | z4 w4 z5 w5
	VUNPCKHPS  Y3, Y2, Y7        // z2 w2 z3 w3 | z6 w6 z7 w7
	VUNPCKLPD  Y6, Y4, Y0        // g0 | g4
	VUNPCKHPD  Y6, Y4, Y1        // g1 | g5
	VUNPCKLPD  Y7, Y5, Y2        // g2 | g6
	VUNPCKHPD  Y7, Y5, Y3        // g3 | g7
	VPERM2F128 $0x20, Y1, Y0, Y4 // g0 | g1
	VPERM2F128 $0x20, Y3, Y2, Y5 // g2 | g3
	VPERM2F128 $0x31, Y1, Y0, Y6 // g4 | g5
	VPERM2F128 $0x31, Y3, Y2, Y7 // g6 | g7
	VMOVUPS    Y4, (DI)
	VMOVUPS    Y5, 32(DI)
	VMOVUPS    Y6, 64(DI)
	VMOVUPS    Y7, 96(DI)
	ADDQ       $32, SI
	ADDQ       $32, R8
	ADDQ       $32, R9
	ADDQ       $32, R10
	ADDQ       $128, DI
	DECQ       CX
	JNZ        interleave4_loop

interleave4_done:
	VZEROUPPER
	RET
