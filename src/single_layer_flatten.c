/* layer_flatten.c in single precision (see real.h) */
#define NNFS_SINGLE 1
#include "layer_flatten.c"
