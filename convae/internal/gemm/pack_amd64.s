//go:build amd64 && !purego

#include "textflag.h"

// func packRows24AVX(dst, src *float32, ld, k, slivers int)
//
// Packs slivers groups of 24 columns of the k rows at src (row stride ld
// floats): row p of sliver s goes to dst[(s*k+p)*24:]. Rows are read
// whole, slivers·24 floats at a time, so that each line of src is loaded once.
TEXT ·packRows24AVX(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ ld+16(FP), DX
	MOVQ k+24(FP), CX
	MOVQ slivers+32(FP), R10
	SHLQ $2, DX             // row stride of src in bytes
	MOVQ CX, R11
	IMULQ $96, R11          // sliver size in bytes
	LEAQ (DX)(DX*2), R12    // prefetch distance: 3 rows
	TESTQ CX, CX
	JZ   rows_done

rows_loop:
	MOVQ SI, AX
	MOVQ DI, BX
	MOVQ R10, R8

rows_sliver:
	PREFETCHT0 (AX)(R12*1)
	PREFETCHT0 64(AX)(R12*1)
	VMOVUPS (AX), Y0
	VMOVUPS 32(AX), Y1
	VMOVUPS 64(AX), Y2
	VMOVUPS Y0, (BX)
	VMOVUPS Y1, 32(BX)
	VMOVUPS Y2, 64(BX)
	ADDQ    $96, AX
	ADDQ    R11, BX
	DECQ    R8
	JNZ     rows_sliver

	ADDQ DX, SI
	ADDQ $96, DI
	DECQ CX
	JNZ  rows_loop

rows_done:
	VZEROUPPER
	RET

// func packCols24AVX(dst, src *float32, ld, k8 int)
//
// Transposes 24 rows of 8·k8 floats at src (row stride ld floats) into the
// 8·k8 rows of 24 floats at dst: dst[p*24+j] = src[j*ld+p]. It works on
// 8×8 blocks: three groups of eight source rows, eight columns at a time.
TEXT ·packCols24AVX(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ ld+16(FP), DX
	MOVQ k8+24(FP), R11
	SHLQ $2, DX             // row stride in bytes
	LEAQ (DX)(DX*2), R9     // 3 rows
	TESTQ R11, R11
	JZ   cols_done
	MOVQ $3, R12            // groups of eight rows

cols_group:
	MOVQ SI, AX             // rows 0–3 of the group
	LEAQ (SI)(DX*4), BX     // rows 4–7
	MOVQ DI, R8
	MOVQ R11, CX

cols_loop:
	VMOVUPS (AX), Y0
	VMOVUPS (AX)(DX*1), Y1
	VMOVUPS (AX)(DX*2), Y2
	VMOVUPS (AX)(R9*1), Y3
	VMOVUPS (BX), Y4
	VMOVUPS (BX)(DX*1), Y5
	VMOVUPS (BX)(DX*2), Y6
	VMOVUPS (BX)(R9*1), Y7

	VUNPCKLPS Y1, Y0, Y8    // r0c0 r1c0 r0c1 r1c1 | c4 c5
	VUNPCKHPS Y1, Y0, Y9    // r0c2 r1c2 r0c3 r1c3 | c6 c7
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VUNPCKLPS Y7, Y6, Y14
	VUNPCKHPS Y7, Y6, Y15

	VSHUFPS $0x44, Y10, Y8, Y0  // rows 0–3 of c0 | c4
	VSHUFPS $0xEE, Y10, Y8, Y1  // c1 | c5
	VSHUFPS $0x44, Y11, Y9, Y2  // c2 | c6
	VSHUFPS $0xEE, Y11, Y9, Y3  // c3 | c7
	VSHUFPS $0x44, Y14, Y12, Y4 // rows 4–7 of c0 | c4
	VSHUFPS $0xEE, Y14, Y12, Y5
	VSHUFPS $0x44, Y15, Y13, Y6
	VSHUFPS $0xEE, Y15, Y13, Y7

	VPERM2F128 $0x20, Y4, Y0, Y8  // c0
	VPERM2F128 $0x20, Y5, Y1, Y9  // c1
	VPERM2F128 $0x20, Y6, Y2, Y10 // c2
	VPERM2F128 $0x20, Y7, Y3, Y11 // c3
	VPERM2F128 $0x31, Y4, Y0, Y12 // c4
	VPERM2F128 $0x31, Y5, Y1, Y13 // c5
	VPERM2F128 $0x31, Y6, Y2, Y14 // c6
	VPERM2F128 $0x31, Y7, Y3, Y15 // c7

	VMOVUPS Y8, (R8)
	VMOVUPS Y9, 96(R8)
	VMOVUPS Y10, 192(R8)
	VMOVUPS Y11, 288(R8)
	VMOVUPS Y12, 384(R8)
	VMOVUPS Y13, 480(R8)
	VMOVUPS Y14, 576(R8)
	VMOVUPS Y15, 672(R8)

	ADDQ $32, AX
	ADDQ $32, BX
	ADDQ $768, R8
	DECQ CX
	JNZ  cols_loop

	LEAQ (SI)(DX*8), SI     // next eight rows
	ADDQ $32, DI            // next eight columns of dst
	DECQ R12
	JNZ  cols_group

cols_done:
	VZEROUPPER
	RET

// func packA4AVX(dst, src *float32, ld, k8 int)
//
// Interleaves 4 rows of 8·k8 floats at src (row stride ld floats) into
// dst: dst[p*4+r] = src[r*ld+p].
TEXT ·packA4AVX(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ ld+16(FP), DX
	MOVQ k8+24(FP), CX
	SHLQ $2, DX
	LEAQ (DX)(DX*2), R9
	TESTQ CX, CX
	JZ   a4_done

a4_loop:
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(DX*1), Y1
	VMOVUPS (SI)(DX*2), Y2
	VMOVUPS (SI)(R9*1), Y3

	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VSHUFPS   $0x44, Y10, Y8, Y0 // c0 | c4
	VSHUFPS   $0xEE, Y10, Y8, Y1 // c1 | c5
	VSHUFPS   $0x44, Y11, Y9, Y2 // c2 | c6
	VSHUFPS   $0xEE, Y11, Y9, Y3 // c3 | c7

	VPERM2F128 $0x20, Y1, Y0, Y4 // c0 c1
	VPERM2F128 $0x20, Y3, Y2, Y5 // c2 c3
	VPERM2F128 $0x31, Y1, Y0, Y6 // c4 c5
	VPERM2F128 $0x31, Y3, Y2, Y7 // c6 c7

	VMOVUPS Y4, (DI)
	VMOVUPS Y5, 32(DI)
	VMOVUPS Y6, 64(DI)
	VMOVUPS Y7, 96(DI)

	ADDQ $32, SI
	ADDQ $128, DI
	DECQ CX
	JNZ  a4_loop

a4_done:
	VZEROUPPER
	RET
