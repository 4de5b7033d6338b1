//! Published numbers the synthetic registers are calibrated to (seed-tables.yaml): the funnel,
//! the start-date structure behind the follow-up samples, participants' and controls' covariate
//! means (Tabel 3.1 by sex, Bilagstabel 2.2 pooled) and the planted effects (method (2) of Tabel
//! 4.1–4.7, by sex).

/// Funnel counts of the published report: (treated, controls) after steps 1, 2 and 3.
pub const FUNNEL: [(usize, usize); 3] = [(448, 7367), (415, 2536), (412, 2229)];

/// Sex split of the unrestricted population (Tabel 5.1): (men, women).
pub const UNRESTRICTED_SEX: (usize, usize) = (4134, 3681);

/// Participants in the final sample: (men, women).
pub const FINAL_TREATED: (usize, usize) = (195, 217);
/// Controls in the final sample: (men, women).
pub const FINAL_CONTROLS: (usize, usize) = (1029, 1200);
/// Skanderborg's controls on benefit (funnel step 2 minus step 3): (men, women).
pub const SKANDERBORG_CONTROLS: (usize, usize) = (142, 165);
/// Participants in step 1 but not on benefit the week before start: (men, women).
pub const NO_BENEFIT_TREATED: (usize, usize) = (12, 21);

/// A date as (year, month, day).
pub type Ymd = (i32, u32, u32);

/// One start-date bin: (first date, last date, treated men, treated women, controls men,
/// controls women).
pub type DateBin = (Ymd, Ymd, usize, usize, usize, usize);

/// Start-date bins of the final sample (inclusive dates), chosen so the follow-up samples of
/// Tabel 4.2, 4.6 and 4.7 come out as published.
pub const DATE_BINS: [DateBin; 9] = [
    ((2017, 1, 1), (2017, 12, 31), 103, 128, 611, 660),
    ((2018, 1, 1), (2018, 3, 31), 45, 38, 84, 91),
    ((2018, 4, 1), (2018, 6, 28), 30, 34, 130, 169),
    ((2018, 6, 29), (2018, 7, 23), 5, 5, 72, 91),
    ((2018, 7, 24), (2018, 7, 28), 3, 3, 45, 63),
    ((2018, 7, 29), (2018, 8, 28), 2, 2, 28, 41),
    ((2018, 8, 29), (2018, 9, 28), 2, 2, 45, 63),
    ((2018, 9, 29), (2018, 10, 28), 1, 1, 14, 22),
    ((2018, 10, 29), (2018, 10, 31), 4, 4, 0, 0),
];

/// Last date of the synthetic IGU register (the IGU sample is starts up to March 2018).
pub const IGU_UNTIL: Ymd = (2019, 4, 5);

/// A calibration target at the lags of the balance table (1, 5, 10, …, 46, 52 weeks), linearly
/// interpolated in between and held beyond.
pub type WeeklyProfile = [f64; 11];

/// Lags of [`WeeklyProfile`].
pub const PROFILE_LAGS: [i32; 11] = [1, 5, 10, 15, 19, 24, 29, 34, 41, 46, 52];

/// Interpolates a weekly profile at lag `lag` (≥ 1).
pub fn at_lag(profile: &WeeklyProfile, lag: i32) -> f64 {
    if lag <= PROFILE_LAGS[0] {
        return profile[0];
    }
    for i in 1..PROFILE_LAGS.len() {
        if lag <= PROFILE_LAGS[i] {
            let (a, b) = (PROFILE_LAGS[i - 1], PROFILE_LAGS[i]);
            let t = f64::from(lag - a) / f64::from(b - a);
            return profile[i - 1] + t * (profile[i] - profile[i - 1]);
        }
    }
    profile[PROFILE_LAGS.len() - 1]
}

/// Weekly targets before start for one group (shares of the group).
pub struct WeeklyTargets {
    /// On integrationsydelse.
    pub integration: WeeklyProfile,
    /// On kontanthjælp mv.
    pub cash: WeeklyProfile,
    /// On another benefit (dagpenge, sygedagpenge, uddannelseshjælp).
    pub other: WeeklyProfile,
    /// In ordinary education (activation).
    pub education: WeeklyProfile,
    /// In a company internship.
    pub internship: WeeklyProfile,
    /// In a wage subsidy job.
    pub subsidy: WeeklyProfile,
    /// In guidance and upskilling.
    pub guidance: WeeklyProfile,
    /// Mean employment rate 1..=12 months before start.
    pub grad: [f64; 12],
}

const BOT_INTEGRATION: WeeklyProfile = [
    0.83, 0.80, 0.80, 0.80, 0.79, 0.78, 0.78, 0.78, 0.78, 0.76, 0.72,
];
const BOT_CASH: WeeklyProfile = [
    0.17, 0.17, 0.15, 0.15, 0.15, 0.15, 0.14, 0.15, 0.14, 0.17, 0.17,
];
const BOT_GRAD: [f64; 12] = [
    0.02, 0.04, 0.05, 0.06, 0.05, 0.06, 0.06, 0.06, 0.06, 0.06, 0.05, 0.04,
];

