# Independent plain-R implementation of kmatch's ATT formulas, written from
# docs/spec/estimators.md (§5 kernel/ridge weights, §6.1 pm bandwidth,
# §6.2(a,c,d) cv bandwidth, §8 ATT, §9 IPW, §10.1 analytic SE, §11 balance).
# Straightforward O(n^2) loops; shares no code with the Rust implementation.
# Input: tests/fixtures/lalonde.csv and the glm logit scores in
# tests/fixtures/lalonde_ps.csv (written by glm_pscore.R).
# Run from the repository root:  Rscript tests/reference/kmatch_formulas.R
# With the argument `synthetic` it reads tests/fixtures/synthetic.csv and the
# glm scores tests/fixtures/synthetic_ps.csv (synthetic_glm.R) instead, with
# exact matching on `kommune` and the outcomes beskaeftigelse and
# beskaeftigelse_m12:  Rscript tests/reference/kmatch_formulas.R synthetic
args <- commandArgs(trailingOnly = TRUE)
synthetic <- length(args) > 0 && args[1] == "synthetic"
if (synthetic) {
  d <- read.csv("tests/fixtures/synthetic.csv")
  p <- read.csv("tests/fixtures/synthetic_ps.csv")$ps
  covs <- names(d)[3:17]; y <- d$beskaeftigelse
} else {
  d <- read.csv("tests/fixtures/lalonde.csv")
  p <- read.csv("tests/fixtures/lalonde_ps.csv")$ps
  covs <- c("age", "educ", "black", "hispan", "married", "nodegree", "re74", "re75")
  y <- d$re78
}
t <- d$treat; n <- nrow(d)
p17 <- function(name, x) cat(name, ": ", paste(sprintf("%.17g", x), collapse = ", "), "\n", sep = "")

K_epan <- function(u) ifelse(abs(u) < 1, 0.75 - 0.75 * u^2, 0)
K_unif <- function(u) ifelse(abs(u) < 1, 0.5, 0)

# §6.1: 1.5 x (Stata summarize = R type 2) 90% quantile of the non-zero
# nearest-neighbour distances of the treated (within stratum), plus epsilon.
pm_bw <- function(s) {
  dist <- c()
  for (i in which(t == 1)) {
    cand <- which(t == 0 & s == s[i])
    if (length(cand) > 0) dist <- c(dist, min(abs(p[cand] - p[i])))
  }
  h <- 1.5 * unname(quantile(dist[dist > 0], 0.9, type = 2))
  h + h * .Machine$double.eps + .Machine$double.xmin
}

# §5: per-unit weights of the controls J in the strict window of treated i.
window_w <- function(i, J, h, K, r) {
  a <- K((p[J] - p[i]) / h)
  if (is.na(r) || length(unique(p[J])) == 1) return(a / sum(a))
  W <- sum(a); pbar <- sum(a * p[J]) / W; D <- p[J] - pbar
  S <- sum(a * D^2); dd <- p[i] - pbar
  a / W + a * D * dd / (S + r * h * abs(dd))
}
window_J <- function(i, s, h) which(t == 0 & s == s[i] & (p[i] - p) < h & (p - p[i]) < h)

match_w <- function(h, K, r, s) {
  mw <- numeric(n); matched <- logical(n); used <- logical(n)
  for (i in which(t == 1)) {
    J <- window_J(i, s, h)
    if (length(J) == 0) next
    matched[i] <- TRUE; used[J] <- TRUE
    mw[J] <- mw[J] + window_w(i, J, h, K, r)
  }
  list(mw = mw, matched = matched, used = used)
}

ipw_w <- function() {
  v <- ifelse(t == 0, p / (1 - p), 0)
  list(mw = v * sum(t) / sum(v), matched = t == 1, used = t == 0)
}

