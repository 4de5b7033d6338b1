//! The twelve municipalities of the evaluation: the eleven BOT municipalities and Skanderborg,
//! whose residents took part through a partner municipality. Participant counts by sex follow
//! Tabel 2.1 of the published report (476 in all; the split of the two small municipalities is
//! one of the feasible splits behind its suppressed cells).

/// One municipality of the synthetic population.
#[derive(Debug, Clone, Copy)]
pub struct Municipality {
    /// Name as the municipalities deliver it.
    pub name: &'static str,
    /// DST municipality code (KOM, 2007 classification).
    pub kom: i64,
    /// Participants who live here: (women, men).
    pub participants: (usize, usize),
    /// Average weeks in the project (Tabel 2.1).
    pub weeks_in_project: f64,
    /// Non-Western immigrants aged 19–63 living here, before scaling.
    pub population: usize,
    /// The municipality that delivered its participants (itself, or a partner).
    pub delivered_by: &'static str,
}

const fn m(
    name: &'static str,
    kom: i64,
    women: usize,
    men: usize,
    weeks: f64,
    population: usize,
) -> Municipality {
    Municipality {
        name,
        kom,
        participants: (women, men),
        weeks_in_project: weeks,
        population,
        delivered_by: name,
    }
}

/// The municipalities, in the published table's order (Skanderborg last).
pub const MUNICIPALITIES: [Municipality; 12] = [
    m("Egedal", 240, 40, 0, 63.0, 720),
    m("Faxe", 320, 32, 40, 28.0, 520),
    m("Fredericia", 607, 28, 5, 36.0, 1150),
    m("Haderslev", 510, 21, 22, 12.0, 820),
    m("Høje-Taastrup", 169, 47, 31, 30.0, 1900),
    m("Kerteminde", 440, 6, 2, 23.0, 260),
    // Odder delivered 50 participants, 3 of whom (women) live in Skanderborg.
    m("Odder", 727, 22, 25, 24.0, 300),
    m("Ringsted", 329, 21, 32, 59.0, 640),
    m("Rudersdal", 230, 16, 45, 45.0, 980),
    m("Thisted", 787, 12, 13, 59.0, 330),
    m("Aabenraa", 580, 9, 4, 38.0, 760),
    Municipality {
        name: "Skanderborg",
        kom: 746,
        participants: (3, 0),
        weeks_in_project: 24.0,
        population: 900,
        delivered_by: "Odder",
    },
];

/// The municipality with DST code `kom`.
pub fn by_kom(kom: i64) -> Option<&'static Municipality> {
    MUNICIPALITIES.iter().find(|m| m.kom == kom)
}

/// The municipality called `name`.
pub fn by_name(name: &str) -> Option<&'static Municipality> {
    MUNICIPALITIES.iter().find(|m| m.name == name)
}