fn shift(p: WeeklyProfile, by: f64) -> WeeklyProfile {
    p.map(|v| (v + by).clamp(0.0, 1.0))
}

/// Participants of one sex in the final sample: pooled profiles of Bilagstabel 2.2 shifted to
/// Tabel 3.1's sex differences (benefit type, internship and wage subsidy the week before,
/// employment rate 1 and 12 months before).
pub fn treated(male: bool) -> WeeklyTargets {
    let (benefit_shift, grad_factor) = if male { (0.04, 1.78) } else { (-0.036, 0.297) };
    let other = [
        0.0, 0.01, 0.02, 0.02, 0.02, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03,
    ];
    WeeklyTargets {
        integration: shift(BOT_INTEGRATION, benefit_shift),
        cash: shift(BOT_CASH, -benefit_shift),
        other,
        education: [
            0.51, 0.42, 0.37, 0.40, 0.40, 0.38, 0.40, 0.42, 0.41, 0.42, 0.42,
        ],
        internship: if male {
            [
                0.16, 0.22, 0.22, 0.22, 0.20, 0.22, 0.19, 0.18, 0.21, 0.18, 0.15,
            ]
        } else {
            [
                0.17, 0.22, 0.22, 0.22, 0.20, 0.22, 0.19, 0.18, 0.21, 0.18, 0.15,
            ]
        },
        subsidy: if male {
            [0.02; 11]
        } else {
            [
                0.0, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01,
            ]
        },
        guidance: [0.08; 11],
        grad: BOT_GRAD.map(|g| g * grad_factor),
    }
}

/// Controls of the final sample (and Skanderborg's controls on benefit): Bilagstabel 2.2.
pub fn controls() -> WeeklyTargets {
    WeeklyTargets {
        integration: [
            0.53, 0.52, 0.51, 0.51, 0.51, 0.50, 0.49, 0.47, 0.45, 0.42, 0.38,
        ],
        cash: [
            0.37, 0.36, 0.35, 0.34, 0.33, 0.32, 0.32, 0.34, 0.35, 0.38, 0.41,
        ],
        other: [
            0.10, 0.08, 0.08, 0.08, 0.08, 0.08, 0.08, 0.08, 0.08, 0.08, 0.08,
        ],
        education: [
            0.18, 0.19, 0.21, 0.22, 0.23, 0.23, 0.23, 0.24, 0.24, 0.25, 0.26,
        ],
        internship: [
            0.16, 0.15, 0.14, 0.14, 0.14, 0.14, 0.14, 0.13, 0.13, 0.13, 0.12,
        ],
        subsidy: [0.02; 11],
        guidance: [0.10; 11],
        grad: [
            0.09, 0.10, 0.10, 0.09, 0.10, 0.09, 0.09, 0.09, 0.08, 0.08, 0.08, 0.08,
        ],
    }
}

/// Persons active but not on benefit the week before start (funnel step 1 only): mostly in work;
/// employment rate the month before so that step 1 has 0.04 (participants) and 0.44 (controls).
pub fn not_on_benefit(treated: bool) -> WeeklyTargets {
    let g1 = if treated { 0.29 } else { 0.624 };
    WeeklyTargets {
        integration: [
            0.0, 0.10, 0.12, 0.12, 0.13, 0.13, 0.13, 0.13, 0.14, 0.14, 0.14,
        ],
        cash: [
            0.0, 0.04, 0.06, 0.06, 0.07, 0.07, 0.07, 0.07, 0.08, 0.08, 0.08,
        ],
        other: [
            0.0, 0.03, 0.04, 0.04, 0.04, 0.04, 0.04, 0.04, 0.04, 0.04, 0.04,
        ],
        education: [
            0.0, 0.04, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05,
        ],
        internship: [
            0.0, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02,
        ],
        subsidy: [
            0.0, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01,
        ],
        guidance: [
            0.0, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01,
        ],
        grad: [
            g1,
            g1 * 0.95,
            g1 * 0.9,
            g1 * 0.88,
            g1 * 0.86,
            g1 * 0.85,
            g1 * 0.84,
            g1 * 0.83,
            g1 * 0.82,
            g1 * 0.81,
            g1 * 0.8,
            g1 * 0.8,
        ],
    }
}

/// Background shares of one group (binary variables and category shares).
pub struct Background {
    /// Mean age at start.
    pub age: f64,
    /// Single (no partner).
    pub single: f64,
    /// Mean number of children aged 0–5, 6–11, 12–18.
    pub children: [f64; 3],
    /// Origin: Syria, other West Asia, Eritrea, other Africa, East Asia, Turkey, other countries.
    pub origin: [f64; 7],
    /// Mean years in Denmark.
    pub years: f64,
    /// Residence basis: asylum, family reunification with a refugee, other.
    pub residence: [f64; 3],
    /// Education: school, vocational/upper secondary, short/medium higher, other.
    pub education: [f64; 4],
    /// A-kasse member.
    pub akasse: f64,
    /// Job-ready in the start quarter / in Q1 of the year before.
    pub job_ready: [f64; 2],
    /// Hospital admission / judgement in the year before.
    pub hospital: f64,
    /// Judgement in the year before.
    pub crime: f64,
    /// Mean number of nulstillende samtaler in the year before.
    pub interviews: f64,
}

