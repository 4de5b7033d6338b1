//! Weekly labour-market histories as a Markov chain over register states, with a planted
//! programme effect. Each person's random numbers are drawn once per week and shared by both
//! potential paths (with and without the programme), so the difference between the paths is the
//! programme's effect and nothing else.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// A person's state in one week, as DREAM would record it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Ordinary job, no public transfer (blank code, wage income).
    Job,
    /// Neither job nor transfer (blank code, no wage income).
    SelfSupport,
    /// Passive cash benefit: integrationsydelse or kontanthjælp.
    Benefit,
    /// Student grant (SU).
    Student,
    /// Company internship in a private firm.
    InternshipPrivate,
    /// Company internship in the public sector.
    InternshipPublic,
    /// Wage subsidy in a private firm.
    SubsidyPrivate,
    /// Wage subsidy in the public sector.
    SubsidyPublic,
    /// Guidance and upskilling.
    Guidance,
    /// Education as activation.
    EducationActivation,
    /// Permanently out of the labour force (førtidspension).
    Disability,
}

impl State {
    /// DREAM code of the state; `integration` selects integrationsydelse (70x) over kontanthjælp (73x).
    pub fn code(self, integration: bool) -> Option<u16> {
        let base = if integration { 700 } else { 730 };
        match self {
            State::Job | State::SelfSupport => None,
            State::Benefit => Some(base),
            State::Student => Some(651),
            State::Guidance => Some(base + 3),
            State::EducationActivation => Some(base + 4),
            State::SubsidyPrivate => Some(base + 5),
            State::SubsidyPublic => Some(base + 6),
            State::InternshipPrivate => Some(base + 7),
            State::InternshipPublic => Some(base + 8),
            State::Disability => Some(783),
        }
    }

    /// Whether the person earns wages this week (ordinary job or wage subsidy).
    pub fn paid(self) -> bool {
        matches!(
            self,
            State::Job | State::SubsidyPrivate | State::SubsidyPublic
        )
    }

    fn is_activation(self) -> bool {
        matches!(
            self,
            State::InternshipPrivate
                | State::InternshipPublic
                | State::SubsidyPrivate
                | State::SubsidyPublic
                | State::Guidance
                | State::EducationActivation
        )
    }
}

/// The programme's planted effect on weekly transition hazards during the programme.
#[derive(Debug, Clone, Copy)]
pub struct Effect {
    /// Multiplier on the hazard from benefit into an ordinary job.
    pub job: f64,
    /// Multiplier on the hazard from benefit into a private internship.
    pub internship_private: f64,
    /// Weeks after start during which the effect works.
    pub weeks: i32,
}

/// No programme.
pub const NO_EFFECT: Effect = Effect {
    job: 1.0,
    internship_private: 1.0,
    weeks: 0,
};

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Weekly transition from `state` for a person with employability `z`; `u` is the week's uniform
/// draw and `treated_week` the week relative to programme start when the programme works.
pub fn step(state: State, z: f64, u: f64, effect: Effect, week_since_start: Option<i32>) -> State {
    let active = week_since_start.is_some_and(|w| w >= 0 && w < effect.weeks);
    let job_mult = if active { effect.job } else { 1.0 };
    let intern_mult = if active {
        effect.internship_private
    } else {
        1.0
    };
    let p_job = logistic(-4.6 + 0.9 * z) * job_mult;
    // Cumulative thresholds over destinations, each a weekly hazard.
    let pick = |table: &[(State, f64)]| -> State {
        let mut acc = 0.0;
        for &(dest, p) in table {
            acc += p;
            if u < acc {
                return dest;
            }
        }
        state
    };
    match state {
        State::Benefit => pick(&[
            (State::Job, p_job),
            (State::InternshipPrivate, 0.010 * intern_mult),
            (State::InternshipPublic, 0.007),
            (State::SubsidyPrivate, 0.003),
            (State::SubsidyPublic, 0.002),
            (State::Guidance, 0.012),
            (State::EducationActivation, 0.006),
            (State::Student, 0.002),
            (State::SelfSupport, 0.004),
            (State::Disability, 0.0004),
        ]),
        State::Job => pick(&[
            (State::Benefit, logistic(-3.6 - 0.5 * z)),
            (State::SelfSupport, 0.002),
        ]),
        State::SelfSupport => pick(&[(State::Job, 2.0 * p_job), (State::Benefit, 0.03)]),
        State::Student => pick(&[(State::Job, 0.01), (State::Benefit, 0.008)]),
        State::Disability => State::Disability,
        s if s.is_activation() => {
            let to_job = if s.paid() || s == State::InternshipPrivate {
                2.5 * p_job
            } else {
                p_job
            };
            pick(&[(State::Job, to_job), (State::Benefit, 0.09)])
        }
        s => s,
    }
}

/// Draws a person's initial state from employability `z`.
pub fn initial_state(z: f64, rng: &mut ChaCha8Rng) -> State {
    let u: f64 = rng.random();
    let p_job = logistic(-1.3 + 0.9 * z);
    if u < p_job {
        State::Job
    } else if u < p_job + 0.03 {
        State::Disability
    } else if u < p_job + 0.06 {
        State::SelfSupport
    } else {
        State::Benefit
    }
}

/// Simulates `weeks` weeks from `start_state`, using the pre-drawn uniforms `draws`; the programme
/// starts in week `programme_start` (an index into the path) with `effect`.
pub fn simulate(
    start_state: State,
    z: f64,
    draws: &[f64],
    programme_start: Option<usize>,
    effect: Effect,
) -> Vec<State> {
    let mut path = Vec::with_capacity(draws.len());
    let mut state = start_state;
    for (week, &u) in draws.iter().enumerate() {
        let since = programme_start.map(|s| week as i32 - s as i32);
        state = step(state, z, u, effect, since);
        path.push(state);
    }
    path
}
