//! The synthetic population's targets for the twelve municipalities of the evaluation
//! ([`crate::municipalities`]). Participant counts by sex follow
//! Tabel 2.1 of the published report (476 in all; the split of the two small municipalities is
//! one of the feasible splits behind its suppressed cells). Those in the final sample follow the
//! municipality shares of Tabel 3.1 by sex, the controls those of Bilagstabel 2.2.

/// One municipality of the synthetic population: its name and code, and the targets.
#[derive(Debug, Clone, Copy)]
pub struct Municipality {
    /// Name as the municipalities deliver it ([`crate::municipalities`]).
    pub name: &'static str,
    /// DST municipality code ([`crate::municipalities`]).
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

/// The targets of the municipality at `place` in [`crate::municipalities::MUNICIPALITIES`].
const fn m(
    place: usize,
    women: usize,
    men: usize,
    weeks: f64,
    final_participants: (usize, usize),
    control_share: f64,
) -> Municipality {
    let place = &crate::municipalities::MUNICIPALITIES[place];
    Municipality {
        name: place.name,
        kom: place.kom,
        participants: (women, men),
        weeks_in_project: weeks,
        delivered_by: place.name,
        final_participants,
        control_share,
    }
}

/// The municipalities, in the published table's order (Skanderborg last).
pub const MUNICIPALITIES: [Municipality; 12] = [
    m(0, 40, 0, 63.0, (36, 0), 0.07),   // Egedal
    m(1, 32, 40, 28.0, (30, 37), 0.06), // Faxe
    m(2, 28, 5, 36.0, (25, 5), 0.13),   // Fredericia
    m(3, 21, 22, 12.0, (17, 16), 0.13), // Haderslev
    m(4, 47, 31, 30.0, (44, 25), 0.16), // Høje-Taastrup
    m(5, 6, 2, 23.0, (4, 2), 0.06),     // Kerteminde
    // Odder delivered 50 participants, 3 of whom (women) live in Skanderborg.
    m(6, 22, 25, 24.0, (13, 23), 0.05), // Odder
    m(7, 21, 32, 59.0, (17, 29), 0.06), // Ringsted
    m(8, 16, 45, 45.0, (13, 41), 0.11), // Rudersdal
    m(9, 12, 13, 59.0, (11, 13), 0.08), // Thisted
    m(10, 9, 4, 38.0, (7, 4), 0.09),    // Aabenraa
    Municipality {
        name: crate::municipalities::MUNICIPALITIES[11].name,
        kom: crate::municipalities::MUNICIPALITIES[11].kom,
        participants: (3, 0),
        weeks_in_project: 24.0,
        delivered_by: "Odder",
        final_participants: (0, 0),
        control_share: 0.0,
    },
];
