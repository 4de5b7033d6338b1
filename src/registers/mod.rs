//! Register extracts in their real layout → checked tables.
//!
//! A data folder holds one file per register (`.parquet` or `.csv`), named as in docs/data.md:
//! `deltagere` (the municipalities' participant deliveries), `bef` (population with family links,
//! one row per person and year), `vnds` (migrations), `ophgin` (residence basis), `udda` (highest
//! education), `ind` (income), `dream` (wide: weekly benefit codes `y_YYWW`, monthly employment
//! rates `grad_YYYY_MM` and industries `branche_YYYY_MM`, yearly a-kasse flags `akYY`), `ejerform`
//! (owner type of the workplace per person and month), `igu` (IGU start dates), `lpr_adm` (hospital
//! admissions), `kraf` (criminal judgements), `visitation` (job-readiness category per quarter) and
//! `samtaler` ("nulstillende samtaler"). Every file is checked against its schema ([`table`]); DREAM
//! codes are classified with the editable code book `report/dream-koder.yaml` ([`codes`]).

pub mod codes;
pub mod dream;
pub mod table;

use crate::error::InputError;
use anyhow::Result;
use polars::prelude::*;
use std::collections::HashSet;
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
    unique: &[],
};

/// BEF: the population, one row per person and year (status on 1 January of `AAR`), with the
/// partner (`E_FAELLE_ID`) and the parents (`MOR_ID`, `FAR_ID`).
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
        optional("E_FAELLE_ID", Kind::Text),
        optional("MOR_ID", Kind::Text),
        optional("FAR_ID", Kind::Text),
    ],
    patterns: &[],
    unique: &["PNR", "AAR"],
};

/// VNDS: migrations into (`I`) and out of (`U`) Denmark.
pub const VNDS: TableSpec = TableSpec {
    stem: "vnds",
    title: "VNDS (vandringer)",
    columns: &[
        PNR,
        col("INDUD_KODE", Kind::Text),
        col("HAEND_DATO", Kind::Date),
        optional("INDUD_LAND", Kind::Int),
    ],
    patterns: &[],
    unique: &[],
};

/// OPHGIN: residence basis of immigrants (`OPHGR`: 13 asylum, 14 family reunification with a
/// refugee, other codes other bases).
pub const OPHGIN: TableSpec = TableSpec {
    stem: "ophgin",
    title: "OPHGIN (opholdsgrundlag)",
    columns: &[PNR, col("OPHGR", Kind::Int)],
    patterns: &[],
    unique: &["PNR"],
};

/// UDDA: highest completed education (`HFAUDD`, DST's 4-digit code).
pub const UDDA: TableSpec = TableSpec {
    stem: "udda",
    title: "UDDA (højest fuldførte uddannelse)",
    columns: &[
        PNR,
        col("HFAUDD", Kind::Text),
        optional("HF_VFRA", Kind::Date),
    ],
    patterns: &[],
    unique: &["PNR"],
};

/// IND: yearly income; `LOENMV_13` is wage income in DKK.
pub const IND: TableSpec = TableSpec {
    stem: "ind",
    title: "IND (indkomst)",
    columns: &[PNR, col("AAR", Kind::Int), col("LOENMV_13", Kind::Float)],
    patterns: &[],
    unique: &["PNR", "AAR"],
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
fn is_akasse_year(name: &str) -> bool {
    dream::parse_akasse_column(name).is_some()
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
        PatternSpec {
            prefix: "ak",
            matches: is_akasse_year,
            kind: Kind::Int,
        },
    ],
    unique: &["PNR"],
};

/// Owner type (VIRKF) of the workplace of each person's employment, per month (BFL jobs linked
/// to the business register ESR).
pub const EJERFORM: TableSpec = TableSpec {
    stem: "ejerform",
    title: "ejerform (virksomhedsform pr. måned, BFL × ESR)",
    columns: &[
        PNR,
        col("AAR", Kind::Int),
        col("MD", Kind::Int),
        col("VIRKF", Kind::Int),
    ],
    patterns: &[],
    unique: &["PNR", "AAR", "MD"],
};

/// IGU (integrationsgrunduddannelse) start dates from the Ministry of Immigration and
/// Integration; `OPGJORT_TIL` is the last date the extract covers.
pub const IGU: TableSpec = TableSpec {
    stem: "igu",
    title: "IGU (integrationsgrunduddannelse, startdatoer)",
    columns: &[
        PNR,
        col("IGU_STARTDATO", Kind::Date),
        col("OPGJORT_TIL", Kind::Date),
    ],
    patterns: &[],
    unique: &[],
};

/// LPR admissions (`C_PATTYPE` 0 = inpatient).
pub const LPR: TableSpec = TableSpec {
    stem: "lpr_adm",
    title: "LPR (Landspatientregistret, kontakter)",
    columns: &[
        PNR,
        col("D_INDDTO", Kind::Date),
        col("C_PATTYPE", Kind::Int),
    ],
    patterns: &[],
    unique: &[],
};

