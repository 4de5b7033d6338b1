# Reference values for the propensity-score fit (tests/estimators_reference.rs).
# Tool: R (see `R --version` in tests/README.md), stats::glm.
# Run from the repository root:  Rscript tests/reference/glm_pscore.R
# It also writes tests/fixtures/lalonde_ps.csv: the glm logit scores, used as
# the common input of the matching-formula tests.
d <- read.csv("tests/fixtures/lalonde.csv")
f <- treat ~ age + educ + black + hispan + married + nodegree + re74 + re75
ctl <- glm.control(epsilon = 1e-14, maxit = 100)
p17 <- function(name, x) cat(name, ": ", paste(sprintf("%.17g", x), collapse = ", "), "\n", sep = "")

logit <- glm(f, family = binomial(link = "logit"), data = d, control = ctl)
p17("logit_coef (age..re75, _cons)", c(coef(logit)[-1], coef(logit)[1]))
se <- sqrt(diag(vcov(logit)))
p17("logit_se", c(se[-1], se[1]))
p17("logit_loglik", as.numeric(logLik(logit)))

probit <- glm(f, family = binomial(link = "probit"), data = d, control = ctl)
b <- coef(probit)
p17("probit_coef (age..re75, _cons)", c(b[-1], b[1]))
# Stata's probit reports observed-information SEs; glm's vcov() is the expected
# information. The observed information at glm's estimate, written out:
X <- model.matrix(f, d); y <- d$treat
eta <- drop(X %*% b); q <- 2 * y - 1; z <- q * eta
lambda <- dnorm(z) / pnorm(z)
H <- crossprod(X * (lambda * (z + lambda)), X)
se_oim <- sqrt(diag(solve(H)))
p17("probit_se_oim", c(se_oim[-1], se_oim[1]))
p17("probit_loglik", as.numeric(logLik(probit)))

write.csv(data.frame(ps = sprintf("%.17g", fitted(logit))), "tests/fixtures/lalonde_ps.csv",
          row.names = FALSE, quote = FALSE)
