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
