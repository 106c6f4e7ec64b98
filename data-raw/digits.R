# Builds data/digits.rda, the 1797 8 x 8 handwritten digits.
#
# Source: the test partition (optdigits.tes) of the UCI "Optical Recognition
# of Handwritten Digits" data set, E. Alpaydin and C. Kaynak (1998),
# https://doi.org/10.24432/C50P49, licensed CC BY 4.0. scikit-learn ships it
# as sklearn/datasets/data/digits.csv.gz; we read that copy, as installed by
# Debian's python3-sklearn (apt-get install python3-sklearn).
#
# Each line of the CSV holds the 64 pixels of one image in row-major order
# (pixel (r, c) of the 8 x 8 image is field 8 * (r - 1) + c), each an integer
# from 0 to 16, then the digit 0 to 9.
#
# Run from the package root: Rscript data-raw/digits.R

find_digits_csv <- function() {
  known <- Sys.glob(c("/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz",
                      "/usr/lib/python3*/site-packages/sklearn/datasets/data/digits.csv.gz",
                      "/usr/local/lib/python3*/*-packages/sklearn/datasets/data/digits.csv.gz"))
  if (length(known) == 0L)
    stop("digits.csv.gz not found: install python3-sklearn (Debian) or scikit-learn.")
  known[1L]
}

path <- find_digits_csv()
raw <- utils::read.csv(path, header = FALSE, colClasses = "integer")

stopifnot(
  identical(dim(raw), c(1797L, 65L)),
  !anyNA(raw),
  all(as.matrix(raw[, 1:64]) >= 0L), all(as.matrix(raw[, 1:64]) <= 16L),
  all(raw[[65]] %in% 0:9)
)

digits <- raw[, 1:64]
names(digits) <- paste0("px", 1:64)
digits$digit <- factor(raw[[65]], levels = 0:9)
rownames(digits) <- NULL

dir.create("data", showWarnings = FALSE)
save(digits, file = file.path("data", "digits.rda"), compress = "xz")