# §8 and §10.1 (no avars, unweighted): ATT, SE, treated mean, control mean.
att <- function(m) {
  N1 <- sum(m$matched); y1 <- mean(y[m$matched])
  W0 <- sum(m$mw[t == 0]); y0 <- sum((m$mw * y)[t == 0]) / W0
  IF <- ifelse(t == 1, ifelse(m$matched, (y - y1) / N1, 0), -m$mw * (y - y0) / W0)
  c(y1 - y0, sqrt(n / (n - 1) * sum((IF - mean(IF))^2)), y1, y0, N1, sum(m$used))
}

# §11: SDIF and variance ratios (ATT): raw pooled SD; used controls weighted by
# mw normalised to their count; variance divisor (sum of weights - 1).
wmv <- function(x, w) { m <- sum(w * x) / sum(w); c(m, sum(w * (x - m)^2) / (sum(w) - 1)) }
balance <- function(m) {
  out <- NULL
  for (v in covs) {
    x <- d[[v]]
    rt <- wmv(x[t == 1], rep(1, sum(t == 1))); rc <- wmv(x[t == 0], rep(1, sum(t == 0)))
    mt <- wmv(x[m$matched], rep(1, sum(m$matched)))
    wc <- m$mw[m$used]; wc <- wc * length(wc) / sum(wc)
    mc <- wmv(x[m$used], wc)
    sd0 <- sqrt((rt[2] + rc[2]) / 2)
    out <- rbind(out, c((rt[1] - rc[1]) / sd0, (mt[1] - mc[1]) / sd0, rt[2] / rc[2], mt[2] / mc[2]))
  }
  out
}

# §6.2(a) leave-one-control-out mean-PS balance, (c) penalty, (d) search.
cv_mise <- function(h, K, r, s) {
  Mbar <- mean(p[t == 1])
  rem <- numeric(n); drop <- numeric(n); num <- 0; den <- 0
  for (i in which(t == 1)) {
    J <- window_J(i, s, h)
    if (length(J) == 0) next
    w <- window_w(i, J, h, K, r)
    mi <- sum(w * p[J]) / sum(w)
    num <- num + mi; den <- den + 1
    if (length(J) == 1) {
      drop[J] <- drop[J] + 1; rem[J] <- rem[J] + p[J]
    } else if (any(abs(1 - w) < 1e-8)) {
      for (k in seq_along(J))
        rem[J[k]] <- rem[J[k]] + mi - (sum(w * p[J]) - w[k] * p[J[k]]) / (sum(w) - w[k])
    } else {
      rem[J] <- rem[J] + w * (p[J] - mi) / (1 - w)
    }
  }
  C <- which(t == 0)
  M <- (num - rem[C]) / (den - drop[C])
  mean((Mbar - M)^2) * max(1, (h / sd(p))^0.015)
}
cv_bw <- function(K, r, s) {
  g <- numeric(15); M <- numeric(15); state <- "UP"
  for (i in 1:15) {
    if (i == 1) g[1] <- pm_bw(s)
    else if (i == 2) g[2] <- g[1] * 1.5
    else if (state == "UP") {
      if (M[i - 1] < M[i - 2]) g[i] <- g[i - 1] * 1.5
      else if (i == 3) { ll <- 1; g[3] <- g[1] / 1.5; state <- "DOWN" }
      else { state <- "BISECT"; mn <- i - 2; l <- i - 1; ll <- i - 3; g[i] <- (g[mn] + g[l]) / 2 }
    } else if (state == "DOWN") {
      if (M[i - 1] < M[i - 2]) g[i] <- g[i - 1] / 1.5
      else { state <- "BISECT"; if (ll != 1) ll <- i - 3; mn <- i - 2; l <- i - 1; g[i] <- (g[mn] + g[l]) / 2 }
    } else {
      if (M[i - 1] < M[mn]) { ll <- l; l <- mn; mn <- i - 1 } else { l <- ll; ll <- i - 1 }
      g[i] <- (g[mn] + g[l]) / 2
    }
    M[i] <- cv_mise(g[i], K, r, s)
  }
  o <- order(M, g)
  list(h = g[o[1]], grid = g, mise = M)
}

