# Package hooks.

.onLoad <- function(libname, pkgname) {
  # The parsnip engine (R/parsnip.R), registered when parsnip is loaded.
  parsnip_hook()
}
