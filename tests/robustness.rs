//! Robustness of the analysis on lines that are not clean (issue 13): quiet headsets, line
//! noise, hum, clipping + DC, hybrid echo, G.711 / GSM round trips, random placements with
//! overtalk, and real human voices (Asterisk's recorded prompts, real music on hold).
//!
//! The corpus is generated, never committed: `scripts/robustness/make_robustness.py` (python3
//! with numpy, sox; the real-voice calls also need Debian's `asterisk-core-sounds-en-wav` and
//! `asterisk-moh-opsound-wav`). These tests generate its `--sample` (every condition on two
//! masters, two placed calls per family, one real-voice call per condition; ~5 s) into
//! `CARGO_TARGET_TMPDIR`; without python3 + numpy + sox they print why and pass without
//! checking anything. `CALLQA_ROBUST_DIR=DIR` (the whole corpus, generated with
//! `python3 scripts/robustness/make_robustness.py DIR`) is measured by the ignored
//! `whole_corpus_table` test: that is the table of `docs/robustness.md`.
//!
//! Tolerances (issue 13's goal), per call:
//! - talk time per side within ±3 % of the truth's utterance extents;
//! - dead air (≥ 2 s): every span found with both edges within 50 ms, none invented;
//! - overtalk: matched one-to-one at IoU ≥ 0.5 (as `analysis_corpus`), F1 ≥ 0.95 over the
//!   condition's calls, and the interrupter (`started_by`) right on every matched span; true
//!   overtalk shorter than 0.2 s (callqa's `min_overtalk_s`: a turn exchange, not an
//!   interruption; 16 of the whole corpus' 402, placement artefacts of 1-190 ms) is not scored;
//! - hold: ≥ 90 % of each true hold reported as hold on its channel, none of it as dead air, and
//!   no hold invented (more than 0.1 s outside the truth).
//!
//! Confidence (`analysis::confidence`): clean lines high on both sides, the conditions that miss
//! the goal because of the line not high on the affected side, and how well "low" predicts a
//! talk time off by > 10 % (`confidence_follows_the_line`, the table in docs/robustness.md); the
//! development corpus all high.
//!
//! Conditions that miss the goal today are not hidden: `every_condition_meets_the_goal` is
//! ignored with the measured figures in its reason, and `known_gaps_do_not_get_worse` holds the
//! failing conditions to today's measured level (so a fix shows up as a change there).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

mod truth_common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use callqa::analysis::{Analysis, ChannelConfidence, Config, Level};
use callqa::model::{Span, Speaker};
use truth_common::{Truth, iou, overlap, truth};

const EDGE_S: f64 = 0.05;
const TALK_REL: f64 = 0.03;
const HOLD_COVER: f64 = 0.90;
const MIN_IOU: f64 = 0.5;
const MIN_F1: f64 = 0.95;

/// Decodes and analyses a file the way the window and the CLI do (the one shared stream).
fn analyse(path: &Path) -> Analysis {
    callqa::jobs::stream::analyse_file(path, Config::default(), Default::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .1
}

/// The generated sample, once per test binary; `None` (with the reason printed) when the
/// generator cannot run here.
fn sample_dir() -> Option<&'static Path> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/robustness/make_robustness.py");
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("robustness_sample");
        let have = |cmd: &str, args: &[&str]| Command::new(cmd).args(args).output().is_ok_and(|o| o.status.success());
        if !have("python3", &["-c", "import numpy"]) || !have("sox", &["--version"]) {
            let why = "the robustness sample needs python3 with numpy and sox (pip install numpy; apt-get install sox libsox-fmt-all)";
            // `make test` (and CI) installs them and sets this: there a missing tool is a failure.
            assert!(std::env::var_os("CALLQA_REQUIRE_ROBUST").is_none(), "{why}");
            println!("SKIPPED: {why}");
            return None;
        }
        let _ = std::fs::remove_dir_all(&out);
        let st = Command::new("python3").arg(&script).arg(&out).arg("--sample").status().unwrap();
        assert!(st.success(), "make_robustness.py --sample failed");
        Some(out)
    })
    .as_deref()
}

/// (file stem, condition) from the corpus' manifest.
fn manifest(dir: &Path) -> Vec<(String, String)> {
    std::fs::read_to_string(dir.join("manifest.tsv"))
        .unwrap()
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some((f.next()?.to_string(), f.next()?.to_string()))
        })
        .collect()
}

