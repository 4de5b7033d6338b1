//! Errors of the estimation core. Bad input never panics: every public
//! function validates its arguments and returns an [`EstimError`].

use thiserror::Error;

/// Why an estimation step could not be carried out.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum EstimError {
    /// Two inputs that must describe the same rows (or columns) differ in length.
    #[error("{what}: expected length {expected}, got {got}")]
    LengthMismatch {
        /// Which input is too short or too long.
        what: &'static str,
        /// The length implied by the other inputs.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// A value that must be finite is NaN or infinite.
    #[error("{what} is not finite in row {row}")]
    NonFinite {
        /// Which input holds the value.
        what: &'static str,
        /// The row (0-based, in the caller's numbering).
        row: usize,
    },
    /// The sample has no rows.
    #[error("the sample is empty")]
    EmptySample,
    /// The sample has no treated unit.
    #[error("the sample has no treated units")]
    NoTreated,
    /// The sample has no control unit.
    #[error("the sample has no control units")]
    NoControls,
    /// No treated unit could be matched (no control within the bandwidth or
    /// stratum), so the ATT is undefined.
    #[error("no treated unit has a usable control (none within the bandwidth or stratum)")]
    NoMatchedTreated,
    /// A bandwidth that is not positive and finite.
    #[error("invalid bandwidth {0}: it must be positive and finite")]
    InvalidBandwidth(f64),
    /// The propensity-score model could not be fitted.
    #[error("propensity score model: {0}")]
    PsFit(String),
    /// Any other invalid argument, with an explanation.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}
