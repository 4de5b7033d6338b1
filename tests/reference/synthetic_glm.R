# Reference values for the propensity-score fit on the synthetic registers
# (tests/estimators_reference_synthetic.rs). Tool: R, stats::glm (tests/README.md).
# Input: tests/fixtures/synthetic.csv (written by the ignored test
# `export_synthetic_fixture` in tests/estimators_synthetic.rs).
# Run from the repository root:  Rscript tests/reference/synthetic_glm.R
# It also writes tests/fixtures/synthetic_ps.csv: the glm logit scores, the
# common input of the matching-formula tests (kmatch_formulas.R synthetic).
d <- read.csv("tests/fixtures/synthetic.csv")
covs <- names(d)[3:17]
f <- reformulate(covs, response = "treat")
ctl <- glm.control(epsilon = 1e-14, maxit = 100)
p17 <- function(name, x) cat(name, ": ", paste(sprintf("%.17g", x), collapse = ", "), "\n", sep = "")

logit <- glm(f, family = binomial(link = "logit"), data = d, control = ctl)
p17("logit_coef (covariates.., _cons)", c(coef(logit)[-1], coef(logit)[1]))
se <- sqrt(diag(vcov(logit)))
p17("logit_se", c(se[-1], se[1]))
p17("logit_loglik", as.numeric(logLik(logit)))

probit <- glm(f, family = binomial(link = "probit"), data = d, control = ctl)
b <- coef(probit)
p17("probit_coef (covariates.., _cons)", c(b[-1], b[1]))
X <- model.matrix(f, d); y <- d$treat
eta <- drop(X %*% b); q <- 2 * y - 1; z <- q * eta
lambda <- dnorm(z) / pnorm(z)
H <- crossprod(X * (lambda * (z + lambda)), X)
se_oim <- sqrt(diag(solve(H)))
p17("probit_se_oim", c(se_oim[-1], se_oim[1]))

write.csv(data.frame(ps = sprintf("%.17g", fitted(logit))), "tests/fixtures/synthetic_ps.csv",
          row.names = FALSE, quote = FALSE)
