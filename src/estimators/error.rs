//! Errors of the estimation core. Bad input never panics: every public
//! function validates its arguments and returns an [`EstimError`].

use thiserror::Error;

/// Why an estimation step could not be carried out.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum EstimError {
    /// Two inputs that must describe the same rows (or columns) differ in length.
    #[error("{what}: længden skulle være {expected}, men er {got}")]
    LengthMismatch {
        /// Which input is too short or too long.
        what: &'static str,
        /// The length implied by the other inputs.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// A value that must be finite is NaN or infinite.
    #[error("{what} er ikke et endeligt tal i række {row}")]
    NonFinite {
        /// Which input holds the value.
        what: &'static str,
        /// The row (0-based, in the caller's numbering).
        row: usize,
    },
    /// The sample has no rows.
    #[error("stikprøven er tom")]
    EmptySample,
    /// The sample has no treated unit.
    #[error("stikprøven har ingen deltagere")]
    NoTreated,
    /// The sample has no control unit.
    #[error("stikprøven har ingen kontrolpersoner")]
    NoControls,
    /// No treated unit could be matched (no control within the bandwidth or
    /// stratum), so the ATT is undefined.
    #[error(
        "ingen deltager har en brugbar kontrolperson (ingen inden for båndbredden eller kommunen)"
    )]
    NoMatchedTreated,
    /// A bandwidth that is not positive and finite.
    #[error("ugyldig båndbredde {0}: den skal være et positivt, endeligt tal")]
    InvalidBandwidth(f64),
    /// The propensity-score model could not be fitted.
    #[error("propensity score-modellen: {0}")]
    PsFit(String),
    /// Any other invalid argument, with an explanation.
    #[error("ugyldigt argument: {0}")]
    InvalidArgument(String),
}
