#define NNFS_SINGLE 1
#include "gemm_avx512.c"
