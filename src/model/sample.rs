//! A reproducible review sample: N calls per agent, drawn with a seeded generator, stratified
//! so that short calls are not over-picked, and assigned to reviewers balanced by duration.
//! Pure: the caller passes the calls in ([`SampleCall`]), nothing is read or stored here.
//!
//! # What is drawn (version [`ALGORITHM`])
//! 1. **Eligible calls** ([`SampleFilter`]): a known agent (an unknown agent is never
//!    guessed: such calls are skipped and counted), a duration above 0 s and at least
//!    `min_duration_s`, a sane format (sample rate and channels above 0), the recording date
//!    inside `from`..=`to` when either is given (a call without a date is then skipped), and
//!    with `exclude_reviewed` no review (draft or submitted) yet.
//! 2. **Per agent**, in the canonical order of the calls' content hashes (so the database's
//!    row order does not matter), with a [`SplitMix64`] generator seeded from the seed and
//!    the agent's name (so adding an agent does not change the others' picks):
//!    - `Stratify::Duration` (or `Overtalk`): the agent's calls sorted by the key (duration,
//!      or overtalk rate: overtalks per minute, from the stored analysis), cut into `k = min(N, n)` equal-count bins (quantiles: bin `b`
//!      holds sorted calls `b·n/k .. (b+1)·n/k`), one call drawn uniformly from each bin. A
//!      sample of N is then spread over the agent's whole range of durations: an agent whose
//!      calls are 70 % short gets 70 % short calls in every sample (±1 call at a bin edge),
//!      not 50 % one day and 90 % the next. By overtalk rate, an agent's calmest and most
//!      interrupted calls are both in every sample, in proportion.
//!    - `Stratify::None`: N calls uniformly without replacement (a partial Fisher–Yates).
//!    - An agent with N calls or fewer gets all of them.
//! 3. **Assignment** ([`assign`]): longest call first, each to the reviewer with the least
//!    total duration so far (ties: fewer calls, then the order given). The reviewers' totals
//!    then differ by at most the longest call.
//! 4. **Order**: by recording time, then content hash (calls without a time last).
//!
//! The same seed and the same library (the same calls with the same agents, durations,
//! dates and review states) give the same sample on any machine and any callqa that keeps
//! [`ALGORITHM`]; the generator is written here, not borrowed from a crate whose streams may
//! change between versions.

use std::collections::BTreeMap;

use serde::Serialize;

/// The version of the drawing procedure above; stored with each queue.
pub const ALGORITHM: &str = "callqa-sample-1 (splitmix64, quantile bins)";

/// SplitMix64 (Steele, Lea & Flood 2014; Vigna's reference `splitmix64.c`): a tiny, fully
/// specified 64-bit generator. Its streams never change.
#[derive(Clone, Debug)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64 { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (no modulo bias: draws above the last whole multiple of `n` are
    /// thrown away); 0 when `n` is 0.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let x = self.next_u64();
            if x < zone {
                return x % n;
            }
        }
    }
}

/// FNV-1a, 64-bit: a stable hash of an agent's name for its generator's seed.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xCBF2_9CE4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01B3))
}

/// What a sample is stratified by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stratify {
    Duration,
    /// Overtalk rate ([`SampleCall::overtalk_per_min`]; calls without it are skipped).
    Overtalk,
    None,
}

/// A call as the sampler sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct SampleCall {
    pub call_id: i64,
    /// The content hash: the canonical order.
    pub hash: String,
    pub agent: Option<String>,
    /// `YYYY-MM-DD[ HH:MM:SS]`.
    pub recorded_at: Option<String>,
    pub duration_s: f64,
    pub sample_rate: u32,
    pub channels: u16,
    /// Has a review (draft or submitted).
    pub reviewed: bool,
    /// Overtalks per minute of call, when the call's analysis is stored
    /// ([`crate::store::CallMetrics::overtalk_per_min`]).
    pub overtalk_per_min: Option<f64>,
}

