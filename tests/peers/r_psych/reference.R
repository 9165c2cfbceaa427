# Reference values for learnloop.analytics.psychometrics, computed by R's psych package.
#
#   Rscript tests/peers/r_psych/reference.R OUTPUT_DIR
#
# Needs Debian's r-cran-psych, r-cran-psychtools (more data sets), r-cran-gparotation
# (psych::omega stops without it) and r-cran-multilevel (rwg(j); psych has none).
# Writes into OUTPUT_DIR:
#   DATASET.csv   the survey data psych ships (third-party: written at test time, never committed)
#     bfi     psych: 2,800 people, 25 six-point personality items with missing answers
#     spi     psychTools: 4,000 people, 135 six-point items (complete), education, age
#     msqR    psychTools: 6,411 mood ratings, 0-3 scale with missing answers, grouped by study
#   scales.csv    the scales checked: name, data set, items, reverse-keyed items, answer range, groupings
#   values.csv    psych's (and multilevel's) results: scale, grouping, statistic, key, value
#   versions.csv  the R and package versions that produced them
# tests/analytics/psychometrics/test_against_psych.py runs this script and compares.

suppressPackageStartupMessages({
  library(psych)
  library(psychTools)
  library(GPArotation)
  library(multilevel)
})

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 1) stop("usage: Rscript reference.R OUTPUT_DIR")
out <- args[[1]]
dir.create(out, showWarnings = FALSE, recursive = TRUE)

data(bfi, package = "psych")
data(spi, package = "psychTools")
data(msqR, package = "psychTools")
datasets <- list(bfi = bfi, spi = spi, msqR = msqR)
for (name in names(datasets)) {
  write.csv(datasets[[name]], file.path(out, paste0(name, ".csv")), row.names = FALSE, na = "")
}

plain <- function(keys) sub("^-", "", keys)
scale <- function(dataset, keys, min, max, groupings = character(0)) {
  list(dataset = dataset, keys = keys, min = min, max = max, groupings = groupings)
}
scales <- list(
  agreeableness = scale("bfi", bfi.keys$agree, 1, 6, c("education", "gender", "age")),
  conscientiousness = scale("bfi", bfi.keys$conscientious, 1, 6, c("education", "gender", "age")),
  extraversion = scale("bfi", bfi.keys$extraversion, 1, 6),
  neuroticism = scale("bfi", bfi.keys$neuroticism, 1, 6, c("education", "gender", "age")),
  openness = scale("bfi", bfi.keys$openness, 1, 6),
  # All 25 items: psych::omega's three group factors are identified here.
  big_five = scale("bfi", unlist(bfi.keys, use.names = FALSE), 1, 6, c("education")),
  # A reverse-worded item left unreversed: a negative item-total r, and omega flips it.
  agreeableness_unkeyed = scale("bfi", plain(bfi.keys$agree), 1, 6),
  # Three items: omega with two group factors (all psych can fit).
  agreeableness_short = scale("bfi", c("A2", "A3", "A4"), 1, 6),
  # Four items, one reverse-worded and left so, three factors: only the Schmid-Leiman general
  # factor (not the first unrotated one) tells psych::omega to keep A1 unflipped here.
  agreeableness_four_unkeyed = scale("bfi", c("A1", "A2", "A3", "A4"), 1, 6),
  spi_conscientiousness = scale("spi", spi.keys$Consc, 1, 6, c("education")),
  spi_neuroticism = scale("spi", spi.keys$Neuro, 1, 6, c("education", "age")),
  spi_wellbeing = scale("spi", spi.keys$WellBeing, 1, 6),
  energetic_arousal = scale("msqR", msq.keys$EA, 0, 3, c("study")),
  tense_arousal = scale("msqR", msq.keys$TA, 0, 3, c("study")),
  negative_affect = scale("msqR", msq.keys$NAf, 0, 3, c("study"))
)

