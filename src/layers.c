/* layers.c: the table of layer kinds. Each kind is defined in its own
 * layer_<name>.c; adding one is a new file and a line here (and an R
 * constructor: R reads the names from this table). */
#include <string.h>
#include "nnfs.h"

extern const layer_kind kind_dense, kind_conv2d, kind_maxpool2d,
    kind_dropout, kind_flatten, kind_avgpool2d, kind_batchnorm;

const layer_kind *const layer_kinds[] = {
    &kind_dense, &kind_conv2d, &kind_maxpool2d, &kind_dropout, &kind_flatten,
    &kind_avgpool2d, &kind_batchnorm, NULL
};

const layer_kind *layer_kind_find(const char *name)
{
    for (int i = 0; layer_kinds[i]; i++)
        if (strcmp(layer_kinds[i]->name, name) == 0) return layer_kinds[i];
    return NULL;
}