/// The figures of one condition (summed or worst over its calls).
#[derive(Default, Clone, Debug)]
struct Score {
    calls: usize,
    /// Worst signed relative talk error per side (largest magnitude), and the mean magnitude.
    talk_worst: [f64; 2],
    talk_abs_sum: [f64; 2],
    /// The same against the utterances' audible extents (diagnostic, not the goal).
    audible_worst: [f64; 2],
    /// Dead air against the audible extents (gaps ≥ 2 s between them and hold music): true,
    /// found (both edges within 50 ms), invented (diagnostic, not the goal).
    sil_aud_true: usize,
    sil_aud_found: usize,
    sil_aud_invented: usize,
    sil_true: usize,
    sil_found: usize,
    sil_invented: usize,
    sil_worst_edge: f64,
    ot_true: usize,
    ot_tp: usize,
    ot_fp: usize,
    ot_wrong_by: usize,
    /// Lowest hold cover (1 when there is no hold).
    hold_cover_min: f64,
    hold_true: usize,
    hold_as_silence_s: f64,
    hold_invented_s: f64,
    /// Sentence splits of overtalk (one overtalk ends and the next, started by the other side,
    /// begins within `SPLIT_GAP_S`): true ones, found ones (within `SPLIT_TOL_S`), false ones.
    split_true: usize,
    split_found: usize,
    split_false: usize,
    notes: Vec<String>,
    /// Per call: its name, the signed relative talk error per side, and the confidence.
    confidence: Vec<(String, [f64; 2], Vec<ChannelConfidence>)>,
}

/// The gaps of at least `min_s` in `[0, duration_s)` covered by none of `busy` (the test's own,
/// not the analysis' `evidence::silence`: the truth side is computed independently).
fn gaps(mut busy: Vec<Span>, duration_s: f64, min_s: f64) -> Vec<Span> {
    busy.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
    let (mut out, mut cursor) = (Vec::new(), 0.0f64);
    for s in busy.iter().chain(std::iter::once(&Span::new(duration_s, duration_s))) {
        if s.start_s - cursor >= min_s {
            out.push(Span::new(cursor, s.start_s.min(duration_s)));
        }
        cursor = cursor.max(s.end_s);
    }
    out
}

/// Two overtalk spans this close, with different interrupters, are one sentence split.
const SPLIT_GAP_S: f64 = 0.35;
/// A found split matches a true one when their midpoints are this close.
const SPLIT_TOL_S: f64 = 0.15;

/// Midpoints of the sentence splits in a sorted overtalk list.
fn splits(ot: &[(Span, Speaker)]) -> Vec<f64> {
    let mut v: Vec<&(Span, Speaker)> = ot.iter().collect();
    v.sort_by(|a, b| a.0.start_s.total_cmp(&b.0.start_s));
    v.windows(2)
        .filter(|w| w[1].0.start_s - w[0].0.end_s <= SPLIT_GAP_S && w[0].1 != w[1].1)
        .map(|w| 0.5 * (w[0].0.end_s + w[1].0.start_s))
        .collect()
}

impl Score {
    fn f1(&self) -> f64 {
        let (tp, fp, fn_) = (self.ot_tp, self.ot_fp, self.ot_true - self.ot_tp);
        if tp + fp + fn_ == 0 { 1.0 } else { 2.0 * tp as f64 / (2 * tp + fp + fn_) as f64 }
    }
    fn talk_ok(&self) -> bool {
        self.talk_worst.iter().all(|r| r.abs() <= TALK_REL)
    }
    fn silence_ok(&self) -> bool {
        self.sil_found == self.sil_true && self.sil_invented == 0
    }
    fn overtalk_ok(&self) -> bool {
        self.f1() >= MIN_F1 && self.ot_wrong_by == 0
    }
    fn hold_ok(&self) -> bool {
        self.hold_cover_min >= HOLD_COVER && self.hold_as_silence_s <= EDGE_S && self.hold_invented_s <= 0.1
    }
    fn ok(&self) -> bool {
        self.talk_ok() && self.silence_ok() && self.overtalk_ok() && self.hold_ok()
    }
    /// What misses the goal, in words.
    fn misses(&self) -> String {
        let mut m = Vec::new();
        if !self.talk_ok() {
            m.push(format!(
                "talk {:+.1} % / {:+.1} %",
                100.0 * self.talk_worst[0],
                100.0 * self.talk_worst[1]
            ));
        }
        if !self.silence_ok() {
            m.push(format!("dead air {}/{} +{} invented", self.sil_found, self.sil_true, self.sil_invented));
        }
        if !self.overtalk_ok() {
            m.push(format!("overtalk F1 {:.2}, {} interrupter wrong", self.f1(), self.ot_wrong_by));
        }
        if !self.hold_ok() {
            m.push(format!(
                "hold {:.0} %, {:.1} s as dead air, {:.1} s invented",
                100.0 * self.hold_cover_min,
                self.hold_as_silence_s,
                self.hold_invented_s
            ));
        }
        m.join("; ")
    }

