//! The variables measured before (placebo) start: the propensity-score covariates of Bilagstabel
//! 2.1 and the descriptive/balance variables of Tabel 3.1 and Bilagstabel 2.2, with Danish labels.

use super::countries::{self, Region};
use super::education::Group;
use super::lookups::{Lookups, any_between, count_between};
use super::slug;
use crate::calendar;
use crate::municipalities::{self, MUNICIPALITIES};
use crate::registers::codes::CodeBook;
use crate::registers::dream::Dream;
use chrono::{Datelike, Days, NaiveDate};

/// The reference municipality of the model (its dummy is left out).
pub const REFERENCE_MUNICIPALITY: &str = "Thisted";

/// Weeks before start of the weekly variables in the balance table (52 = "1 år før").
pub const BALANCE_WEEKS: [i32; 11] = [1, 5, 10, 15, 19, 24, 29, 34, 41, 46, 52];
/// Weeks before start of the weekly variables in the propensity-score model.
pub const MODEL_WEEKS: [i32; 3] = [1, 26, 52];

/// Weekly categories before start: (name stem, label, code-book categories).
const WEEKLY: [(&str, &str, &[&str]); 5] = [
    (
        "ordinaer_uddannelse",
        "Ordinær uddannelse",
        &["uddannelsesaktivering"],
    ),
    (
        "virksomhedspraktik",
        "Virksomhedspraktik",
        &["virksomhedspraktik_privat", "virksomhedspraktik_offentlig"],
    ),
    ("kontanthjaelp", "Kontanthjælp mv.", &["kontanthjaelp"]),
    (
        "integrationsydelse",
        "Integrationsydelse",
        &["integrationsydelse"],
    ),
    (
        "loentilskud",
        "Løntilskud",
        &["loentilskud_privat", "loentilskud_offentlig"],
    ),
];

/// Municipalities in the balance table's order (alphabetical, Danish).
fn municipality_order() -> Vec<&'static str> {
    let mut names: Vec<&str> = MUNICIPALITIES
        .iter()
        .filter(|m| m.name != "Skanderborg")
        .map(|m| m.name)
        .collect();
    names.sort_by_key(|n| slug(n));
    names
}

/// The covariate names of the propensity-score model, in order.
pub fn covariate_names() -> Vec<String> {
    let mut v: Vec<String> = vec!["bot_2017".into(), "startmaaned".into()];
    v.extend(
        municipality_order()
            .into_iter()
            .filter(|n| *n != REFERENCE_MUNICIPALITY)
            .map(|n| format!("kommune_{}", slug(n))),
    );
    for n in [
        "mand",
        "alder",
        "enlig",
        "boern_0_5",
        "boern_6_11",
        "boern_12_18",
        "tyrkiet",
        "afrika",
        "oestasien",
        "vestasien",
        "aar_i_dk",
        "partner_aar_i_dk",
        "asyl",
        "familiesammenfoert_flygtning",
        "skoleuddannelse",
        "eud_gymnasium",
        "kvu_mvu",
        "akasse",
        "grad_1m_foer",
        "grad_6m_foer",
        "grad_12m_foer",
        "partner_grad_aar_foer",
        "loen_aar_foer",
        "nulstillende_samtaler",
    ] {
        v.push(n.into());
    }
    for w in MODEL_WEEKS {
        for (stem, _, _) in &WEEKLY[..4] {
            v.push(format!("{stem}_{w}u_foer"));
        }
    }
    for n in [
        "jobparat_aar_foer",
        "partner_ikke_aktiv",
        "indlaeggelse",
        "kriminalitet_aar_foer",
    ] {
        v.push(n.into());
    }
    v
}

