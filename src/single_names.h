/* single_names.h: the external symbols of the single-precision build
 * (included by real.h when NNFS_SINGLE is defined; see there). A symbol
 * missing here is defined twice and the link fails, so nothing can be
 * mixed up silently. */
#ifndef NNFS_SINGLE_NAMES_H
#define NNFS_SINGLE_NAMES_H

/* gemm.c and its kernels */
#define gemm gemm_f
#define gemm_naive gemm_naive_f
#define gemm_isa_avx512 gemm_isa_avx512_f
#define gemm_isa_avx2 gemm_isa_avx2_f
#define gemm_isa_portable gemm_isa_portable_f

#endif
