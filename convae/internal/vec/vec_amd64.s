//go:build amd64 && !purego

#include "textflag.h"

// func biasActAVX2(v []float32, bias, slope float32)
TEXT ·biasActAVX2(SB), NOSPLIT, $0-32
	MOVQ v_base+0(FP), DI
	MOVQ v_len+8(FP), CX
	VBROADCASTSS bias+24(FP), Y1
	VBROADCASTSS slope+28(FP), Y2
	MOVQ CX, BX
	SHRQ $4, BX
	JZ   biasact8

biasact16:
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y4
	VADDPS  Y1, Y0, Y0
	VADDPS  Y1, Y4, Y4
	VMULPS  Y2, Y0, Y3
	VMULPS  Y2, Y4, Y5
	VMAXPS  Y3, Y0, Y0
	VMAXPS  Y5, Y4, Y4
	VMOVUPS Y0, (DI)
	VMOVUPS Y4, 32(DI)
	ADDQ    $64, DI
	DECQ    BX
	JNZ     biasact16

biasact8:
	TESTQ $8, CX
	JZ    biasacttail
	VMOVUPS (DI), Y0
	VADDPS  Y1, Y0, Y0
	VMULPS  Y2, Y0, Y3
	VMAXPS  Y3, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI

biasacttail:
	ANDQ $7, CX
	JZ   biasactdone

biasact1:
	VMOVSS (DI), X0
	VADDSS X1, X0, X0
	VMULSS X2, X0, X3
	VMAXSS X3, X0, X0
	VMOVSS X0, (DI)
	ADDQ   $4, DI
	DECQ   CX
	JNZ    biasact1

biasactdone:
	VZEROUPPER
	RET

// func actGradAVX2(y, dy []float32, slope float32)
TEXT ·actGradAVX2(SB), NOSPLIT, $0-52
	MOVQ y_base+0(FP), SI
	MOVQ y_len+8(FP), CX
	MOVQ dy_base+24(FP), DI
	VBROADCASTSS slope+48(FP), Y2
	VXORPS Y4, Y4, Y4
	MOVQ CX, BX
	SHRQ $3, BX
	JZ   actgradtail

actgrad8:
	VMOVUPS   (SI), Y0
	VMOVUPS   (DI), Y1
	VCMPPS    $14, Y4, Y0, Y3 // Y3 = y > 0
	VMULPS    Y2, Y1, Y5      // dy·slope
	VBLENDVPS Y3, Y1, Y5, Y1  // y > 0 ? dy : dy·slope
	VMOVUPS   Y1, (DI)
	ADDQ      $32, SI
	ADDQ      $32, DI
	DECQ      BX
	JNZ       actgrad8

actgradtail:
	ANDQ $7, CX
	JZ   actgraddone

actgrad1:
	VMOVSS    (SI), X0
	VMOVSS    (DI), X1
	VCMPSS    $14, X4, X0, X3
	VMULSS    X2, X1, X5
	VBLENDVPS X3, X1, X5, X1
	VMOVSS    X1, (DI)
	ADDQ      $4, SI
	ADDQ      $4, DI
	DECQ      CX
	JNZ       actgrad1

actgraddone:
	VZEROUPPER
	RET

