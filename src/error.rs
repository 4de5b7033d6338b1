//! Errors: one `anyhow` chain with context, and a marker for errors caused by the user's input.
//!
//! Every message names the file, column, row or template line involved and, where possible, what to
//! do about it. [`exit_code`] maps an error to the process exit status: 2 for bad input or
//! configuration ([`InputError`] somewhere in the chain), 1 for internal failures.

use std::fmt;

/// An error in the user's input (data, configuration, templates, command line): exit status 2.
///
/// Attach it with `.context(InputError::new(...))` or return `Err(InputError::new(...).into())`.
#[derive(Debug)]
pub struct InputError(String);

impl InputError {
    /// A new input error with a complete, user-facing message.
    pub fn new(message: impl Into<String>) -> Self {
        InputError(message.into())
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InputError {}

/// Shorthand for an `Err` holding an [`InputError`].
pub fn input_error<T>(message: impl Into<String>) -> anyhow::Result<T> {
    Err(InputError::new(message).into())
}

/// The exit status for an error: 2 when the user's input is at fault, 1 otherwise.
///
/// ```
/// use anyhow::Context;
/// use effektrapport::error::{InputError, exit_code};
/// let e = std::fs::read("/findes/ikke").context(InputError::new("kan ikke læse filen")).context("bygning");
/// assert_eq!(exit_code(&e.unwrap_err()), 2);
/// assert_eq!(exit_code(&anyhow::anyhow!("intern fejl")), 1);
/// ```
pub fn exit_code(error: &anyhow::Error) -> i32 {
    // `downcast_ref` also finds an `InputError` attached as context (at any depth of contexts);
    // `chain()` finds one that is a source of another error.
    if error.downcast_ref::<InputError>().is_some()
        || error.chain().any(|cause| cause.is::<InputError>())
    {
        2
    } else {
        1
    }
}

/// Renders the whole error chain, one cause per line, as printed by the binary.
pub fn render_chain(error: &anyhow::Error) -> String {
    let mut out = format!("fejl: {error}");
    for cause in error.chain().skip(1) {
        out.push_str(&format!("\n  årsag: {cause}"));
    }
    out
}