/// Participants of one sex (Tabel 3.1; Bilagstabel 2.2 where Tabel 3.1 has no sex split).
pub fn treated_background(male: bool) -> Background {
    if male {
        Background {
            age: 35.87,
            single: 0.49,
            children: [0.47, 0.51, 0.25],
            origin: [0.54, 0.08, 0.17, 0.04, 0.04, 0.10, 0.03],
            years: 4.41,
            residence: [0.84, 0.04, 0.12],
            education: [0.71, 0.11, 0.09, 0.09],
            akasse: 0.05,
            job_ready: [0.82, 0.38],
            hospital: 0.08,
            crime: 0.08,
            interviews: 0.78,
        }
    } else {
        Background {
            age: 34.85,
            single: 0.30,
            children: [0.73, 0.84, 0.49],
            origin: [0.57, 0.09, 0.07, 0.07, 0.09, 0.09, 0.02],
            years: 4.58,
            residence: [0.47, 0.35, 0.18],
            education: [0.67, 0.17, 0.10, 0.06],
            akasse: 0.05,
            job_ready: [0.68, 0.38],
            hospital: 0.14,
            crime: 0.01,
            interviews: 0.78,
        }
    }
}

/// Controls (Bilagstabel 2.2's "Kontrol" column; Syria and Eritrea are not published for them).
pub fn control_background() -> Background {
    Background {
        age: 38.18,
        single: 0.35,
        children: [0.53, 0.54, 0.49],
        origin: [0.30, 0.23, 0.05, 0.07, 0.12, 0.14, 0.09],
        years: 9.64,
        residence: [0.52, 0.15, 0.33],
        education: [0.62, 0.20, 0.11, 0.07],
        akasse: 0.12,
        job_ready: [0.42, 0.23],
        hospital: 0.13,
        crime: 0.12,
        interviews: 0.76,
    }
}

/// Persons of funnel step 1 who are not on benefit: longer in Denmark, more often in work.
pub fn working_background() -> Background {
    Background {
        age: 39.0,
        single: 0.33,
        children: [0.45, 0.55, 0.50],
        origin: [0.18, 0.27, 0.04, 0.07, 0.16, 0.18, 0.10],
        years: 13.0,
        residence: [0.40, 0.15, 0.45],
        education: [0.45, 0.30, 0.17, 0.08],
        akasse: 0.45,
        job_ready: [0.10, 0.10],
        hospital: 0.08,
        crime: 0.05,
        interviews: 0.10,
    }
}

/// A planted effect by sex: (men, women).
pub type BySex = (f64, f64);

/// Planted effects on ordinary employment January–July 2019 (Tabel 4.1, method 2).
pub const EMPLOYMENT: BySex = (0.0768, 0.0596);
/// Cumulative employment effects for months 0..k after the start month (Tabel 4.2, method 2,
/// both sexes; approximate).
pub const EMPLOYMENT_MONTHS: [f64; 13] = [
    0.0011, 0.0008, 0.0038, 0.0052, 0.0081, 0.0135, 0.0184, 0.0219, 0.0251, 0.0263, 0.0291, 0.0314,
    0.0290,
];
/// Industries (Tabel 4.4), in the order of `dataset::outcomes::INDUSTRIES`.
pub const INDUSTRIES: [BySex; 5] = [
    (0.0295, 0.0013),
    (-0.0070, -0.0025),
    (0.0163, 0.0073),
    (0.0379, 0.0058),
    (-0.0003, 0.0658),
];
/// Owner types (Tabel 4.4), in the order of `dataset::outcomes::OWNER_TYPES`.
pub const OWNER_TYPES: [BySex; 4] = [
    (0.0097, 0.0061),
    (0.0745, 0.0269),
    (0.0348, -0.0058),
    (0.0012, 0.0522),
];
/// Self-support (Tabel 4.5).
pub const SELF_SUPPORT: BySex = (0.0769, 0.0772);
/// SU (Tabel 4.5).
pub const SU: BySex = (0.0086, -0.0284);
/// Activation weeks 0–52 in the order of `dataset::outcomes::ACTIVATION` (Tabel 4.6; guidance and
/// education activation are not tabulated in the report: planted as +2 and −4 percentage points).
pub const ACTIVATION: [BySex; 6] = [
    (0.0105, 0.0096),
    (0.0853, 0.1120),
    (-0.0001, 0.0024),
    (0.0234, 0.0137),
    (0.0200, 0.0200),
    (-0.0400, -0.0400),
];
/// IGU weeks 0–52 (Tabel 4.7).
pub const IGU: BySex = (0.0670, 0.1022);
