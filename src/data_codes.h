#ifndef NNFS_DATA_CODES_H
#define NNFS_DATA_CODES_H

/* x: n x p doubles in R's column order. When they take at most 256
 * distinct values, writes one byte per value to out (p x n: the bytes of
 * sample i at out + i * p), the values by code to values[0..count-1], and
 * returns count; returns 0 otherwise (out is then garbage). */
int byte_codes(const double *x, int n, int p, unsigned char *out,
               double *values, int threads);

/* 0 when the first samples of x already hold more than 256 values, so
 * that byte_codes() need not be tried (nor its buffer allocated) */
int byte_codes_likely(const double *x, int n, int p);

/* count x size bytes from R_alloc, mapped: advised to use huge pages
 * (Linux) and written once in order */
void *big_alloc(size_t count, size_t size);

#endif
