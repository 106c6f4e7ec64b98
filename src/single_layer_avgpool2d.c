/* layer_avgpool2d.c in single precision (see real.h) */
#define NNFS_SINGLE 1
#include "layer_avgpool2d.c"