/// The descriptive variables (Tabel 3.1 and Bilagstabel 2.2), in the balance table's order.
pub fn descriptive_names() -> Vec<String> {
    let mut v: Vec<String> = vec!["bot_2017".into(), "startmaaned".into()];
    v.extend(
        municipality_order()
            .into_iter()
            .map(|n| format!("kommune_{}", slug(n))),
    );
    for n in [
        "mand",
        "alder",
        "enlig",
        "boern_0_5",
        "boern_6_11",
        "boern_12_18",
        "tyrkiet",
        "syrien",
        "eritrea",
        "afrika",
        "oestasien",
        "vestasien",
        "oevrige_lande",
        "aar_i_dk",
        "partner_aar_i_dk",
        "asyl",
        "familiesammenfoert_flygtning",
        "andet_opholdsgrundlag",
        "skoleuddannelse",
        "eud_gymnasium",
        "kvu_mvu",
        "anden_uddannelse",
        "akasse",
    ] {
        v.push(n.into());
    }
    v.extend((1..=12).map(|k| format!("grad_{k}m_foer")));
    for n in [
        "partner_grad_aar_foer",
        "loen_aar_foer",
        "nulstillende_samtaler",
    ] {
        v.push(n.into());
    }
    for (stem, _, _) in &WEEKLY[..4] {
        v.extend(BALANCE_WEEKS.iter().map(|w| format!("{stem}_{w}u_foer")));
    }
    for n in [
        "loentilskud_1u_foer",
        "jobparat_indsatsaar",
        "jobparat_aar_foer",
        "partner_ikke_aktiv",
        "indlaeggelse",
        "kriminalitet_aar_foer",
    ] {
        v.push(n.into());
    }
    v
}

/// The Danish label of a variable name.
pub fn label(name: &str) -> String {
    let weeks = |w: &str| if w == "1" { "uge" } else { "uger" };
    if let Some(n) = name.strip_prefix("kommune_") {
        let town = MUNICIPALITIES
            .iter()
            .find(|m| slug(m.name) == n)
            .map_or(n, |m| m.name);
        return format!("Bopæl i {town} Kommune");
    }
    if let Some(k) = name
        .strip_prefix("grad_")
        .and_then(|r| r.strip_suffix("m_foer"))
    {
        let unit = if k == "1" { "måned" } else { "måneder" };
        return format!("Beskæftigelsesgrad {k} {unit} før");
    }
    for (stem, text, _) in &WEEKLY {
        if let Some(w) = name
            .strip_prefix(&format!("{stem}_"))
            .and_then(|r| r.strip_suffix("u_foer"))
        {
            return if w == "52" {
                format!("{text} 1 år før")
            } else {
                format!("{text} {w} {} før", weeks(w))
            };
        }
    }
    match name {
        "bot_2017" => "BOT i 2017",
        "startmaaned" => "BOT start måned",
        "mand" => "Mand",
        "alder" => "Alder",
        "enlig" => "Enlig",
        "boern_0_5" => "Antal børn mellem 0-5 år",
        "boern_6_11" => "Antal børn mellem 6-11 år",
        "boern_12_18" => "Antal børn mellem 12-18 år",
        "tyrkiet" => "Oprindelsesland Tyrkiet",
        "syrien" => "Oprindelsesland Syrien",
        "eritrea" => "Oprindelsesland Eritrea",
        "afrika" => "Oprindelsesland fra Afrika",
        "oestasien" => "Oprindelsesland østasiatisk",
        "vestasien" => "Oprindelsesland vestasiatisk",
        "oevrige_lande" => "Oprindelsesland øvrige lande",
        "aar_i_dk" => "Antal år i Danmark",
        "partner_aar_i_dk" => "Partners antal år i Danmark",
        "asyl" => "Opholdsgrundlag: Asyl",
        "familiesammenfoert_flygtning" => "Opholdsgrundlag: Familiesammenført til flygtning",
        "andet_opholdsgrundlag" => "Opholdsgrundlag: Andet",
        "skoleuddannelse" => "Skoleuddannelse",
        "eud_gymnasium" => "EUD eller gymnasium",
        "kvu_mvu" => "KVU eller MVU",
        "anden_uddannelse" => "Anden uddannelse",
        "akasse" => "Medlem af A-kasse",
        "partner_grad_aar_foer" => "Partners beskæftigelsesgrad 1 år før",
        "loen_aar_foer" => "Løn i år før (1.000 kr.)",
        "nulstillende_samtaler" => "Antal nulstillende samtaler",
        "jobparat_indsatsaar" => "Person er jobparat i indsatsåret",
        "jobparat_aar_foer" => "Person er jobparat det 1. kvartal i året før",
        "partner_ikke_aktiv" => "Partner ikke aktiv",
        "indlaeggelse" => "Indlæggelse på sygehus",
        "kriminalitet_aar_foer" => "Kriminalitet i året før",
        other => other,
    }
    .to_string()
}