    fn add_call(&mut self, name: &str, a: &Analysis, t: &Truth) {
        self.calls += 1;
        let talk = [a.metrics.talk_time_agent_s, a.metrics.talk_time_customer_s];
        let mut rels = [0.0; 2];
        for ((((got, want), worst), sum), r) in
            talk.iter().zip(t.talk_s).zip(&mut self.talk_worst).zip(&mut self.talk_abs_sum).zip(&mut rels)
        {
            let rel = if want > 0.0 { (got - want) / want } else { *got };
            if rel.abs() > worst.abs() {
                *worst = rel;
            }
            *sum += rel.abs();
            *r = rel;
        }
        for ((got, want), worst) in talk.iter().zip(t.audible_s).zip(&mut self.audible_worst) {
            let rel = if want > 0.0 { (got - want) / want } else { *got };
            if rel.abs() > worst.abs() {
                *worst = rel;
            }
        }
        self.confidence.push((name.to_string(), rels, a.confidence.clone()));
        // Dead air against the audible extents.
        let busy: Vec<Span> = t.audible.iter().flatten().copied().chain(t.hold.iter().map(|h| h.0)).collect();
        let audible_silence = gaps(busy, t.duration_s, 2.0);
        let mut used = vec![false; a.silence.len()];
        self.sil_aud_true += audible_silence.len();
        for s in &audible_silence {
            if let Some(j) = (0..a.silence.len()).find(|&j| {
                !used[j]
                    && (a.silence[j].start_s - s.start_s).abs() <= EDGE_S
                    && (a.silence[j].end_s - s.end_s).abs() <= EDGE_S
            }) {
                used[j] = true;
                self.sil_aud_found += 1;
            }
        }
        self.sil_aud_invented += used.iter().filter(|u| !**u).count();
        // Dead air: one-to-one, both edges within 50 ms.
        let mut used = vec![false; a.silence.len()];
        self.sil_true += t.silence.len();
        for s in &t.silence {
            let hit = a.silence.iter().enumerate().find(|(j, g)| {
                !used[*j] && (g.start_s - s.start_s).abs() <= EDGE_S && (g.end_s - s.end_s).abs() <= EDGE_S
            });
            if let Some((j, g)) = hit {
                used[j] = true;
                self.sil_found += 1;
                self.sil_worst_edge =
                    self.sil_worst_edge.max((g.start_s - s.start_s).abs()).max((g.end_s - s.end_s).abs());
            } else {
                self.notes.push(format!("{name}: dead air {:.3}-{:.3} not found", s.start_s, s.end_s));
            }
        }
        for (g, _) in a.silence.iter().zip(&used).filter(|(_, u)| !**u) {
            self.sil_invented += 1;
            self.notes.push(format!("{name}: dead air invented {:.3}-{:.3}", g.start_s, g.end_s));
        }
        // Overtalk: one-to-one by IoU ≥ 0.5, best first; true overtalk shorter than callqa's
        // shortest (`Config::min_overtalk_s`, 0.2 s) is not scored.
        let truth_ot: Vec<(Span, Speaker)> = t
            .overtalk
            .iter()
            .filter(|o| o.0.end_s - o.0.start_s >= Config::default().min_overtalk_s)
            .cloned()
            .collect();
        let got: Vec<(Span, Speaker)> =
            a.overtalk.iter().map(|o| (Span::new(o.start_s, o.end_s), o.started_by)).collect();
        let mut pairs = Vec::new();
        for (i, tr) in truth_ot.iter().enumerate() {
            for (j, g) in got.iter().enumerate() {
                let v = iou(&tr.0, &g.0);
                if v >= MIN_IOU {
                    pairs.push((v, i, j));
                }
            }
        }
        pairs.sort_by(|x, y| y.0.total_cmp(&x.0));
        let (mut ut, mut ug) = (vec![false; truth_ot.len()], vec![false; got.len()]);
        let mut tp = 0;
        for (_, i, j) in pairs {
            if ut[i] || ug[j] {
                continue;
            }
            ut[i] = true;
            ug[j] = true;
            tp += 1;
            if truth_ot[i].1 != got[j].1 {
                self.ot_wrong_by += 1;
                self.notes.push(format!(
                    "{name}: overtalk {:.3}-{:.3} interrupter wrong",
                    got[j].0.start_s, got[j].0.end_s
                ));
            }
        }
        for (tr, _) in truth_ot.iter().zip(&ut).filter(|(_, u)| !**u) {
            self.notes
                .push(format!("{name}: overtalk missed {:.3}-{:.3} ({:?})", tr.0.start_s, tr.0.end_s, tr.1));
        }
        for (g, _) in got.iter().zip(&ug).filter(|(_, u)| !**u) {
            self.notes
                .push(format!("{name}: overtalk invented {:.3}-{:.3} ({:?})", g.0.start_s, g.0.end_s, g.1));
        }
        let (ts, gs) = (splits(&truth_ot), splits(&got));
        let mut used = vec![false; gs.len()];
        for x in &ts {
            if let Some(j) = (0..gs.len()).find(|&j| !used[j] && (gs[j] - x).abs() <= SPLIT_TOL_S) {
                used[j] = true;
                self.split_found += 1;
            }
        }
        self.split_true += ts.len();
        self.split_false += used.iter().filter(|u| !**u).count();
        self.ot_true += truth_ot.len();
        self.ot_tp += tp;
        self.ot_fp += got.len() - tp;
        // Hold.
        if self.calls == 1 {
            self.hold_cover_min = 1.0;
        }
        for (h, ch) in &t.hold {
            self.hold_true += 1;
            let on: Vec<Span> =
                a.hold.iter().filter(|g| g.channel == *ch).map(|g| Span::new(g.start_s, g.end_s)).collect();
            let cover = overlap(&on, h) / h.duration_s();
            self.hold_cover_min = self.hold_cover_min.min(cover);
            self.hold_as_silence_s += overlap(&a.silence, h);
        }
        for g in &a.hold {
            let gs = Span::new(g.start_s, g.end_s);
            let true_part: f64 = t
                .hold
                .iter()
                .filter(|(_, c)| *c == g.channel)
                .map(|(h, _)| gs.intersect(h).map_or(0.0, |x| x.duration_s()))
                .sum();
            self.hold_invented_s += (gs.duration_s() - true_part).max(0.0);
        }
    }
}