/// Which calls may be drawn.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SampleFilter {
    /// First day, `YYYY-MM-DD` (inclusive).
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (inclusive).
    pub to: Option<String>,
    pub min_duration_s: f64,
    pub exclude_reviewed: bool,
}

/// Why a call was not eligible.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Skip {
    /// 0 s, a duration that is not a number, or a format without samples or channels.
    Broken,
    UnknownAgent,
    TooShort,
    NoDate,
    OutsideDates,
    Reviewed,
    /// `Stratify::Overtalk` and the call has no stored analysis.
    NoAnalysis,
}

impl Skip {
    pub fn describe(self) -> &'static str {
        match self {
            Skip::Broken => "0 s or broken",
            Skip::UnknownAgent => "agent unknown",
            Skip::TooShort => "shorter than --min-duration",
            Skip::NoDate => "no recording date",
            Skip::OutsideDates => "outside --from/--to",
            Skip::Reviewed => "already reviewed",
            Skip::NoAnalysis => "no analysis stored: run callqa index",
        }
    }
}

/// Why `call` cannot be drawn, or `None` when it can.
pub fn skip_reason(call: &SampleCall, filter: &SampleFilter, stratify: Stratify) -> Option<Skip> {
    let d = call.duration_s;
    if !(d.is_finite() && d > 0.0) || call.sample_rate == 0 || call.channels == 0 {
        return Some(Skip::Broken);
    }
    if call.agent.as_deref().is_none_or(|a| a.trim().is_empty()) {
        return Some(Skip::UnknownAgent);
    }
    if d < filter.min_duration_s {
        return Some(Skip::TooShort);
    }
    if filter.from.is_some() || filter.to.is_some() {
        let Some(day) = call.recorded_at.as_deref().and_then(|r| r.get(..10)) else {
            return Some(Skip::NoDate);
        };
        let before = filter.from.as_deref().is_some_and(|f| day < f);
        let after = filter.to.as_deref().is_some_and(|t| day > t);
        if before || after {
            return Some(Skip::OutsideDates);
        }
    }
    if filter.exclude_reviewed && call.reviewed {
        return Some(Skip::Reviewed);
    }
    if stratify == Stratify::Overtalk && !call.overtalk_per_min.is_some_and(f64::is_finite) {
        return Some(Skip::NoAnalysis);
    }
    None
}

/// One drawn call.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pick {
    pub call_id: i64,
    pub hash: String,
    pub agent: String,
    pub recorded_at: Option<String>,
    pub duration_s: f64,
    /// The stratum it was drawn from (0 = the shortest / the least overtalk per minute), of
    /// `strata`.
    pub stratum: usize,
    pub strata: usize,
    /// Set by [`assign`].
    pub reviewer: Option<String>,
}

/// Per agent: calls eligible and calls drawn.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AgentCount {
    pub agent: String,
    pub eligible: usize,
    pub picked: usize,
}

/// A drawn sample, in queue order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sample {
    pub picks: Vec<Pick>,
    pub agents: Vec<AgentCount>,
    /// Calls not eligible, by reason.
    pub skipped: BTreeMap<Skip, usize>,
}

