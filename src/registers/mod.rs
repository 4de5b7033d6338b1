//! Register extracts in their real layout → checked tables.
//!
//! A data folder holds one file per register (`.parquet` or `.csv`), named as in docs/data.md:
//! `deltagere` (the municipalities' participant deliveries), `bef` (population, one row per person
//! and year), `dream` (wide: weekly benefit codes `y_YYWW`, monthly employment rates
//! `grad_YYYY_MM` and industries `branche_YYYY_MM`). Every file is checked against its schema
//! ([`table`]); DREAM codes are classified with the editable code book `report/dream-koder.yaml`
//! ([`codes`]).

pub mod codes;
pub mod dream;
pub mod table;

use anyhow::Result;
use std::path::{Path, PathBuf};
use table::{ColumnSpec, Kind, PatternSpec, TableSpec};

const fn col(name: &'static str, kind: Kind) -> ColumnSpec {
    ColumnSpec {
        name,
        aliases: &[],
        kind,
        required: true,
        nullable: false,
    }
}

const fn optional(name: &'static str, kind: Kind) -> ColumnSpec {
    ColumnSpec {
        name,
        aliases: &[],
        kind,
        required: false,
        nullable: true,
    }
}

const PNR: ColumnSpec = ColumnSpec {
    name: "PNR",
    aliases: &["lobenr"],
    kind: Kind::Text,
    required: true,
    nullable: false,
};

/// The municipalities' participant deliveries.
pub const DELTAGERE: TableSpec = TableSpec {
    stem: "deltagere",
    title: "deltagere (kommunernes leverancer)",
    columns: &[
        PNR,
        col("kommune", Kind::Text),
        col("startdato", Kind::Date),
        optional("slutdato", Kind::Date),
        optional("nationalitet", Kind::Text),
        optional("opholdsgrundlag", Kind::Text),
        optional("branche", Kind::Text),
        col("runde", Kind::Int),
    ],
    patterns: &[],
};

/// BEF: the population, one row per person and year (status on 1 January of `AAR`).
pub const BEF: TableSpec = TableSpec {
    stem: "bef",
    title: "BEF (befolkningen)",
    columns: &[
        PNR,
        col("AAR", Kind::Int),
        col("KOEN", Kind::Int),
        col("FOED_DAG", Kind::Date),
        col("KOM", Kind::Int),
        col("IE_TYPE", Kind::Int),
        col("OPR_LAND", Kind::Int),
        optional("CIVST", Kind::Text),
    ],
    patterns: &[],
};

fn is_dream_week(name: &str) -> bool {
    crate::calendar::parse_dream_week(name).is_some()
}
fn is_grad_month(name: &str) -> bool {
    crate::calendar::parse_month_column(name, "grad_").is_some()
}
fn is_branche_month(name: &str) -> bool {
    crate::calendar::parse_month_column(name, "branche_").is_some()
}

/// DREAM, wide: one row per person.
pub const DREAM: TableSpec = TableSpec {
    stem: "dream",
    title: "DREAM",
    columns: &[PNR],
    patterns: &[
        PatternSpec {
            prefix: "y_",
            matches: is_dream_week,
            kind: Kind::Text,
        },
        PatternSpec {
            prefix: "grad_",
            matches: is_grad_month,
            kind: Kind::Float,
        },
        PatternSpec {
            prefix: "branche_",
            matches: is_branche_month,
            kind: Kind::Text,
        },
    ],
};

/// Every register read from one data folder.
pub struct Registers {
    /// Participant deliveries.
    pub deltagere: table::Table,
    /// Population.
    pub bef: table::Table,
    /// DREAM as arrays.
    pub dream: dream::Dream,
    /// The files read, for the provenance fingerprint.
    pub files: Vec<PathBuf>,
}

/// Reads and checks every register in `dir`, classifying DREAM codes with `codebook`.
pub fn load(dir: &Path, codebook: &codes::CodeBook) -> Result<Registers> {
    let deltagere = table::load(dir, &DELTAGERE)?;
    let bef = table::load(dir, &BEF)?;
    let dream_table = table::load(dir, &DREAM)?;
    let dream = dream::Dream::from_table(&dream_table, codebook)?;
    let files = vec![
        deltagere.path.clone(),
        bef.path.clone(),
        dream_table.path.clone(),
    ];
    Ok(Registers {
        deltagere,
        bef,
        dream,
        files,
    })
}