/// Analyses every call of `dir`'s manifest; scores per condition (in the manifest's order).
fn score(dir: &Path) -> Vec<(String, Score)> {
    let mut order = Vec::new();
    let mut by: BTreeMap<String, Score> = BTreeMap::new();
    for (stem, cond) in manifest(dir) {
        let a = analyse(&dir.join(format!("{stem}.wav")));
        let t = truth(&dir.join(format!("{stem}.json")));
        if !by.contains_key(&cond) {
            order.push(cond.clone());
        }
        by.entry(cond).or_default().add_call(&stem, &a, &t);
    }
    order
        .into_iter()
        .map(|c| {
            let s = by.remove(&c).unwrap();
            (c, s)
        })
        .collect()
}

fn table(scores: &[(String, Score)]) {
    println!(
        "| condition | calls | talk agent worst (mean) | talk customer worst (mean) | talk vs audible truth, worst agent / customer | dead air found/true, invented, worst edge | dead air vs audible truth | overtalk found/true, invented, F1, interrupter wrong | sentence splits found/true, false | hold cover (min), as dead air | goal |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for (c, s) in scores {
        let n = s.calls.max(1) as f64;
        println!(
            "| {c} | {} | {:+.1} % ({:.1} %) | {:+.1} % ({:.1} %) | {:+.1} % / {:+.1} % | {}/{}, {}, {:.0} ms | {}/{}, {} | {}/{}, {}, {:.3}, {} | {}/{}, {} | {} | {} |",
            s.calls,
            100.0 * s.talk_worst[0],
            100.0 * s.talk_abs_sum[0] / n,
            100.0 * s.talk_worst[1],
            100.0 * s.talk_abs_sum[1] / n,
            100.0 * s.audible_worst[0],
            100.0 * s.audible_worst[1],
            s.sil_found,
            s.sil_true,
            s.sil_invented,
            1000.0 * s.sil_worst_edge,
            s.sil_aud_found,
            s.sil_aud_true,
            s.sil_aud_invented,
            s.ot_tp,
            s.ot_true,
            s.ot_fp,
            s.f1(),
            s.ot_wrong_by,
            s.split_found,
            s.split_true,
            s.split_false,
            if s.hold_true == 0 && s.hold_invented_s == 0.0 {
                "–".to_string()
            } else {
                format!(
                    "{:.0} %, {:.1} s (invented {:.1} s)",
                    100.0 * s.hold_cover_min,
                    s.hold_as_silence_s,
                    s.hold_invented_s
                )
            },
            if s.ok() { "**met**".to_string() } else { format!("missed: {}", s.misses()) }
        );
    }
}

