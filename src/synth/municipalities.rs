//! The twelve municipalities of the evaluation: the eleven BOT municipalities and Skanderborg,
//! whose residents took part through a partner municipality. Participant counts by sex follow
//! Tabel 2.1 of the published report (476 in all; the split of the two small municipalities is
//! one of the feasible splits behind its suppressed cells). Those in the final sample follow the
//! municipality shares of Tabel 3.1 by sex, the controls those of Bilagstabel 2.2.

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
    /// The municipality that delivered its participants (itself, or a partner).
    pub delivered_by: &'static str,
    /// Participants in the final sample who live here: (women, men); Tabel 3.1's shares.
    pub final_participants: (usize, usize),
    /// Share of the final sample's controls who live here (Bilagstabel 2.2, "Kontrol").
    pub control_share: f64,
}

const fn m(
    name: &'static str,
    kom: i64,
    women: usize,
    men: usize,
    weeks: f64,
    final_participants: (usize, usize),
    control_share: f64,
) -> Municipality {
    Municipality {
        name,
        kom,
        participants: (women, men),
        weeks_in_project: weeks,
        delivered_by: name,
        final_participants,
        control_share,
    }
}

/// The municipalities, in the published table's order (Skanderborg last).
pub const MUNICIPALITIES: [Municipality; 12] = [
    m("Egedal", 240, 40, 0, 63.0, (36, 0), 0.07),
    m("Faxe", 320, 32, 40, 28.0, (30, 37), 0.06),
    m("Fredericia", 607, 28, 5, 36.0, (25, 5), 0.13),
    m("Haderslev", 510, 21, 22, 12.0, (17, 16), 0.13),
    m("Høje-Taastrup", 169, 47, 31, 30.0, (44, 25), 0.16),
    m("Kerteminde", 440, 6, 2, 23.0, (4, 2), 0.06),
    // Odder delivered 50 participants, 3 of whom (women) live in Skanderborg.
    m("Odder", 727, 22, 25, 24.0, (13, 23), 0.05),
    m("Ringsted", 329, 21, 32, 59.0, (17, 29), 0.06),
    m("Rudersdal", 230, 16, 45, 45.0, (13, 41), 0.11),
    m("Thisted", 787, 12, 13, 59.0, (11, 13), 0.08),
    m("Aabenraa", 580, 9, 4, 38.0, (7, 4), 0.09),
    Municipality {
        name: "Skanderborg",
        kom: 746,
        participants: (3, 0),
        weeks_in_project: 24.0,
        delivered_by: "Odder",
        final_participants: (0, 0),
        control_share: 0.0,
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
