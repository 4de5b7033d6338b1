//! The report's effect tables: ids, captions, outcomes, groups and methods. A table is built
//! when the configuration has an analysis with its id.

use super::Table;
use super::effects::{EffectTable, GROUPS, Group, Layout};
use crate::results::Results;
use anyhow::Result;

const ALLE: [Group; 1] = [Group {
    key: "alle",
    label: "Alle",
}];
const START: [Group; 3] = [
    Group {
        key: "alle",
        label: "Start januar 2017 – oktober 2018",
    },
    Group {
        key: "start_2018_06",
        label: "Start januar 2017 – juni 2018",
    },
    Group {
        key: "start_2018_03",
        label: "Start januar 2017 – marts 2018",
    },
];

const MONTHS: [(&str, &str); 13] = [
    ("beskaeftigelse_m0", "Startmåneden"),
    ("beskaeftigelse_m1", "Måned 0–1"),
    ("beskaeftigelse_m2", "Måned 0–2"),
    ("beskaeftigelse_m3", "Måned 0–3"),
    ("beskaeftigelse_m4", "Måned 0–4"),
    ("beskaeftigelse_m5", "Måned 0–5"),
    ("beskaeftigelse_m6", "Måned 0–6"),
    ("beskaeftigelse_m7", "Måned 0–7"),
    ("beskaeftigelse_m8", "Måned 0–8"),
    ("beskaeftigelse_m9", "Måned 0–9"),
    ("beskaeftigelse_m10", "Måned 0–10"),
    ("beskaeftigelse_m11", "Måned 0–11"),
    ("beskaeftigelse_m12", "Måned 0–12"),
];

const MAIN: [(&str, &str); 1] = [("beskaeftigelse", "Ordinær beskæftigelse")];

/// One effect table of the report; `{periode}` in the title is replaced by the main outcome period.
struct Entry {
    id: &'static str,
    title: &'static str,
    outcomes: &'static [(&'static str, &'static str)],
    groups: &'static [Group],
    methods: &'static [u8],
    layout: Layout,
    levels: bool,
    note: &'static str,
}