/// The conditions that meet the goal on the sample today.
const MEETS_GOAL: &[&str] = &[
    "clean",
    "agent_m10",
    "agent_m20",
    "agent_m30",
    "noise_m50",
    "noise_m42",
    "noise_m36",
    "hum_m40",
    "clip_dc",
    "echo",
    "g711",
    "agent_m20_g711",
    "placed",
    "real",
];

/// The conditions that miss the goal, held to the level measured on the sample (docs/robustness.md):
/// (condition, worst |talk error| agent %, customer %, dead air found ≥, invented ≤, overtalk F1 ≥,
/// hold cover ≥). Checked with a margin (talk +2 points, invented +1, F1 and hold −0.05): a
/// change that makes a gap worse fails; one that closes it belongs in `MEETS_GOAL`.
const KNOWN_GAPS: &[(&str, f64, f64, usize, usize, f64, f64)] = &[
    ("gsm", 0.0, 0.1, 1, 0, 1.0, 1.0),
    ("agent_m18_noise_m42", 4.4, 0.0, 2, 0, 1.0, 1.0),
    ("placed_backtoback", 0.8, 0.4, 1, 0, 0.800, 1.0),
    ("placed_agent_m20_noise_m50", 6.5, 0.4, 1, 0, 0.759, 1.0),
    ("real_agent_m20_noise_m54", 6.3, 1.7, 4, 1, 1.0, 1.0),
    ("real_agent_m30", 12.8, 1.6, 2, 3, 0.769, 1.0),
    ("real_noise_m42", 1.4, 2.1, 4, 1, 1.0, 1.0),
    ("real_backtoback", 1.5, 1.5, 2, 0, 0.857, 1.0),
];

fn sample_scores() -> Option<&'static [(String, Score)]> {
    static S: OnceLock<Option<Vec<(String, Score)>>> = OnceLock::new();
    S.get_or_init(|| {
        let dir = sample_dir()?;
        let s = score(dir);
        table(&s);
        Some(s)
    })
    .as_deref()
}

#[test]
fn conditions_that_met_the_goal_still_do() {
    let Some(scores) = sample_scores() else { return };
    let mut fails = Vec::new();
    for (c, s) in scores.iter().filter(|(c, _)| MEETS_GOAL.contains(&c.as_str())) {
        if !s.ok() {
            fails.push(format!("{c}: {} ({:?})", s.misses(), s.notes));
        }
    }
    assert!(fails.is_empty(), "{}", fails.join("\n"));
}

#[test]
fn known_gaps_do_not_get_worse() {
    let Some(scores) = sample_scores() else { return };
    let mut fails = Vec::new();
    for &(c, ta, tc, found, invented, f1, hold) in KNOWN_GAPS {
        let Some((_, s)) = scores.iter().find(|(n, _)| n == c) else { continue };
        let talk = [100.0 * s.talk_worst[0].abs(), 100.0 * s.talk_worst[1].abs()];
        let worse = talk[0] > ta + 2.0
            || talk[1] > tc + 2.0
            || s.sil_found < found
            || s.sil_invented > invented + 1
            || s.f1() < f1 - 0.05
            || s.hold_cover_min < hold - 0.05;
        if worse {
            fails.push(format!("{c}: now {} (was talk {ta} % / {tc} %, dead air {found} found {invented} invented, F1 {f1}, hold {hold})", s.misses()));
        }
    }
    assert!(fails.is_empty(), "{}", fails.join("\n"));
}