/// Code-book lookups for the variables before start.
pub struct Categories {
    weekly: Vec<Vec<bool>>,
    permanent: Vec<bool>,
}

impl Categories {
    /// The lookups of a code book.
    pub fn new(codebook: &CodeBook) -> Categories {
        Categories {
            weekly: WEEKLY
                .iter()
                .map(|(_, _, cats)| {
                    let mut m = vec![false; 1001];
                    for c in *cats {
                        for (x, y) in m.iter_mut().zip(codebook.mask(c)) {
                            *x |= y;
                        }
                    }
                    m
                })
                .collect(),
            permanent: codebook.mask("permanent_udenfor"),
        }
    }

    /// Whether `code` means permanently outside the labour force.
    pub fn permanent(&self, code: u16) -> bool {
        self.permanent
            .get(usize::from(code))
            .copied()
            .unwrap_or(false)
    }
}

/// A person at (placebo) start, with everything the variables are computed from.
pub struct Person {
    /// Person index in the [`Lookups`] (the dataset row).
    pub row: usize,
    /// (Placebo) start date.
    pub start: NaiveDate,
    /// Municipality code.
    pub kom: i64,
    /// Man.
    pub male: bool,
    /// Birth date.
    pub birth: NaiveDate,
    /// Country of origin.
    pub origin: i64,
    /// Partner's person index in the [`Lookups`] (BEF `E_FAELLE_ID` in the start year).
    pub partner: Option<usize>,
}

/// Registers and lookups shared by every person.
pub struct Sources<'a> {
    /// Municipalities in the balance table's order with their variable names.
    pub municipalities: Vec<(&'static str, String)>,
    /// DREAM.
    pub dream: &'a Dream,
    /// The DST-style registers.
    pub lookups: &'a Lookups,
    /// Code-book lookups.
    pub categories: &'a Categories,
}

/// The municipalities in the balance table's order with their variable names.
pub fn municipality_variables() -> Vec<(&'static str, String)> {
    municipality_order()
        .into_iter()
        .map(|n| (n, format!("kommune_{}", slug(n))))
        .collect()
}

