//! [`Units`]: the rows of one estimation sample (treatment, multiplicities,
//! exact-matching strata), validated once and shared by every estimator.

use super::error::EstimError;

/// The units of one estimation sample.
///
/// * `treat[i]`: whether row `i` is treated.
/// * `freq[i]`: frequency weight (multiplicity) of row `i`. `None` means every
///   row once. A row with weight 0 is not in the sample at all, so a row mask
///   is a 0/1 vector and a bootstrap replicate is a vector of draw counts.
///   Everything equals the result on the expanded data (one row per copy).
/// * `strata[i]`: exact-matching stratum of row `i`; `None` means one stratum.
///   Matching is only allowed within a stratum.
#[derive(Debug, Clone, Copy)]
pub struct Units<'a> {
    treat: &'a [bool],
    freq: Option<&'a [u32]>,
    strata: Option<&'a [u32]>,
}

impl<'a> Units<'a> {
    /// Checks that `freq` and `strata` have one entry per row of `treat`.
    pub fn new(
        treat: &'a [bool],
        freq: Option<&'a [u32]>,
        strata: Option<&'a [u32]>,
    ) -> Result<Self, EstimError> {
        let n = treat.len();
        check_len("frequency weights", n, freq.map(<[u32]>::len))?;
        check_len("exact-matching strata", n, strata.map(<[u32]>::len))?;
        Ok(Units {
            treat,
            freq,
            strata,
        })
    }

    /// The same units without exact-matching strata (one pooled stratum), e.g.
    /// to run ridge matching with and without exact matching on one sample.
    pub fn without_strata(&self) -> Self {
        Units {
            strata: None,
            ..*self
        }
    }

    /// Number of rows (in the sample or not).
    pub fn n_rows(&self) -> usize {
        self.treat.len()
    }

    /// Whether row `i` is treated.
    pub fn is_treated(&self, i: usize) -> bool {
        self.treat[i]
    }

    /// Multiplicity of row `i` (0 = not in the sample).
    pub fn freq(&self, i: usize) -> u32 {
        self.freq.map_or(1, |f| f[i])
    }

    /// Exact-matching stratum of row `i` (0 when there are no strata).
    pub fn stratum(&self, i: usize) -> u32 {
        self.strata.map_or(0, |s| s[i])
    }

    /// Whether exact-matching strata are in use.
    pub fn has_strata(&self) -> bool {
        self.strata.is_some()
    }

    /// Rows in the sample (multiplicity > 0).
    pub fn rows(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.n_rows()).filter(move |&i| self.freq(i) > 0)
    }

    /// Sample size: sum of multiplicities.
    pub fn n(&self) -> u64 {
        self.rows().map(|i| u64::from(self.freq(i))).sum()
    }

    /// Checks that a per-row input has one entry per row.
    pub fn check_rows(&self, what: &'static str, len: usize) -> Result<(), EstimError> {
        check_len(what, self.n_rows(), Some(len))
    }
}

fn check_len(what: &'static str, expected: usize, got: Option<usize>) -> Result<(), EstimError> {
    match got {
        Some(got) if got != expected => Err(EstimError::LengthMismatch {
            what,
            expected,
            got,
        }),
        _ => Ok(()),
    }
}