#[test]
#[ignore = "issue 13's goal: 8 of 22 conditions miss it on the sample (placed, agent -20 dB on a -50 dBFS bed: agent talk -6.5 %, overtalk F1 0.76; real voices, agent -30 dB: -13 %; agent -18 dB in -42 dBFS noise: -4.4 %; back-to-back sentences: overtalk F1 0.80 (TTS) / 0.86 (real voices); figures in docs/robustness.md and KNOWN_GAPS)"]
fn every_condition_meets_the_goal() {
    let Some(scores) = sample_scores() else { return };
    let fails: Vec<String> =
        scores.iter().filter(|(_, s)| !s.ok()).map(|(c, s)| format!("{c}: {}", s.misses())).collect();
    assert!(fails.is_empty(), "{} conditions miss the goal:\n{}", fails.len(), fails.join("\n"));
}

/// `CALLQA_ROBUST_DIR=DIR cargo test --release --test robustness -- --ignored --nocapture whole_corpus_table`
#[test]
#[ignore = "measures the whole generated corpus: CALLQA_ROBUST_DIR=DIR (make_robustness.py DIR)"]
fn whole_corpus_table() {
    let Some(dir) = std::env::var_os("CALLQA_ROBUST_DIR").map(PathBuf::from) else {
        panic!("CALLQA_ROBUST_DIR is not set: python3 scripts/robustness/make_robustness.py DIR first")
    };
    let s = score(&dir);
    table(&s);
    for (c, sc) in &s {
        for n in &sc.notes {
            println!("  {c}: {n}");
        }
    }
}

/// Conditions on a clean line (levels, codecs, light clipping, echo, placements, real voices):
/// the confidence must be high on both sides.
const CLEAN_LINE: &[&str] = &[
    "clean",
    "agent_m10",
    "agent_m20",
    "agent_m30",
    "clip_dc",
    "echo",
    "g711",
    "gsm",
    "agent_m20_g711",
    "placed",
    "placed_backtoback",
    "real",
];

/// Conditions that miss the goal because of the line (docs/robustness.md): (condition, side, the
/// highest level allowed there). Noise ≥ −42 dBFS and hum: not high on either side; a quiet agent
/// in noise: low on the agent side.
const NOT_HIGH: &[(&str, usize, Level)] = &[
    ("noise_m42", 0, Level::Medium),
    ("noise_m42", 1, Level::Medium),
    ("noise_m36", 0, Level::Medium),
    ("noise_m36", 1, Level::Medium),
    ("hum_m40", 0, Level::Medium),
    ("hum_m40", 1, Level::Medium),
    ("agent_m18_noise_m42", 0, Level::Low),
    ("agent_m18_noise_m42", 1, Level::Medium),
    ("placed_agent_m20_noise_m50", 0, Level::Low),
    // (The agent's speech 11-12 dB over the noise, at the line between medium and low.)
    ("real_agent_m20_noise_m54", 0, Level::Medium),
    ("real_agent_m30", 0, Level::Low),
    ("real_noise_m42", 0, Level::Medium),
    ("real_noise_m42", 1, Level::Medium),
];

/// "Low" as a prediction of a talk-time error over `tol` (relative, per call and side):
/// (true positives, false positives, false negatives, true negatives).
fn confusion(scores: &[(String, Score)], tol: f64) -> [usize; 4] {
    let mut m = [0; 4];
    for (_, s) in scores {
        for (_, rels, conf) in &s.confidence {
            for (c, rel) in conf.iter().zip(rels) {
                let low = c.level == Level::Low;
                let off = rel.abs() > tol;
                m[match (low, off) {
                    (true, true) => 0,
                    (true, false) => 1,
                    (false, true) => 2,
                    (false, false) => 3,
                }] += 1;
            }
        }
    }
    m
}

