//! Kernel functions of kmatch (docs/spec/estimators.md §4): support |u| < 1 (strict),
//! `epan` = 0.75·(1 − u²) (not Stata kdensity's √5-scaled Epanechnikov) and
//! `uniform` (kmatch's `rectangle`) = 0.5.

use serde::{Deserialize, Serialize};

/// A matching kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kernel {
    /// K(u) = 0.75 − 0.75·u² for |u| < 1 (kmatch's default `epan`).
    Epan,
    /// K(u) = 0.5 for |u| < 1 (kmatch's `rectangle`/`uniform`).
    Uniform,
}

impl Kernel {
    /// K(u); zero outside the open interval (−1, 1).
    pub fn weight(self, u: f64) -> f64 {
        if u.abs() >= 1.0 {
            return 0.0;
        }
        match self {
            // Same operation order as kmatch's `.75:-.75*x:^2`.
            Kernel::Epan => 0.75 - 0.75 * (u * u),
            Kernel::Uniform => 0.5,
        }
    }

    /// kmatch's default ridge parameter r for this kernel (epan 5/16, uniform 1/4).
    pub fn default_ridge(self) -> f64 {
        match self {
            Kernel::Epan => 5.0 / 16.0,
            Kernel::Uniform => 0.25,
        }
    }

    /// The kmatch option name (`"epan"` or `"uniform"`).
    pub fn name(self) -> &'static str {
        match self {
            Kernel::Epan => "epan",
            Kernel::Uniform => "uniform",
        }
    }
}