none <- rep(0, n)
if (synthetic) {
  kommune <- d$kommune
  h0 <- pm_bw(none); hk <- pm_bw(kommune)
  p17("pm_bandwidth", h0)
  p17("pm_bandwidth_exact_kommune", hk)
  cat("# ATT rows: att, se, treated_mean, control_mean, n_treated_matched, n_controls_used\n")
  for (outcome in c("beskaeftigelse", "beskaeftigelse_m12")) {
    y <- d[[outcome]]
    p17(paste0(outcome, "_ridge_epan"), att(match_w(h0, K_epan, 5 / 16, none)))
    p17(paste0(outcome, "_kernel_epan"), att(match_w(h0, K_epan, NA, none)))
    p17(paste0(outcome, "_ridge_uniform"), att(match_w(h0, K_unif, 1 / 4, none)))
    p17(paste0(outcome, "_ridge_epan_exact_kommune"), att(match_w(hk, K_epan, 5 / 16, kommune)))
    p17(paste0(outcome, "_kernel_epan_exact_kommune"), att(match_w(hk, K_epan, NA, kommune)))
    p17(paste0(outcome, "_ipw"), att(ipw_w()))
  }
  for (s in c("none", "kommune")) {
    b <- balance(if (s == "none") match_w(h0, K_epan, 5 / 16, none) else match_w(hk, K_epan, 5 / 16, kommune))
    p17(paste0("balance_ridge_epan_", s, "_sdif_before"), b[, 1])
    p17(paste0("balance_ridge_epan_", s, "_sdif_after"), b[, 2])
    p17(paste0("balance_ridge_epan_", s, "_vr_after"), b[, 4])
  }
  quit(save = "no")
}
married <- d$married
h0 <- pm_bw(none); hm <- pm_bw(married)
p17("pm_bandwidth", h0)
p17("pm_bandwidth_exact_married", hm)
cat("# ATT rows: att, se, treated_mean, control_mean, n_treated_matched, n_controls_used\n")
p17("ridge_epan", att(match_w(h0, K_epan, 5 / 16, none)))
p17("kernel_epan", att(match_w(h0, K_epan, NA, none)))
p17("ridge_uniform", att(match_w(h0, K_unif, 1 / 4, none)))
p17("kernel_uniform", att(match_w(h0, K_unif, NA, none)))
p17("ridge_epan_exact_married", att(match_w(hm, K_epan, 5 / 16, married)))
p17("kernel_epan_exact_married", att(match_w(hm, K_epan, NA, married)))
p17("ridge_epan_h0.01", att(match_w(0.01, K_epan, 5 / 16, none)))
p17("ipw", att(ipw_w()))
b <- balance(match_w(h0, K_epan, 5 / 16, none))
p17("balance_ridge_epan_sdif_before", b[, 1]); p17("balance_ridge_epan_sdif_after", b[, 2])
p17("balance_ridge_epan_vr_before", b[, 3]); p17("balance_ridge_epan_vr_after", b[, 4])
cv <- cv_bw(K_epan, 5 / 16, none)
p17("cv_ridge_epan_bandwidth", cv$h); p17("cv_ridge_epan_grid", cv$grid); p17("cv_ridge_epan_mise", cv$mise)
cv <- cv_bw(K_epan, NA, none)
p17("cv_kernel_epan_bandwidth", cv$h); p17("cv_kernel_epan_grid", cv$grid); p17("cv_kernel_epan_mise", cv$mise)
cv <- cv_bw(K_epan, 5 / 16, married)
p17("cv_ridge_epan_exact_married_bandwidth", cv$h); p17("cv_ridge_epan_exact_married_mise", cv$mise)
r <- att(match_w(h0, K_epan, 5 / 16, none))
p17("ridge_epan_p_value_t613", 2 * pt(-abs(r[1] / r[2]), df = n - 1))
p17("ridge_epan_p_value_normal", 2 * pnorm(-abs(r[1] / r[2])))