/// KRAF: judgements under the criminal code and special laws (fines and custodial sentences).
pub const KRAF: TableSpec = TableSpec {
    stem: "kraf",
    title: "KRAF (kriminalregistrets afgørelser)",
    columns: &[
        PNR,
        col("AFG_ADTO", Kind::Date),
        optional("AFG_AFGTYP3", Kind::Int),
    ],
    patterns: &[],
    unique: &[],
};

/// Job-readiness category (visitationskategori) per quarter.
pub const VISITATION: TableSpec = TableSpec {
    stem: "visitation",
    title: "visitation (visitationskategori pr. kvartal)",
    columns: &[
        PNR,
        col("AAR", Kind::Int),
        col("KVARTAL", Kind::Int),
        col("VISKAT", Kind::Text),
    ],
    patterns: &[],
    unique: &["PNR", "AAR", "KVARTAL"],
};

/// "Nulstillende samtaler": one row per interview.
pub const SAMTALER: TableSpec = TableSpec {
    stem: "samtaler",
    title: "samtaler (nulstillende samtaler)",
    columns: &[PNR, col("SAMTALE_DATO", Kind::Date)],
    patterns: &[],
    unique: &[],
};

/// Every register read from one data folder.
pub struct Registers {
    /// Participant deliveries.
    pub deltagere: table::Table,
    /// Population.
    pub bef: table::Table,
    /// Migrations.
    pub vnds: table::Table,
    /// Residence basis.
    pub ophgin: table::Table,
    /// Highest education.
    pub udda: table::Table,
    /// Income.
    pub ind: table::Table,
    /// DREAM as arrays.
    pub dream: dream::Dream,
    /// Owner type per person and month.
    pub ejerform: table::Table,
    /// IGU start dates.
    pub igu: table::Table,
    /// Hospital admissions.
    pub lpr: table::Table,
    /// Criminal judgements.
    pub kraf: table::Table,
    /// Job-readiness category.
    pub visitation: table::Table,
    /// Nulstillende samtaler.
    pub samtaler: table::Table,
    /// The files read, for the provenance fingerprint.
    pub files: Vec<PathBuf>,
}

impl Registers {
    /// Frees the registers that only the analysis dataset's per-person facts are read from
    /// (migrations, residence basis, education, income, owner type, hospital admissions,
    /// judgements, visitation and interviews; see `dataset::lookups`), once those facts are
    /// collected. At national scale they hold about a gigabyte. Their file paths stay, for the
    /// provenance; their frames become empty, so a later read of a column fails instead of
    /// giving wrong results.
    pub fn release_person_facts(&mut self) {
        for table in [
            &mut self.vnds,
            &mut self.ophgin,
            &mut self.udda,
            &mut self.ind,
            &mut self.ejerform,
            &mut self.lpr,
            &mut self.kraf,
            &mut self.visitation,
            &mut self.samtaler,
        ] {
            table.frame = DataFrame::empty();
        }
    }

    /// Each person's sex from BEF: `true` for men (KOEN 1).
    pub fn men_by_id(&self) -> Result<std::collections::HashMap<&str, bool>> {
        let bef = &self.bef.frame;
        Ok(bef
            .column("PNR")?
            .str()?
            .iter()
            .zip(bef.column("KOEN")?.i64()?.iter())
            .filter_map(|(id, k)| Some((id?, k? == 1)))
            .collect())
    }
}

/// Reads and checks every register in `dir`, classifying DREAM codes with `codebook`.
pub fn load(dir: &Path, codebook: &codes::CodeBook) -> Result<Registers> {
    let load = |spec: &TableSpec| -> Result<table::Table> {
        let t = table::load(dir, spec)?;
        check_unique(&t, spec)?;
        Ok(t)
    };
    let deltagere = load(&DELTAGERE)?;
    let bef = load(&BEF)?;
    let vnds = load(&VNDS)?;
    let ophgin = load(&OPHGIN)?;
    let udda = load(&UDDA)?;
    let ind = load(&IND)?;
    let ejerform = load(&EJERFORM)?;
    let igu = load(&IGU)?;
    let lpr = load(&LPR)?;
    let kraf = load(&KRAF)?;
    let visitation = load(&VISITATION)?;
    let samtaler = load(&SAMTALER)?;
    check_values(&bef, "KOEN", &[1, 2])?;
    check_values(&visitation, "KVARTAL", &[1, 2, 3, 4])?;
    check_values(&ejerform, "MD", &(1..=12).collect::<Vec<_>>())?;
    check_codes(&vnds, "INDUD_KODE", &["I", "U"])?;
    let dream = dream::Dream::load(dir, codebook)?;
    let files = [
        &deltagere,
        &bef,
        &vnds,
        &ophgin,
        &udda,
        &ind,
        &ejerform,
        &igu,
        &lpr,
        &kraf,
        &visitation,
        &samtaler,
    ]
    .iter()
    .map(|t| t.path.clone())
    .chain(std::iter::once(dream.path.clone()))
    .collect();
    Ok(Registers {
        deltagere,
        bef,
        vnds,
        ophgin,
        udda,
        ind,
        dream,
        ejerform,
        igu,
        lpr,
        kraf,
        visitation,
        samtaler,
        files,
    })
}

