#define NNFS_SINGLE 1
#include "gemm.c"