values <- list()
add <- function(scale, grouping, statistic, key, value) {
  values[[length(values) + 1]] <<- data.frame(
    scale = scale, grouping = grouping, statistic = statistic, key = as.character(key),
    value = sprintf("%.17g", as.numeric(value))
  )
}
quietly <- function(expr) suppressWarnings(suppressMessages(expr))
scale_rows <- list()

for (name in names(scales)) {
  spec <- scales[[name]]
  data <- datasets[[spec$dataset]]
  items <- plain(spec$keys)
  reverse <- plain(spec$keys[grepl("^-", spec$keys)])
  scale_rows[[name]] <- data.frame(
    scale = name, dataset = spec$dataset, items = paste(items, collapse = ";"),
    reverse = paste(reverse, collapse = ";"), min = spec$min, max = spec$max,
    groupings = paste(spec$groupings, collapse = ";")
  )
  x <- data[, items]
  x[, reverse] <- spec$min + spec$max - x[, reverse]

  # Alpha on the reversed answers: the covariances psych::alpha(data[, items], keys = reverse) uses.
  a <- quietly(alpha(x, warnings = FALSE))
  add(name, "", "alpha", "", a$total$raw_alpha)
  add(name, "", "alpha_ci_low", "", a$feldt$lower.ci)
  add(name, "", "alpha_ci_high", "", a$feldt$upper.ci)
  add(name, "", "n", "", nrow(x))
  for (item in items) {
    add(name, "", "item_total_r", item, a$item.stats[item, "r.drop"])
    add(name, "", "alpha_if_deleted", item, a$alpha.drop[item, "raw_alpha"])
  }

  factors <- min(3, length(items) - 1)
  om <- quietly(omega(x, nfactors = factors, plot = FALSE))
  add(name, "", "omega_total", factors, om$omega.tot)
  # Loadings on the general factor, after omega's flip (so all positive), in item order.
  for (position in seq_along(items)) add(name, "", "general_loading", items[[position]], om$schmid$sl[position, 1])
  add(name, "", "omega_total_one_factor", 1, quietly(omega(x, nfactors = 1, plot = FALSE))$omega.tot)

  # Scale scores under learnloop's rule: mean of the answered items when at least half were answered.
  answered <- rowSums(!is.na(x))
  score <- ifelse(answered >= ceiling(length(items) / 2), rowMeans(x, na.rm = TRUE), NA)
  add(name, "", "score_mean", "", mean(score, na.rm = TRUE))
  add(name, "", "n_scored", "", sum(!is.na(score)))

  for (grouping in spec$groupings) {
    group <- data[[grouping]]
    has_group <- !is.na(group) & group != ""
    # statsBy needs two or more variables: the score goes in twice.
    scored <- data.frame(score = score[has_group], again = score[has_group], g = group[has_group])
    by_group <- statsBy(scored, group = "g")
    add(name, grouping, "icc1", "", by_group$ICC1[["score"]])
    add(name, grouping, "icc2", "", by_group$ICC2[["score"]])
    options <- spec$max - spec$min + 1
    rwg <- rwg.j(x[has_group, ], group[has_group], ranvar = (options^2 - 1) / 12)
    for (row in seq_len(nrow(rwg))) add(name, grouping, "rwg_j", rwg$grpid[row], rwg$rwg.j[row])
    add(name, grouping, "rwg_j_mean", "", mean(rwg$rwg.j, na.rm = TRUE))
  }
}

write.csv(do.call(rbind, scale_rows), file.path(out, "scales.csv"), row.names = FALSE)
write.csv(do.call(rbind, values), file.path(out, "values.csv"), row.names = FALSE)
packages <- c("psych", "psychTools", "GPArotation", "multilevel")
versions <- data.frame(
  package = c("R", packages),
  version = c(as.character(getRversion()), sapply(packages, function(p) as.character(packageVersion(p))))
)
write.csv(versions, file.path(out, "versions.csv"), row.names = FALSE)
