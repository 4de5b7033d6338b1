//! The integration tests, as one test binary: each file of this folder is a module, so polars,
//! typst and the program are linked once rather than once per file. Run one file's tests with
//! `cargo test --test suite pipeline::` (a module path filter).

mod estimators_support;
mod report_support;

mod build_watch;
mod cache;
mod cli_estimate;
mod dataset_bench;
mod dataset_synth;
mod diff_build;
mod diff_cli;
mod diff_text;
mod estimators_behaviour;
mod estimators_bench;
mod estimators_reference;
mod estimators_reference_synthetic;
mod estimators_synthetic;
mod locale_format;
mod markdown_constructs;
mod markdown_escape;
mod markdown_golden;
mod pipeline;
mod registers_bad_input;
mod sas_input;
mod statusnotater;
mod table_content;
mod vintage_diff;
