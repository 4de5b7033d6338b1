//! The groups of persons the report describes and estimates for (everybody, each sex, the
//! placebo start cohorts), with their results keys and labels: one vocabulary for the analyses,
//! the tables, the figures, the deliveries and the synthetic truth.

/// A group of persons an analysis reports on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Group {
    /// Everybody.
    Alle,
    /// Men.
    Maend,
    /// Women.
    Kvinder,
    /// (Placebo) start January 2017 – June 2018.
    Start2018Juni,
    /// (Placebo) start January 2017 – March 2018.
    Start2018Marts,
}

impl Group {
    /// The results key of the group.
    pub const fn key(self) -> &'static str {
        match self {
            Group::Alle => "alle",
            Group::Maend => "maend",
            Group::Kvinder => "kvinder",
            Group::Start2018Juni => "start_2018_06",
            Group::Start2018Marts => "start_2018_03",
        }
    }

    /// The group's column label in a table, unless the table declares its own.
    pub fn label(self) -> &'static str {
        match self {
            Group::Alle => "Alle",
            Group::Maend => "Mænd",
            Group::Kvinder => "Kvinder",
            Group::Start2018Juni => "Start januar 2017 – juni 2018",
            Group::Start2018Marts => "Start januar 2017 – marts 2018",
        }
    }

    /// The two sexes, men first (as the report's tables order them).
    pub const SEXES: [Group; 2] = [Group::Maend, Group::Kvinder];

    /// The group of one sex.
    pub fn of_sex(male: bool) -> Group {
        if male { Group::Maend } else { Group::Kvinder }
    }

    /// The group's key and label, for a table or figure that lists groups.
    pub fn key_label(self) -> (&'static str, &'static str) {
        (self.key(), self.label())
    }

    /// The group of a results key (`alle`, `maend`, …).
    pub fn parse(key: &str) -> Option<Group> {
        [
            Group::Alle,
            Group::Maend,
            Group::Kvinder,
            Group::Start2018Juni,
            Group::Start2018Marts,
        ]
        .into_iter()
        .find(|g| g.key() == key)
    }
}
