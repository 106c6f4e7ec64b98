#define NNFS_SINGLE 1
#include "gemm_portable.c"
