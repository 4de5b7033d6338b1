//! Register extracts in their real layout → checked tables.
//!
//! A data folder holds one file per register (`.sas7bdat`, `.parquet` or `.csv`, mixed as the user
//! likes; the format is recognised by content, [`table::Format`]), named as in docs/data.md:
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
pub mod sas;
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

/// The registers read as tables (all but DREAM), in the order they are read and reported.
pub const TABLES: [&TableSpec; 12] = [
    &DELTAGERE,
    &BEF,
    &VNDS,
    &OPHGIN,
    &UDDA,
    &IND,
    &EJERFORM,
    &IGU,
    &LPR,
    &KRAF,
    &VISITATION,
    &SAMTALER,
];

/// The values a code column may hold: whole numbers or text codes (case and surrounding spaces
/// ignored).
enum Allowed {
    Ints(&'static [i64]),
    Codes(&'static [&'static str]),
}

/// Code columns checked on every row when their register is read: (register, column, values).
const CODE_RULES: [(&str, &str, Allowed); 4] = [
    ("bef", "KOEN", Allowed::Ints(&[1, 2])),
    ("visitation", "KVARTAL", Allowed::Ints(&[1, 2, 3, 4])),
    (
        "ejerform",
        "MD",
        Allowed::Ints(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
    ),
    ("vnds", "INDUD_KODE", Allowed::Codes(&["I", "U"])),
];

/// Reads the register `spec` from `dir` and checks it: schema ([`table::check`]), unique keys and
/// code columns. The error lists every problem of the file that these checks find.
pub fn load_table(dir: &Path, spec: &TableSpec) -> Result<table::Table> {
    let t = table::load(dir, spec)?;
    let mut problems = Vec::new();
    if let Err(e) = check_unique(&t, spec) {
        problems.push(e.to_string());
    }
    for (stem, column, allowed) in &CODE_RULES {
        if *stem == spec.stem {
            problems.extend(check_codes(&t, column, allowed)?);
        }
    }
    if problems.is_empty() {
        Ok(t)
    } else {
        Err(InputError::new(problems.join("\n")).into())
    }
}

/// Reads and checks every register in `dir`, classifying DREAM codes with `codebook`.
pub fn load(dir: &Path, codebook: &codes::CodeBook) -> Result<Registers> {
    load_with(dir, codebook, &mut |_| {})
}

/// The number of registers [`load`] reads (the tables and DREAM), for progress.
pub const COUNT: usize = TABLES.len() + 1;

/// [`load`], calling `read(title)` as each register has been read (progress).
pub fn load_with(
    dir: &Path,
    codebook: &codes::CodeBook,
    read: &mut dyn FnMut(&str),
) -> Result<Registers> {
    let mut tables = Vec::with_capacity(TABLES.len());
    for spec in TABLES {
        tables.push(load_table(dir, spec)?);
        read(spec.title);
    }
    let dream = dream::Dream::load(dir, codebook)?;
    read(DREAM.title);
    let files = (tables.iter().map(|t| t.path.clone()))
        .chain(std::iter::once(dream.path.clone()))
        .collect();
    let tables: [table::Table; 12] = tables
        .try_into()
        .map_err(|_| anyhow::anyhow!("intern fejl: ét register pr. post i TABLES"))?;
    let [
        deltagere,
        bef,
        vnds,
        ophgin,
        udda,
        ind,
        ejerform,
        igu,
        lpr,
        kraf,
        visitation,
        samtaler,
    ] = tables;
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

/// One line per value of the code column `name` that `allowed` does not hold, with the number of
/// rows carrying it and the first of them.
fn check_codes(table: &table::Table, name: &str, allowed: &Allowed) -> Result<Vec<String>> {
    let column = table.frame.column(name)?;
    let values: Vec<Option<String>> = match allowed {
        Allowed::Ints(ok) => (column.i64()?.iter())
            .map(|v| v.filter(|v| !ok.contains(v)).map(|v| v.to_string()))
            .collect(),
        Allowed::Codes(ok) => (column.str()?.iter())
            .map(|v| {
                v.filter(|v| !ok.iter().any(|a| v.trim().eq_ignore_ascii_case(a)))
                    .map(str::to_string)
            })
            .collect(),
    };
    let allowed: Vec<String> = match allowed {
        Allowed::Ints(ok) => ok.iter().map(ToString::to_string).collect(),
        Allowed::Codes(ok) => ok.iter().map(ToString::to_string).collect(),
    };
    let mut bad: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    for (row, value) in values.into_iter().enumerate() {
        if let Some(value) = value {
            bad.entry(value).or_insert((0, row)).0 += 1;
        }
    }
    Ok(bad
        .into_iter()
        .map(|(value, (n, row))| {
            format!(
                "{}: række {}, kolonne {name}: værdien «{value}» er ikke tilladt (tilladt: {}); {n} {} har den",
                table.path.display(),
                row + 1,
                allowed.join(", "),
                if n == 1 { "række" } else { "rækker" }
            )
        })
        .collect())
}
