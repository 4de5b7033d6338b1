# Writes tests/fixtures/lalonde.csv from MatchIt's copy of the LaLonde data.
# Run from the repository root: Rscript tests/reference/lalonde_fixture.R
library(MatchIt)
data("lalonde", package = "MatchIt")
d <- data.frame(
  treat = lalonde$treat, age = lalonde$age, educ = lalonde$educ,
  black = as.integer(lalonde$race == "black"), hispan = as.integer(lalonde$race == "hispan"),
  married = lalonde$married, nodegree = lalonde$nodegree,
  re74 = lalonde$re74, re75 = lalonde$re75, re78 = lalonde$re78)
write.csv(d, "tests/fixtures/lalonde.csv", row.names = FALSE)
