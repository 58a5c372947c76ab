# Reproduces the dashboard's RDS-II, RDS-I, SS (Gile's successive sampling) and HCG shares of
# every single-choice question of the survey "{{ survey.slug }}", with R's default intervals.
# Written by the survey platform {{ version }} on {{ generated }}.
#
# Run from the unzipped folder with R >= 4:
#   install.packages("RDS")
#   Rscript analysis.R
#
# R's RDS.*.estimates print the empirical-likelihood interval (empir.lik = TRUE): the platform's
# rds2_el_*, rds1_el_*, ss_el_* and hcg_* columns are the same intervals (RDS-II and RDS-I to
# rounding; SS and HCG within their Monte-Carlo noise). The platform's rds2_low/high and
# ss_low/high carry the interval the survey reports ({{ interval_method }}); the tree bootstrap
# (Baraff, McCormick & Raftery 2016; R package RDStreeboot) keeps SS weights fixed at their
# full-sample values. The platform's own figures are in {{ files.estimates }}, printed beside
# R's for each question.

library(RDS)

# The settings the platform used.
{% if population_size %}N <- {{ population_size }}
population.size <- c({{ population_low }}, N, {{ population_high }})  # low, mid, high
{% else %}N <- NA  # no population size was set: SS cannot be computed
population.size <- NA
{% endif %}bootstrap.replicates <- {{ replicates }}
bootstrap.seed <- {{ bootstrap_seed }}
ss.samples <- {{ ss_samples }}  # successive samples per SS iteration (platform seed {{ ss_seed }})
max.coupons <- {{ max_coupons }}  # recruits per personal link
set.seed(bootstrap.seed)

d <- read.csv("{{ files.data }}", check.names = FALSE, na.strings = "",
              fileEncoding = "UTF-8", colClasses = c(recruiter.id = "character"))
# The platform replaces a missing or zero network size (a withdrawn respondent's was erased)
# by the largest one reported.
missing <- is.na(d$network.size) | d$network.size == 0
d$network.size[missing] <- max(d$network.size, na.rm = TRUE)
d$time <- as.POSIXct(d$time, format = "%Y-%m-%dT%H:%M:%SZ", tz = "UTC")
# The order of recruitment, as the platform's: R's interval sums pairs of rows in this order.
d <- d[order(d$time, d$id), ]

rds <- as.rds.data.frame(d, id = "id", recruiter.id = "recruiter.id",
                         network.size = "network.size", time = "time",
                         population.size = population.size, max.coupons = max.coupons)
control <- control.rds.estimates(number.of.bootstrap.samples = bootstrap.replicates,
                                 seed = bootstrap.seed)
platform <- read.csv("{{ files.estimates }}", fileEncoding = "UTF-8")

estimate <- function(question) {
  cat("\n==", question, "==\n")
  cat("RDS-II:\n")
  print(RDS.II.estimates(rds, outcome.variable = question))
  cat("RDS-I:\n")
  print(try(RDS.I.estimates(rds, outcome.variable = question)))
  if (!is.na(N)) {
    cat("SS, N =", N, ":\n")
    print(RDS.SS.estimates(rds, outcome.variable = question, N = N,
                           number.ss.samples.per.iteration = ss.samples, control = control))
    cat("HCG, N =", N, "(order of recruitment: time):\n")
    print(try(RDS.HCG.estimates(rds, outcome.variable = question, N = N)))
  }
  cat("The platform's shares (0-1):\n")
  print(platform[platform$question == question, ], row.names = FALSE)
}

{% for question in questions %}estimate("{{ question }}")
{% empty %}cat("The survey has no single-choice question.\n")
{% endfor %}
{% if margins %}
# Post-stratified shares with R's survey package: the respondents who answered every question
# with a population margin ({{ margin_questions|join:", " }}), equal starting weights, {% if poststrat.raking %}raked{% else %}post-stratified{% endif %}
# to the margins in {{ files.margins }}; intervals by linearization, as the platform's.
#   install.packages("survey")
library(survey)
margins <- read.csv("{{ files.margins }}", colClasses = c("character", "character", "numeric"))
questions <- unique(margins$question)
ps <- d[complete.cases(d[, questions, drop = FALSE]), ]
for (q in questions) {
  ps[[q]] <- factor(ps[[q]], levels = margins$option[margins$question == q])
}
ps$start.weight <- 1
design <- svydesign(ids = ~1, weights = ~start.weight, data = ps)
population <- lapply(questions, function(q) {
  m <- margins[margins$question == q, ]
  setNames(data.frame(factor(m$option, levels = m$option), m$share * nrow(ps)), c(q, "Freq"))
})
strata <- lapply(questions, function(q) as.formula(paste0("~`", q, "`")))
if (length(questions) == 1) {
  design <- postStratify(design, strata[[1]], population[[1]])
} else {
  design <- rake(design, strata, population, control = list(maxit = 1000, epsilon = 1e-12))
}
cat("\nKish design effect of the post-stratified weights:",
    nrow(ps) * sum(weights(design)^2) / sum(weights(design))^2, "\n")
platform.poststrat <- read.csv("{{ files.poststrat }}", fileEncoding = "UTF-8")

poststratified <- function(question, columns) {
  cat("\n== post-stratified:", question, "==\n")
  for (column in columns) {
    formula <- if (column == question) {
      as.formula(paste0("~factor(`", column, "`)"))
    } else {
      as.formula(paste0("~`", column, "`"))
    }
    kept <- subset(design, !is.na(ps[[column]]))
    estimate <- svymean(formula, kept)
    print(cbind(share = coef(estimate), confint(estimate)))
  }
  cat("The platform's post-stratified shares (0-1):\n")
  print(platform.poststrat[platform.poststrat$question == question, ], row.names = FALSE)
}

{% for question in poststrat_columns %}poststratified("{{ question.code }}", c({% for column in question.columns %}"{{ column }}"{% if not forloop.last %}, {% endif %}{% endfor %}))
{% endfor %}{% endif %}
