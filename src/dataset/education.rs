//! Education levels from UDDA's `HFAUDD`. The level is not readable from the code's digits; DST
//! maps codes to levels with its format `AUDD_NIVEAU` (H10 grundskole … H90 uoplyst). This table
//! holds that mapping for the codes of the synthetic registers; an unlisted code counts as
//! "andet/uoplyst", like a person without an UDDA record (common for immigrants).

/// The report's education groups (Tabel 3.1, Bilagstabel 2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// Primary and lower secondary school (H10, H15).
    Skole,
    /// Upper secondary or vocational (H20, H29, H30, H35).
    EudGymnasium,
    /// Short or medium-cycle higher education, bachelor (H40, H50, H60).
    KvuMvu,
    /// Long-cycle higher education, unknown or missing (H70, H80, H90, no record).
    Andet,
}

/// (HFAUDD code, DST level, group).
pub const CODES: [(&str, &str, Group); 9] = [
    ("1090", "H10", Group::Skole),
    ("1510", "H15", Group::Skole),
    ("2010", "H20", Group::EudGymnasium),
    ("5010", "H30", Group::EudGymnasium),
    ("4010", "H40", Group::KvuMvu),
    ("6010", "H50", Group::KvuMvu),
    ("6510", "H60", Group::KvuMvu),
    ("7010", "H70", Group::Andet),
    ("9999", "H90", Group::Andet),
];

/// The group of an `HFAUDD` code (None: no record).
pub fn group(hfaudd: Option<&str>) -> Group {
    hfaudd
        .and_then(|code| CODES.iter().find(|c| c.0 == code))
        .map_or(Group::Andet, |c| c.2)
}