/// Draws `per_agent` calls per agent from `calls` (see the module docs).
pub fn sample(
    calls: &[SampleCall],
    filter: &SampleFilter,
    per_agent: usize,
    stratify: Stratify,
    seed: u64,
) -> Sample {
    let mut skipped = BTreeMap::new();
    let mut by_agent: BTreeMap<&str, Vec<&SampleCall>> = BTreeMap::new();
    for c in calls {
        match skip_reason(c, filter, stratify) {
            Some(why) => *skipped.entry(why).or_insert(0) += 1,
            None => by_agent.entry(c.agent.as_deref().unwrap_or_default().trim()).or_default().push(c),
        }
    }
    let mut picks = Vec::new();
    let mut agents = Vec::new();
    for (agent, mut list) in by_agent {
        list.sort_by(|a, b| a.hash.cmp(&b.hash).then(a.call_id.cmp(&b.call_id)));
        let mut rng = SplitMix64::new(seed ^ fnv1a(agent.as_bytes()));
        let n = list.len();
        let k = per_agent.min(n);
        let chosen: Vec<(&SampleCall, usize)> = match stratify {
            Stratify::None if k == n => list.into_iter().map(|c| (c, 0)).collect(),
            Stratify::None => {
                for i in 0..k {
                    let j = i + rng.below((n - i) as u64) as usize;
                    list.swap(i, j);
                }
                list.into_iter().take(k).map(|c| (c, 0)).collect()
            }
            Stratify::Duration | Stratify::Overtalk => {
                let key = |c: &SampleCall| strat_key(c, stratify);
                list.sort_by(|a, b| key(a).total_cmp(&key(b)).then(a.hash.cmp(&b.hash)));
                // k == n: every call is its own bin (all of them).
                (0..k)
                    .filter_map(|b| {
                        let (lo, hi) = (b * n / k, (b + 1) * n / k);
                        let i = lo + rng.below((hi - lo) as u64) as usize;
                        list.get(i).map(|c| (*c, b))
                    })
                    .collect()
            }
        };
        let strata = if stratify == Stratify::None { 1 } else { k };
        agents.push(AgentCount { agent: agent.to_string(), eligible: n, picked: chosen.len() });
        picks.extend(chosen.into_iter().map(|(c, stratum)| Pick {
            call_id: c.call_id,
            hash: c.hash.clone(),
            agent: agent.to_string(),
            recorded_at: c.recorded_at.clone(),
            duration_s: c.duration_s,
            stratum,
            strata,
            reviewer: None,
        }));
    }
    picks.sort_by(|a, b| match (&a.recorded_at, &b.recorded_at) {
        (Some(x), Some(y)) => x.cmp(y).then(a.hash.cmp(&b.hash)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.hash.cmp(&b.hash),
    });
    Sample { picks, agents, skipped }
}

fn strat_key(c: &SampleCall, stratify: Stratify) -> f64 {
    match stratify {
        Stratify::Overtalk => c.overtalk_per_min.unwrap_or(0.0),
        Stratify::Duration | Stratify::None => c.duration_s,
    }
}

/// A reviewer's share of a sample.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReviewerLoad {
    pub reviewer: String,
    pub calls: usize,
    pub total_s: f64,
}