/// Stops at the first row whose key columns repeat an earlier row (a duplicate person). Rows are
/// hashed by their key; a hash seen before is confirmed by comparing the keys.
fn check_unique(table: &table::Table, spec: &TableSpec) -> Result<()> {
    use std::hash::BuildHasher;
    enum Key<'a> {
        Text(&'a StringChunked),
        Int(&'a Int64Chunked),
    }
    if spec.unique.is_empty() {
        return Ok(());
    }
    let df = &table.frame;
    let keys: Vec<Key> = spec
        .unique
        .iter()
        .map(|name| {
            let c = df.column(name)?;
            Ok(match c.dtype() {
                DataType::Int64 => Key::Int(c.i64()?),
                _ => Key::Text(c.str()?),
            })
        })
        .collect::<PolarsResult<_>>()?;
    let text = |row: usize| -> Vec<String> {
        keys.iter()
            .map(|k| match k {
                Key::Text(c) => c.get(row).unwrap_or_default().to_string(),
                Key::Int(c) => c.get(row).map(|v| v.to_string()).unwrap_or_default(),
            })
            .collect()
    };
    // Hash every row's key column by column (sequential reads), then look for repeated hashes.
    let state = std::collections::hash_map::RandomState::new();
    let mut hashes: Vec<u64> = vec![0; df.height()];
    for k in &keys {
        let mix =
            |h: &mut u64, v: u64| *h = h.rotate_left(17) ^ v.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        match k {
            Key::Text(c) => {
                for (h, v) in hashes.iter_mut().zip(c.iter()) {
                    mix(h, state.hash_one(v));
                }
            }
            Key::Int(c) => {
                for (h, v) in hashes.iter_mut().zip(c.iter()) {
                    mix(h, state.hash_one(v));
                }
            }
        }
    }
    let mut sorted = hashes.clone();
    sorted.sort_unstable();
    if sorted.windows(2).all(|w| w[0] != w[1]) {
        return Ok(());
    }
    drop(sorted);
    let mut seen: HashSet<u64> = HashSet::with_capacity(df.height());
    for (row, &hash) in hashes.iter().enumerate() {
        if seen.insert(hash) {
            continue;
        }
        // A repeated hash: a duplicate unless (very rarely) two different keys collide.
        let mine = text(row);
        if !(0..row).any(|other| text(other) == mine) {
            continue;
        }
        let what = spec
            .unique
            .iter()
            .zip(&mine)
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(InputError::new(format!(
            "{}: række {}, kolonne {}: {what} står flere gange; hver {} må kun have én række",
            table.path.display(),
            row + 1,
            spec.unique.join("+"),
            if spec.unique.len() == 1 {
                "person"
            } else {
                "kombination"
            }
        ))
        .into());
    }
    Ok(())
}

/// Stops at the first row whose integer column `name` is outside `allowed`.
/// Checks that every value of the integer column `name` is one of `allowed`.
fn check_values(table: &table::Table, name: &str, allowed: &[i64]) -> Result<()> {
    let column = table.frame.column(name)?.i64()?;
    let bad = (column.iter().enumerate())
        .find_map(|(r, v)| v.filter(|v| !allowed.contains(v)).map(|v| (r, v)));
    match bad {
        None => Ok(()),
        Some((row, value)) => Err(not_allowed(table, name, row, value, allowed)),
    }
}

/// Checks that every value of the text column `name` is one of `allowed` (ignoring case and
/// surrounding spaces).
fn check_codes(table: &table::Table, name: &str, allowed: &[&str]) -> Result<()> {
    let column = table.frame.column(name)?.str()?;
    let bad = column.iter().enumerate().find_map(|(r, v)| {
        let v = v?;
        (!allowed.iter().any(|a| v.trim().eq_ignore_ascii_case(a))).then_some((r, v))
    });
    match bad {
        None => Ok(()),
        Some((row, value)) => Err(not_allowed(table, name, row, value, allowed)),
    }
}

/// The error for `value` in row `row` (from 0) of column `name`, which is not one of `allowed`.
fn not_allowed(
    table: &table::Table,
    name: &str,
    row: usize,
    value: impl std::fmt::Display,
    allowed: &[impl std::fmt::Display],
) -> anyhow::Error {
    let allowed: Vec<String> = allowed.iter().map(ToString::to_string).collect();
    InputError::new(format!(
        "{}: række {}, kolonne {name}: værdien «{value}» er ikke tilladt (tilladt: {})",
        table.path.display(),
        row + 1,
        allowed.join(", ")
    ))
    .into()
}
