# Install packages from CRAN together with every dependency that is missing
# or older than the CRAN versions require. install.packages() alone installs
# only missing dependencies, so on a machine whose R packages come from
# Debian (older versions) a newer CRAN package would install and then fail
# to load. Usage: Rscript tools/install-cran.R pkg1 pkg2 ...
# Never stops with an error: what could not be installed is reported, and
# the caller (tools/install-deps.sh) goes on, since these are optional.

repos <- "https://cloud.r-project.org"
wanted <- commandArgs(trailingOnly = TRUE)

# Parse a DESCRIPTION dependency field into a data frame of (pkg, op, ver).
parse_deps <- function(field) {
  if (is.na(field) || !nzchar(field)) return(NULL)
  parts <- trimws(strsplit(gsub("\n", " ", field), ",")[[1]])
  parts <- parts[nzchar(parts)]
  pkg <- sub("^([[:alnum:].]+).*$", "\\1", parts)
  has_ver <- grepl("\\(", parts)
  op <- ifelse(has_ver, sub("^.*\\(\\s*([<>=]+).*$", "\\1", parts), NA)
  ver <- ifelse(has_ver, sub("^.*\\(\\s*[<>=]+\\s*([^) ]+)\\s*\\).*$", "\\1", parts), NA)
  data.frame(pkg = pkg, op = op, ver = ver, stringsAsFactors = FALSE)
}

installed_version <- function(p) {
  v <- tryCatch(utils::packageDescription(p, fields = "Version"),
                warning = function(w) NA)
  if (is.na(v)) NA else as.character(v)
}

satisfied <- function(p, op, ver) {
  have <- installed_version(p)
  if (is.na(have)) return(FALSE)
  if (is.na(op)) return(TRUE)
  do.call(op, list(package_version(have), package_version(ver)))
}

main <- function() {
  # Nothing to do (and no network needed) when every package loads.
  if (all(vapply(wanted, requireNamespace, logical(1), quietly = TRUE)))
    return(invisible())
  db <- tryCatch(utils::available.packages(repos = repos),
                 error = function(e) NULL)
  if (is.null(db) || !nrow(db)) {
    message("install-cran: CRAN unreachable; not installed: ", toString(wanted))
    return(invisible())
  }
  base <- rownames(utils::installed.packages(priority = "base"))
  todo <- wanted[!vapply(wanted, function(p) satisfied(p, NA, NA), logical(1))]
  # Add every dependency that a package on the list (in its CRAN version)
  # needs and that is missing or too old, until the list stops growing.
  # Packages that stay as installed already have what they need.
  repeat {
    before <- todo
    for (p in intersect(todo, rownames(db))) {
      deps <- do.call(rbind, lapply(c("Depends", "Imports", "LinkingTo"),
                                    function(f) parse_deps(db[p, f])))
      if (is.null(deps)) next
      deps <- deps[deps$pkg != "R" & !deps$pkg %in% base, , drop = FALSE]
      for (i in seq_len(nrow(deps)))
        if (!satisfied(deps$pkg[i], deps$op[i], deps$ver[i]))
          todo <- union(todo, deps$pkg[i])
    }
    if (length(todo) == length(before)) break
  }
  if (!length(todo)) {
    message("install-cran: already installed: ", toString(wanted))
    return(invisible())
  }
  message("install-cran: installing from CRAN: ", toString(todo))
  ncpus <- max(1L, min(2L, parallel::detectCores(), na.rm = TRUE))
  tryCatch(utils::install.packages(todo, repos = repos, Ncpus = ncpus,
                                   quiet = TRUE),
           error = function(e) message("install-cran: ", conditionMessage(e)))
  # Check in a new R process: this one may hold the old versions loaded.
  ok <- vapply(wanted, function(p) {
    code <- sprintf("quit(status = !requireNamespace('%s', quietly = TRUE))", p)
    system2(file.path(R.home("bin"), "Rscript"), c("-e", shQuote(code)),
            stdout = FALSE, stderr = FALSE) == 0L
  }, logical(1))
  if (!all(ok))
    message("install-cran: could not install (or load): ",
            toString(wanted[!ok]))
}

main()
