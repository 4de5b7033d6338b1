//! The twelve municipalities of the evaluation: the eleven BOT municipalities and Skanderborg,
//! whose residents took part through a partner municipality (Odder). Domain facts: names as the
//! municipalities deliver them and Statistics Denmark's codes (KOM, 2007 classification), used by
//! the registers, the analysis dataset and the synthetic registers alike.

/// One municipality of the evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Municipality {
    /// Name as the municipalities deliver it.
    pub name: &'static str,
    /// DST municipality code (KOM, 2007 classification).
    pub kom: i64,
}

const fn m(name: &'static str, kom: i64) -> Municipality {
    Municipality { name, kom }
}

/// The municipalities, in the published table's order (Skanderborg last).
pub const MUNICIPALITIES: [Municipality; 12] = [
    m("Egedal", 240),
    m("Faxe", 320),
    m("Fredericia", 607),
    m("Haderslev", 510),
    m("Høje-Taastrup", 169),
    m("Kerteminde", 440),
    m("Odder", 727),
    m("Ringsted", 329),
    m("Rudersdal", 230),
    m("Thisted", 787),
    m("Aabenraa", 580),
    m("Skanderborg", 746),
];

/// The municipality with DST code `kom`.
pub fn by_kom(kom: i64) -> Option<&'static Municipality> {
    MUNICIPALITIES.iter().find(|m| m.kom == kom)
}

/// The municipality called `name`.
pub fn by_name(name: &str) -> Option<&'static Municipality> {
    MUNICIPALITIES.iter().find(|m| m.name == name)
}