impl Sources<'_> {
    /// DREAM row of person `person` (an index in the [`Lookups`]).
    fn dream_row(&self, person: usize) -> Option<usize> {
        self.lookups.dream_row[person].map(|r| r as usize)
    }

    fn code(&self, person: usize, week: i32) -> u16 {
        let d = self.dream;
        self.dream_row(person)
            .zip(d.week_col(week))
            .map_or(0, |(r, c)| d.codes[[r, c]])
    }

    fn grad(&self, person: usize, month: i32) -> f64 {
        let d = self.dream;
        self.dream_row(person)
            .zip(d.month_col(month))
            .map_or(0.0, |(r, c)| d.grad[[r, c]])
    }

    /// Every variable of `p` (covariates and descriptives); their names are pushed to `names`
    /// when given (the order is the same for every person).
    pub fn values(&self, p: &Person, mut names: Option<&mut Vec<String>>) -> Vec<f64> {
        let want_names = names.is_some();
        let named = |f: &dyn Fn() -> String| if want_names { f() } else { String::new() };
        let mut out: Vec<f64> = Vec::with_capacity(160);
        let mut put = |name: &str, v: f64| {
            if let Some(names) = names.as_deref_mut() {
                names.push(name.to_string());
            }
            out.push(v);
        };
        let b = |x: bool| f64::from(u8::from(x));
        let start = p.start;
        let year = start.year();
        let year_before = start - Days::new(365);
        let start_week = calendar::week_of(start);
        let start_month = calendar::month_of(start);
        let l = self.lookups;
        put("bot_2017", b(year == 2017));
        put("startmaaned", f64::from(start.month()));
        let home = municipalities::by_kom(p.kom).map(|m| m.name);
        for (name, key) in &self.municipalities {
            put(key, b(home == Some(*name)));
        }
        put("mand", b(p.male));
        put("alder", f64::from(calendar::age_at(p.birth, start)));
        put("enlig", b(p.partner.is_none()));
        let kids: Vec<i32> = l
            .children
            .get(p.row)
            .iter()
            .filter(|&&bd| bd <= start)
            .map(|&bd| calendar::age_at(bd, start))
            .collect();
        for (name, lo, hi) in [
            ("boern_0_5", 0, 5),
            ("boern_6_11", 6, 11),
            ("boern_12_18", 12, 18),
        ] {
            put(
                name,
                kids.iter().filter(|&&a| a >= lo && a <= hi).count() as f64,
            );
        }
        let region = countries::region(p.origin);
        put("tyrkiet", b(region == Region::Tyrkiet));
        put("syrien", b(p.origin == countries::SYRIEN));
        put("eritrea", b(p.origin == countries::ERITREA));
        put("afrika", b(region == Region::Afrika));
        put("oestasien", b(region == Region::Oestasien));
        put("vestasien", b(region == Region::Vestasien));
        put(
            "oevrige_lande",
            b(matches!(region, Region::Oevrige | Region::Tyrkiet)),
        );
        put("aar_i_dk", l.years_in_denmark(p.row, start));
        put(
            "partner_aar_i_dk",
            p.partner.map_or(0.0, |q| l.years_in_denmark(q, start)),
        );
        let residence = l.residence[p.row];
        put("asyl", b(residence == Some(13)));
        put("familiesammenfoert_flygtning", b(residence == Some(14)));
        put(
            "andet_opholdsgrundlag",
            b(!matches!(residence, Some(13) | Some(14))),
        );
        let edu = l.education[p.row];
        put("skoleuddannelse", b(edu == Group::Skole));
        put("eud_gymnasium", b(edu == Group::EudGymnasium));
        put("kvu_mvu", b(edu == Group::KvuMvu));
        put("anden_uddannelse", b(edu == Group::Andet));
        let akasse = self
            .dream_row(p.row)
            .is_some_and(|r| self.dream.akasse_member(r, year - 1));
        put("akasse", b(akasse));
        for k in 1..=12 {
            put(
                &format!("grad_{k}m_foer"),
                self.grad(p.row, start_month - k),
            );
        }
        let partner_grad = p.partner.map_or(0.0, |q| {
            (1..=12).map(|k| self.grad(q, start_month - k)).sum::<f64>() / 12.0
        });
        put("partner_grad_aar_foer", partner_grad);
        let wage = l.wage[p.row].unwrap_or(0.0);
        put("loen_aar_foer", wage / 1000.0);
        put(
            "nulstillende_samtaler",
            count_between(l.interviews.get(p.row), year_before, start) as f64,
        );
        let mut weeks: Vec<i32> = BALANCE_WEEKS.to_vec();
        weeks.push(26);
        for (j, (stem, _, _)) in WEEKLY.iter().enumerate() {
            for &w in &weeks {
                let code = self.code(p.row, start_week - w);
                put(
                    &named(&|| format!("{stem}_{w}u_foer")),
                    b(self.categories.weekly[j][usize::from(code.min(1000))]),
                );
            }
        }
        let (ready_at_start, ready_year_before) = l.job_ready[p.row];
        put("jobparat_indsatsaar", b(ready_at_start));
        put("jobparat_aar_foer", b(ready_year_before));
        let partner_out = p
            .partner
            .is_some_and(|q| self.categories.permanent(self.code(q, start_week - 1)));
        put("partner_ikke_aktiv", b(partner_out));
        put(
            "indlaeggelse",
            b(any_between(l.admissions.get(p.row), year_before, start)),
        );
        put(
            "kriminalitet_aar_foer",
            b(any_between(l.judgements.get(p.row), year_before, start)),
        );
        out
    }
}