const ENTRIES: [Entry; 11] = [
    Entry {
        id: "tabel_4_1",
        title: "Effekt af deltagelse på ordinær beskæftigelse i {periode}, alle, mænd og kvinder",
        outcomes: &MAIN,
        groups: &GROUPS,
        methods: &[1, 2],
        layout: Layout::GroupsByMethods,
        levels: true,
        note: "Ordinær beskæftigelse er beskæftigelsesgraden fratrukket tid i løntilskud, som gennemsnit over perioden.",
    },
    Entry {
        id: "tabel_4_2",
        title: "Effekt af deltagelse på ordinær beskæftigelse i månederne efter start",
        outcomes: &MONTHS,
        groups: &ALLE,
        methods: &[1, 2],
        layout: Layout::GroupsByMethodsCountPerRow,
        levels: false,
        note: "Hver række er gennemsnittet fra startmåneden til og med den nævnte måned; personer uden opfølgning i hele perioden indgår ikke.",
    },
    Entry {
        id: "tabel_4_3",
        title: "Effekt af deltagelse på ordinær beskæftigelse i {periode} efter tidspunkt for start",
        outcomes: &MAIN,
        groups: &START,
        methods: &[1, 2],
        layout: Layout::GroupsByMethods,
        levels: true,
        note: "«Alle starter»: start januar 2017 – oktober 2018; de to delpopulationer har start fra januar 2017 til og med den nævnte måned, efter (placebo-)startdato.",
    },
    Entry {
        id: "tabel_4_4",
        title: "Effekt af deltagelse på beskæftigelse i udvalgte brancher og virksomhedstyper i {periode}",
        outcomes: &[
            ("industri", "Industri"),
            ("handel", "Handel"),
            ("transport", "Transport"),
            ("hotel_restauration", "Hotel og restauration"),
            ("sundhed", "Sundhed"),
            ("enkeltmandsvirksomhed", "Enkeltmandsvirksomhed"),
            ("aktieselskab", "Aktieselskab"),
            ("anpartsselskab", "Anpartsselskab"),
            ("primaer_kommune", "Primærkommune"),
        ],
        groups: &GROUPS,
        methods: &[1, 2],
        layout: Layout::GroupsByMethods,
        levels: true,
        note: "Beskæftigelse i branchen eller virksomhedstypen; rækkerne summerer ikke til den samlede beskæftigelse.",
    },
    Entry {
        id: "tabel_4_5",
        title: "Effekt af deltagelse på selvforsørgelse og SU i {periode}",
        outcomes: &[("selvforsoergelse", "Selvforsørgelse"), ("su", "SU")],
        groups: &GROUPS,
        methods: &[1, 2],
        layout: Layout::GroupsByMethods,
        levels: true,
        note: "Andel af ugerne uden offentlig forsørgelse, henholdsvis med SU.",
    },
    Entry {
        id: "tabel_4_6",
        title: "Effekt af deltagelse på virksomhedsrettet aktivering i ugerne efter start",
        outcomes: &[
            ("loentilskud_privat", "Løntilskud, privat"),
            ("virksomhedspraktik_privat", "Virksomhedspraktik, privat"),
            ("loentilskud_offentlig", "Løntilskud, offentlig"),
            (
                "virksomhedspraktik_offentlig",
                "Virksomhedspraktik, offentlig",
            ),
        ],
        groups: &GROUPS,
        methods: &[1, 2],
        layout: Layout::GroupsByMethods,
        levels: true,
        note: "Andel af ugerne fra startugen og et år frem; kun personer med et helt års opfølgning.",
    },
    Entry {
        id: "tabel_4_7",
        title: "Effekt af deltagelse på integrationsgrunduddannelse (IGU) i ugerne efter start",
        outcomes: &[("igu", "IGU")],
        groups: &GROUPS,
        methods: &[1, 2],
        layout: Layout::GroupsByMethods,
        levels: true,
        note: "Andel af ugerne fra startugen og et år frem i IGU, regnet fra IGU-startdatoen uden frafald.",
    },
    Entry {
        id: "tabel_5_1",
        title: "Effekt på ordinær beskæftigelse i {periode} i den ubegrænsede population",
        outcomes: &MAIN,
        groups: &GROUPS,
        methods: &[1, 2],
        layout: Layout::GroupsByMethods,
        levels: false,
        note: "Populationen omfatter også personer, der ikke var på offentlig forsørgelse ugen før start.",
    },
    Entry {
        id: "tabel_5_2",
        title: "Effekt på ordinær beskæftigelse i {periode} med kernel-matching og IPW",
        outcomes: &MAIN,
        groups: &GROUPS,
        methods: &[3, 4, 5],
        layout: Layout::MethodsByGroups,
        levels: false,
        note: "Samme population og udfald som i hovedanalysen.",
    },
    Entry {
        id: "tabel_5_3",
        title: "Effekt på ordinær beskæftigelse i {periode} med probit-propensity score",
        outcomes: &MAIN,
        groups: &GROUPS,
        methods: &[1, 2, 3, 4, 5],
        layout: Layout::MethodsByGroups,
        levels: false,
        note: "Propensity score estimeret med probit i stedet for logit.",
    },
    Entry {
        id: "tabel_5_4",
        title: "Effekt på ordinær beskæftigelse i {periode} med rektangulær kerne",
        outcomes: &MAIN,
        groups: &GROUPS,
        methods: &[1, 2, 3, 4],
        layout: Layout::MethodsByGroups,
        levels: false,
        note: "Rektangulær (uniform) kerne i stedet for Epanechnikov; IPW bruger ingen kerne.",
    },
];

/// Builds every effect table whose analysis ran (`ids` are the configured analysis ids).
pub fn effect_tables(results: &Results, ids: &[String]) -> Result<Vec<Table>> {
    let period = results
        .tekster
        .get("hovedperiode")
        .cloned()
        .unwrap_or_default();
    ENTRIES
        .iter()
        .filter(|e| ids.iter().any(|id| id == e.id))
        .map(|e| {
            let title = e.title.replace("{periode}", &period);
            EffectTable {
                id: e.id,
                title: &title,
                outcomes: e.outcomes,
                groups: e.groups,
                methods: e.methods,
                layout: e.layout,
                levels: e.levels,
                note: e.note,
            }
            .build(results)
        })
        .collect()
}