/// The confusion tables (10 % and the goal's 3 %) as markdown; returns (precision, recall) at 10 %.
fn confusion_table(scores: &[(String, Score)]) -> (f64, f64) {
    let ratio = |a: usize, b: usize| if a + b == 0 { 1.0 } else { a as f64 / (a + b) as f64 };
    println!(
        "| talk error per call and side | sides | off, Low | off, not Low | within, Low | within, not Low | precision of Low | recall of Low |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let mut at10 = (0.0, 0.0);
    for tol in [0.10, TALK_REL] {
        let [tp, fp, fn_, tn] = confusion(scores, tol);
        let (p, r) = (ratio(tp, fp), ratio(tp, fn_));
        println!(
            "| off by > {:.0} % | {} | {tp} | {fn_} | {fp} | {tn} | {:.0} % | {:.0} % |",
            100.0 * tol,
            tp + fp + fn_ + tn,
            100.0 * p,
            100.0 * r
        );
        if tol == 0.10 {
            at10 = (p, r);
        }
    }
    at10
}

#[test]
fn confidence_follows_the_line() {
    let Some(scores) = sample_scores() else { return };
    confidence_rows(scores);
    let mut fails = Vec::new();
    for (cond, s) in scores {
        for (name, rels, conf) in &s.confidence {
            for (c, rel) in conf.iter().zip(rels) {
                let want = if CLEAN_LINE.contains(&cond.as_str()) {
                    Some(Level::High)
                } else {
                    NOT_HIGH.iter().find(|(n, side, _)| n == cond && *side == c.channel).map(|x| x.2)
                };
                let ok = match want {
                    Some(Level::High) => c.level == Level::High,
                    Some(most) => c.level <= most,
                    // Elsewhere: a gross error is never presented as highly confident.
                    None => rel.abs() <= 0.25 || c.level != Level::High,
                };
                if !ok {
                    fails.push(format!(
                        "{name} side {}: {:?} (want {want:?}), {:?}",
                        c.channel, c.level, c.reasons
                    ));
                }
            }
        }
    }
    let (precision, recall) = confusion_table(scores);
    assert!(fails.is_empty(), "{}", fails.join("\n"));
    // On the sample (docs/robustness.md): Low finds most sides whose talk time is off by > 10 %.
    assert!(recall >= 0.75, "recall of Low for a talk error > 10 %: {recall:.2} (precision {precision:.2})");
}

#[test]
fn the_development_corpus_is_high_confidence() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "wav")
                && p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("dev_"))
        })
        .collect();
    files.sort();
    assert!(files.len() >= 6, "{files:?}");
    let mut fails = Vec::new();
    for f in &files {
        for c in analyse(f).confidence {
            if c.level != Level::High || !c.reasons.is_empty() {
                fails.push(format!("{}: {c:?}", f.display()));
            }
        }
    }
    assert!(fails.is_empty(), "{}", fails.join("\n"));
}

/// Per call and side: condition, talk error, the confidence figures (for setting the rules).
fn confidence_rows(scores: &[(String, Score)]) {
    println!(
        "| call | side | talk error | level | speech over noise | under the threshold | hum | clipped | reasons |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for (_, s) in scores {
        for (name, rels, conf) in &s.confidence {
            for (c, rel) in conf.iter().zip(rels) {
                let st = c.stats;
                println!(
                    "| {name} | {} | {:+.1} % | {} | {} | {:.1} % | {:.2} | {:.3} % | {} |",
                    c.channel,
                    100.0 * rel,
                    c.level.label(),
                    st.snr_db.map_or("–".to_string(), |d| format!("{d:.1} dB ({:.0} s)", st.talk_s)),
                    100.0 * st.rest_band_s / st.rest_s.max(0.01),
                    st.hum,
                    100.0 * st.clipped,
                    c.reasons.join("; ")
                );
            }
        }
    }
}

/// `CALLQA_ROBUST_DIR=DIR cargo test --test robustness -- --ignored --nocapture whole_corpus_confidence`
#[test]
#[ignore = "the confidence figures over the whole generated corpus: CALLQA_ROBUST_DIR=DIR"]
fn whole_corpus_confidence() {
    let Some(dir) = std::env::var_os("CALLQA_ROBUST_DIR").map(PathBuf::from) else {
        panic!("CALLQA_ROBUST_DIR is not set: python3 scripts/robustness/make_robustness.py DIR first")
    };
    let s = score(&dir);
    confidence_rows(&s);
    confusion_table(&s);
}
