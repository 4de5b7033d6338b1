//! Countries of origin (`OPR_LAND`): name, region group of the report, and whether DST counts the
//! country as Western. Only the countries of the synthetic registers are listed; an unlisted code
//! is treated as non-Western "øvrige lande", which is DST's classification of most countries.
//!
//! Regions follow the published tables: Afrika + Østasien + Vestasien + øvrige lande make up the
//! whole; Syria belongs to West Asia and Eritrea to Africa, while Turkey has its own dummy and
//! otherwise counts among "øvrige lande" (seed-tables-notes §1.5).

/// Region groups of the report's descriptives and propensity-score model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    /// Turkey (own dummy; part of "øvrige lande" in the region partition).
    Tyrkiet,
    /// Africa.
    Afrika,
    /// East Asia.
    Oestasien,
    /// West Asia (Middle East).
    Vestasien,
    /// Other countries.
    Oevrige,
}

/// One country.
#[derive(Debug, Clone, Copy)]
pub struct Country {
    /// Code in `OPR_LAND`.
    pub code: i64,
    /// Danish name.
    pub name: &'static str,
    /// Region group.
    pub region: Region,
    /// Western country (outside the evaluation population).
    pub western: bool,
}

const fn c(code: i64, name: &'static str, region: Region, western: bool) -> Country {
    Country {
        code,
        name,
        region,
        western,
    }
}

/// Code of Syria.
pub const SYRIEN: i64 = 5760;
/// Code of Eritrea.
pub const ERITREA: i64 = 5510;
/// Code of Denmark.
pub const DANMARK: i64 = 5100;

/// The listed countries.
pub const COUNTRIES: [Country; 17] = [
    c(SYRIEN, "Syrien", Region::Vestasien, false),
    c(5676, "Irak", Region::Vestasien, false),
    c(5640, "Iran", Region::Vestasien, false),
    c(5652, "Afghanistan", Region::Vestasien, false),
    c(5664, "Libanon", Region::Vestasien, false),
    c(ERITREA, "Eritrea", Region::Afrika, false),
    c(5522, "Somalia", Region::Afrika, false),
    c(5502, "Etiopien", Region::Afrika, false),
    c(5776, "Thailand", Region::Oestasien, false),
    c(5724, "Filippinerne", Region::Oestasien, false),
    c(5754, "Vietnam", Region::Oestasien, false),
    c(5130, "Tyrkiet", Region::Tyrkiet, false),
    c(5120, "Bosnien-Hercegovina", Region::Oevrige, false),
    c(5784, "Pakistan", Region::Oevrige, false),
    c(1100, "Tyskland", Region::Oevrige, true),
    c(5474, "Polen", Region::Oevrige, true),
    c(DANMARK, "Danmark", Region::Oevrige, true),
];

/// The country with code `code`, if listed.
pub fn lookup(code: i64) -> Option<&'static Country> {
    COUNTRIES.iter().find(|c| c.code == code)
}

/// The region of `code` (unlisted codes: øvrige lande).
pub fn region(code: i64) -> Region {
    lookup(code).map_or(Region::Oevrige, |c| c.region)
}

/// Whether `code` is a non-Western country of origin.
pub fn non_western(code: i64) -> bool {
    lookup(code).is_none_or(|c| !c.western)
}