// func addAVX2(dst, src []float32)
TEXT ·addAVX2(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	MOVQ CX, BX
	SHRQ $4, BX
	JZ   add8

add16:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VADDPS  (DI), Y0, Y0
	VADDPS  32(DI), Y1, Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	DECQ    BX
	JNZ     add16

add8:
	TESTQ $8, CX
	JZ    addtail
	VMOVUPS (SI), Y0
	VADDPS  (DI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI

addtail:
	ANDQ $7, CX
	JZ   adddone

add1:
	VMOVSS (SI), X0
	VADDSS (DI), X0, X0
	VMOVSS X0, (DI)
	ADDQ   $4, SI
	ADDQ   $4, DI
	DECQ   CX
	JNZ    add1

adddone:
	VZEROUPPER
	RET


// func sumAVX2(dst, a, b *float32, n int)
TEXT ·sumAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	MOVQ CX, BX
	SHRQ $3, BX
	JZ   sumAVX2_tail

sumAVX2_loop8:
	VMOVUPS (SI), Y0
	VADDPS (DX), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, DI
	DECQ    BX
	JNZ     sumAVX2_loop8

sumAVX2_tail:
	ANDQ $7, CX
	JZ   sumAVX2_done

sumAVX2_loop1:
	VMOVSS (SI), X0
	VADDSS (DX), X0, X0
	VMOVSS X0, (DI)
	ADDQ   $4, SI
	ADDQ   $4, DX
	ADDQ   $4, DI
	DECQ   CX
	JNZ    sumAVX2_loop1

sumAVX2_done:
	VZEROUPPER
	RET

// func subAVX2(dst, a, b *float32, n int)
TEXT ·subAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ n+24(FP), CX
	MOVQ CX, BX
	SHRQ $3, BX
	JZ   subAVX2_tail

subAVX2_loop8:
	VMOVUPS (SI), Y0
	VSUBPS (DX), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, DI
	DECQ    BX
	JNZ     subAVX2_loop8

subAVX2_tail:
	ANDQ $7, CX
	JZ   subAVX2_done

subAVX2_loop1:
	VMOVSS (SI), X0
	VSUBSS (DX), X0, X0
	VMOVSS X0, (DI)
	ADDQ   $4, SI
	ADDQ   $4, DX
	ADDQ   $4, DI
	DECQ   CX
	JNZ    subAVX2_loop1

subAVX2_done:
	VZEROUPPER
	RET

// func sum3AVX2(dst, a, b, c *float32, n int)
TEXT ·sum3AVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ c+24(FP), R8
	MOVQ n+32(FP), CX
	MOVQ CX, BX
	SHRQ $3, BX
	JZ   sum3AVX2_tail

sum3AVX2_loop8:
	VMOVUPS (SI), Y0
	VADDPS (DX), Y0, Y0
	VADDPS (R8), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, R8
	ADDQ    $32, DI
	DECQ    BX
	JNZ     sum3AVX2_loop8

sum3AVX2_tail:
	ANDQ $7, CX
	JZ   sum3AVX2_done

sum3AVX2_loop1:
	VMOVSS (SI), X0
	VADDSS (DX), X0, X0
	VADDSS (R8), X0, X0
	VMOVSS X0, (DI)
	ADDQ   $4, SI
	ADDQ   $4, DX
	ADDQ   $4, R8
	ADDQ   $4, DI
	DECQ   CX
	JNZ    sum3AVX2_loop1

sum3AVX2_done:
	VZEROUPPER
	RET

// func diff3AVX2(dst, a, b, c *float32, n int)
TEXT ·diff3AVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DX
	MOVQ c+24(FP), R8
	MOVQ n+32(FP), CX
	MOVQ CX, BX
	SHRQ $3, BX
	JZ   diff3AVX2_tail

diff3AVX2_loop8:
	VMOVUPS (SI), Y0
	VSUBPS (DX), Y0, Y0
	VSUBPS (R8), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, R8
	ADDQ    $32, DI
	DECQ    BX
	JNZ     diff3AVX2_loop8

diff3AVX2_tail:
	ANDQ $7, CX
	JZ   diff3AVX2_done

diff3AVX2_loop1:
	VMOVSS (SI), X0
	VSUBSS (DX), X0, X0
	VSUBSS (R8), X0, X0
	VMOVSS X0, (DI)
	ADDQ   $4, SI
	ADDQ   $4, DX
	ADDQ   $4, R8
	ADDQ   $4, DI
	DECQ   CX
	JNZ    diff3AVX2_loop1

diff3AVX2_done:
	VZEROUPPER
	RET

// func deinterleaveAVX2(even, odd, src *float32, n int)
// Eight pairs at a time: VSHUFPS picks the even (or odd) values of two
// registers lane by lane, VPERMPD puts the four 64-bit halves in order.
TEXT ·deinterleaveAVX2(SB), NOSPLIT, $0-32
	MOVQ even+0(FP), DI
	MOVQ odd+8(FP), DX
	MOVQ src+16(FP), SI
	MOVQ n+24(FP), CX
	SHRQ $3, CX
	JZ   deinterleave_done

deinterleave_loop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VSHUFPS $0x88, Y1, Y0, Y2
	VSHUFPS $0xDD, Y1, Y0, Y3
	VPERMPD $0xD8, Y2, Y2
	VPERMPD $0xD8, Y3, Y3
	VMOVUPS Y2, (DI)
	VMOVUPS Y3, (DX)
	ADDQ    $64, SI
	ADDQ    $32, DI
	ADDQ    $32, DX
	DECQ    CX
	JNZ     deinterleave_loop

deinterleave_done:
	VZEROUPPER
	RET

// func interleaveAVX2(dst, even, odd *float32, n int)
// Eight pairs at a time: VUNPCKLPS and VUNPCKHPS pair the values lane by
// lane, VPERM2F128 puts the 128-bit halves in order.
TEXT ·interleaveAVX2(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ even+8(FP), SI
	MOVQ odd+16(FP), DX
	MOVQ n+24(FP), CX
	SHRQ $3, CX
	JZ   interleave_done

interleave_loop:
	VMOVUPS    (SI), Y0
	VMOVUPS    (DX), Y1
	VUNPCKLPS  Y1, Y0, Y2
	VUNPCKHPS  Y1, Y0, Y3
	VPERM2F128 $0x20, Y3, Y2, Y4
	VPERM2F128 $0x31, Y3, Y2, Y5
	VMOVUPS    Y4, (DI)
	VMOVUPS    Y5, 32(DI)
	ADDQ       $32, SI
	ADDQ       $32, DX
	ADDQ       $64, DI
	DECQ       CX
	JNZ        interleave_loop

interleave_done:
	VZEROUPPER
	RET

// func gatherEvenAVX2(dst, src *float32, n int)
TEXT ·gatherEvenAVX2(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	JZ   gathereven_done

gathereven_loop:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VSHUFPS $0x88, Y1, Y0, Y2
	VPERMPD $0xD8, Y2, Y2
	VMOVUPS Y2, (DI)
	ADDQ    $64, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     gathereven_loop

gathereven_done:
	VZEROUPPER
	RET

// func addEvenAVX2(dst, src *float32, n int)
// The eight values are spread over sixteen lanes with zeros in the odd
// ones, and the sixteen added to dst.
TEXT ·addEvenAVX2(SB), NOSPLIT, $0-24
	MOVQ   dst+0(FP), DI
	MOVQ   src+8(FP), SI
	MOVQ   n+16(FP), CX
	VXORPS Y7, Y7, Y7
	SHRQ   $3, CX
	JZ     addeven_done

addeven_loop:
	VMOVUPS    (SI), Y0
	VUNPCKLPS  Y7, Y0, Y2
	VUNPCKHPS  Y7, Y0, Y3
	VPERM2F128 $0x20, Y3, Y2, Y4
	VPERM2F128 $0x31, Y3, Y2, Y5
	VADDPS     (DI), Y4, Y4
	VADDPS     32(DI), Y5, Y5
	VMOVUPS    Y4, (DI)
	VMOVUPS    Y5, 32(DI)
	ADDQ       $32, SI
	ADDQ       $64, DI
	DECQ       CX
	JNZ        addeven_loop

addeven_done:
	VZEROUPPER
	RET