/// Gives each pick a reviewer: longest call first, to the reviewer with the least total
/// duration so far (ties: fewer calls, then the order given). Duplicate and empty names are
/// dropped; with no reviewers nothing is assigned. Returns each reviewer's load, in the order
/// given.
pub fn assign(picks: &mut [Pick], reviewers: &[String]) -> Vec<ReviewerLoad> {
    let mut names: Vec<&str> = Vec::new();
    for r in reviewers.iter().map(|r| r.trim()).filter(|r| !r.is_empty()) {
        if !names.contains(&r) {
            names.push(r);
        }
    }
    let mut load: Vec<ReviewerLoad> =
        names.iter().map(|r| ReviewerLoad { reviewer: (*r).to_string(), calls: 0, total_s: 0.0 }).collect();
    if load.is_empty() {
        return load;
    }
    let mut order: Vec<usize> = (0..picks.len()).collect();
    order.sort_by(|&a, &b| {
        let (pa, pb) = (&picks[a], &picks[b]);
        pb.duration_s.total_cmp(&pa.duration_s).then(pa.hash.cmp(&pb.hash))
    });
    for i in order {
        let Some((best, _)) = load.iter().enumerate().min_by(|(ia, a), (ib, b)| {
            a.total_s.total_cmp(&b.total_s).then(a.calls.cmp(&b.calls)).then(ia.cmp(ib))
        }) else {
            break;
        };
        if let (Some(l), Some(p)) = (load.get_mut(best), picks.get_mut(i)) {
            l.calls += 1;
            l.total_s += p.duration_s;
            p.reviewer = Some(l.reviewer.clone());
        }
    }
    load
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn call(id: i64, agent: &str, duration_s: f64) -> SampleCall {
        SampleCall {
            call_id: id,
            hash: format!("{:016x}", fnv1a(format!("call {id}").as_bytes())),
            agent: Some(agent.to_string()),
            recorded_at: Some(format!("2024-06-{:02} 10:00:00", 1 + id % 28)),
            duration_s,
            sample_rate: 8000,
            channels: 2,
            reviewed: false,
            overtalk_per_min: None,
        }
    }

    /// One agent, 100 calls: 70 short (10–40 s, hang-ups and quick questions), 30 long
    /// (200–900 s).
    fn skewed_library(agent: &str, first_id: i64) -> Vec<SampleCall> {
        (0..100)
            .map(|i| {
                let d = if i % 10 < 7 {
                    10.0 + (i as f64 * 7.3) % 30.0
                } else {
                    200.0 + (i as f64 * 53.1) % 700.0
                };
                call(first_id + i, agent, d)
            })
            .collect()
    }

    fn ids(s: &Sample) -> Vec<i64> {
        s.picks.iter().map(|p| p.call_id).collect()
    }

    #[test]
    fn splitmix64_matches_the_reference_stream() {
        // Vigna's splitmix64.c seeded with 1234567.
        let mut r = SplitMix64::new(1_234_567);
        let got: Vec<u64> = (0..5).map(|_| r.next_u64()).collect();
        assert_eq!(
            got,
            [
                6_457_827_717_110_365_317,
                3_203_168_211_198_807_973,
                9_817_491_932_198_370_423,
                4_593_380_528_125_082_431,
                16_408_922_859_458_223_821
            ]
        );
    }

    #[test]
    fn same_seed_same_calls_other_seed_other_calls() {
        let mut lib = skewed_library("Meena", 0);
        lib.extend(skewed_library("Ravi", 1000));
        let f = SampleFilter::default();
        for stratify in [Stratify::Duration, Stratify::None] {
            let a = sample(&lib, &f, 5, stratify, 42);
            assert_eq!(a, sample(&lib, &f, 5, stratify, 42), "same seed, same sample");
            assert_eq!(a.picks.len(), 10);
            // Row order does not matter (the canonical order is the content hash).
            let mut shuffled = lib.clone();
            shuffled.reverse();
            assert_eq!(ids(&a), ids(&sample(&shuffled, &f, 5, stratify, 42)));
            // Another seed gives another sample (for every one of 50 seeds).
            for s in 0..50u64 {
                assert_ne!(ids(&a), ids(&sample(&lib, &f, 5, stratify, 1000 + s)), "seed {s}");
            }
            // Another agent's calls do not change Meena's picks.
            let meena = |s: &Sample| {
                s.picks.iter().filter(|p| p.agent == "Meena").map(|p| p.call_id).collect::<Vec<_>>()
            };
            assert_eq!(meena(&a), meena(&sample(&lib[..100], &f, 5, stratify, 42)));
        }
        // A fixed answer: the procedure (ALGORITHM) must not drift.
        let golden = sample(&skewed_library("Meena", 0), &f, 4, Stratify::Duration, 7);
        let mut got = ids(&golden);
        got.sort_unstable();
        assert_eq!(got, [33, 43, 49, 86]);
        let strata: Vec<usize> = golden
            .picks
            .iter()
            .map(|p| p.stratum)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        assert_eq!(strata, vec![0, 1, 2, 3]);
    }

    /// The statistical test. One agent, 100 calls (70 short, 30 long), N = 10, 4,000 seeds.
    /// - Stratified by duration: every sample holds exactly 7 short and 3 long calls (each
    ///   decile bin gives one call), and within a bin every call is equally likely: the
    ///   4,000 × 10 draws pass a chi-square test of uniformity at p = 0.001 (90 degrees of
    ///   freedom: χ² < 137.2), and each call's count is within 5 σ of 400 (σ = √(4000·0.1·0.9)
    ///   ≈ 19).
    /// - Unstratified, for comparison: the short share is right on average (0.70 ± 0.01,
    ///   about 4.5 σ of the mean over 4,000 samples) but swings from sample to sample (the
    ///   lowest and highest shares over the seeds are at least 0.4 apart), which is what
    ///   stratifying removes.
    #[test]
    fn stratified_by_duration_over_many_seeds() {
        let lib = skewed_library("Meena", 0);
        let f = SampleFilter::default();
        let short = |id: i64| lib.iter().find(|c| c.call_id == id).unwrap().duration_s < 100.0;
        const SEEDS: u64 = 4000;
        let mut count: BTreeMap<i64, u64> = BTreeMap::new();
        for seed in 0..SEEDS {
            let s = sample(&lib, &f, 10, Stratify::Duration, seed);
            assert_eq!(s.picks.len(), 10);
            let shorts = s.picks.iter().filter(|p| short(p.call_id)).count();
            assert_eq!(shorts, 7, "seed {seed}: 7 short calls of 10, every time");
            let mut strata: Vec<usize> = s.picks.iter().map(|p| p.stratum).collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..10).collect::<Vec<_>>(), "one call per bin");
            for p in &s.picks {
                *count.entry(p.call_id).or_insert(0) += 1;
            }
        }
        assert_eq!(count.len(), 100, "every call can be drawn");
        let expected = SEEDS as f64 / 10.0;
        let sigma = (SEEDS as f64 * 0.1 * 0.9).sqrt();
        let mut chi2 = 0.0;
        for (id, n) in &count {
            let dev = *n as f64 - expected;
            assert!(
                dev.abs() < 5.0 * sigma,
                "call {id}: drawn {n} times, expected {expected} ± {:.0}",
                5.0 * sigma
            );
            chi2 += dev * dev / expected;
        }
        assert!(chi2 < 137.2, "chi-square {chi2:.1} ≥ 137.2 (p = 0.001, 90 df)");

        let shares: Vec<f64> = (0..SEEDS)
            .map(|seed| {
                let s = sample(&lib, &f, 10, Stratify::None, seed);
                s.picks.iter().filter(|p| short(p.call_id)).count() as f64 / 10.0
            })
            .collect();
        let mean = shares.iter().sum::<f64>() / shares.len() as f64;
        assert!((mean - 0.7).abs() < 0.01, "unstratified mean short share {mean:.3}");
        let (lo, hi) = shares.iter().fold((1.0f64, 0.0f64), |(l, h), s| (l.min(*s), h.max(*s)));
        assert!(hi - lo >= 0.4, "unstratified shares {lo}–{hi}: expected them to swing");
    }

    #[test]
    fn skips_broken_unknown_short_undated_and_reviewed_calls() {
        let mut lib = vec![call(1, "Meena", 60.0), call(2, "Meena", 0.0), call(3, "Meena", 5.0)];
        lib.push(SampleCall { agent: None, ..call(4, "x", 60.0) });
        lib.push(SampleCall { agent: Some("  ".into()), ..call(5, "x", 60.0) });
        lib.push(SampleCall { recorded_at: None, ..call(6, "Meena", 60.0) });
        lib.push(SampleCall { reviewed: true, ..call(7, "Meena", 60.0) });
        lib.push(SampleCall { sample_rate: 0, ..call(8, "Meena", 60.0) });
        lib.push(SampleCall { duration_s: f64::NAN, ..call(9, "Meena", 60.0) });
        lib.push(SampleCall { recorded_at: Some("2024-07-01 10:00:00".into()), ..call(10, "Meena", 60.0) });
        let f = SampleFilter {
            from: Some("2024-06-01".into()),
            to: Some("2024-06-30".into()),
            min_duration_s: 10.0,
            exclude_reviewed: true,
        };
        let s = sample(&lib, &f, 10, Stratify::Duration, 1);
        assert_eq!(ids(&s), vec![1]);
        let want: BTreeMap<Skip, usize> = [
            (Skip::Broken, 3),
            (Skip::TooShort, 1),
            (Skip::UnknownAgent, 2),
            (Skip::NoDate, 1),
            (Skip::Reviewed, 1),
            (Skip::OutsideDates, 1),
        ]
        .into();
        assert_eq!(s.skipped, want);
        // Without dates and reviews asked about, those calls count.
        let s = sample(&lib, &SampleFilter::default(), 10, Stratify::Duration, 1);
        assert_eq!(s.picks.len(), 5);
        // Overtalk needs its figures.
        assert_eq!(sample(&lib, &SampleFilter::default(), 10, Stratify::Overtalk, 1).picks.len(), 0);
    }

    /// By overtalk rate: 40 calls, 30 calm (0–1 overtalks a minute) and 10 heated (5–9), N = 4:
    /// every sample holds exactly 3 calm calls and 1 heated one, one per rate bin, whatever
    /// the durations; the same seed gives the same calls.
    #[test]
    fn stratified_by_overtalk_rate() {
        let lib: Vec<SampleCall> = (0..40)
            .map(|i| {
                let rate = if i % 4 == 3 { 5.0 + (i % 5) as f64 } else { (i % 3) as f64 * 0.5 };
                SampleCall { overtalk_per_min: Some(rate), ..call(i, "Meena", 30.0 + (i * 17 % 50) as f64) }
            })
            .collect();
        let heated = |id: i64| lib.iter().any(|c| c.call_id == id && c.overtalk_per_min > Some(4.0));
        let f = SampleFilter::default();
        for seed in 0..200 {
            let s = sample(&lib, &f, 4, Stratify::Overtalk, seed);
            assert_eq!(s.picks.len(), 4);
            assert_eq!(s.picks.iter().filter(|p| heated(p.call_id)).count(), 1, "seed {seed}");
            let mut strata: Vec<usize> = s.picks.iter().map(|p| p.stratum).collect();
            strata.sort_unstable();
            assert_eq!(strata, [0, 1, 2, 3]);
            assert_eq!(s, sample(&lib, &f, 4, Stratify::Overtalk, seed));
        }
        // A call without a stored analysis is skipped, and said why.
        let mut some = lib.clone();
        some[0].overtalk_per_min = None;
        let s = sample(&some, &f, 4, Stratify::Overtalk, 1);
        assert_eq!(s.skipped.get(&Skip::NoAnalysis), Some(&1));
        assert_eq!(Skip::NoAnalysis.describe(), "no analysis stored: run callqa index");
    }

    #[test]
    fn assignment_is_balanced_by_duration() {
        let mut lib = skewed_library("Meena", 0);
        lib.extend(skewed_library("Ravi", 1000));
        lib.extend(skewed_library("Asha", 2000));
        let reviewers: Vec<String> = ["Priya", "Sunita", "Karan", "Priya", " "].map(String::from).to_vec();
        for seed in 0..200 {
            let mut s = sample(&lib, &SampleFilter::default(), 10, Stratify::Duration, seed);
            let load = assign(&mut s.picks, &reviewers);
            assert_eq!(
                load.iter().map(|l| l.reviewer.as_str()).collect::<Vec<_>>(),
                ["Priya", "Sunita", "Karan"]
            );
            assert!(s.picks.iter().all(|p| p.reviewer.is_some()));
            assert_eq!(load.iter().map(|l| l.calls).sum::<usize>(), 30);
            let longest = s.picks.iter().map(|p| p.duration_s).fold(0.0, f64::max);
            let (lo, hi) =
                load.iter().fold((f64::MAX, 0.0f64), |(l, h), x| (l.min(x.total_s), h.max(x.total_s)));
            assert!(
                hi - lo <= longest + 1e-9,
                "seed {seed}: totals {lo:.0}–{hi:.0} s differ by more than the longest call ({longest:.0} s)"
            );
            // Greedy LPT is within 4/3 of the best possible maximum; the mean is a lower bound.
            let total: f64 = load.iter().map(|l| l.total_s).sum();
            assert!(hi <= (total / 3.0).max(longest) * 4.0 / 3.0 + 1e-9);
        }
        let mut none: Vec<Pick> = Vec::new();
        assert!(assign(&mut none, &[]).is_empty());
    }
}
