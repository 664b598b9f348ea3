//! Accuracy of the analysis against the corpus ground truth (`tests/fixtures/corpus/<call>.json`),
//! decoding through the real `WavReader`. Prints the figures per call.
//!
//! Tolerances (the brief's):
//! - talk time per side within 2 % of the ground truth's utterance extents;
//! - silence (≥ 2 s): every span found, none invented, both edges within 50 ms;
//! - hold music: ≥ 90 % of its length reported as hold on its channel, and none of it reported
//!   as silence (beyond the 50 ms edge tolerance);
//! - overtalk: a detected span matches a true one when their IoU (intersection over union) is
//!   ≥ 0.5, one-to-one, best IoU first; F1 over the six masters ≥ 0.95, and `started_by` right
//!   for every matched span;
//! - format variants: the same checks against their master's ground truth, and the same answers
//!   as the master (talk within 2 %, silence / hold / overtalk edges within 50 ms);
//! - mono mixes: talk time within 5 % of the union of both sides' utterances (a mix cannot tell
//!   a 0.4 s turn gap from a pause inside a sentence, both are bridged), silence as above.
//!
//! The 1-hour files (`make_long.sh`) are checked by the `#[ignore]`d `long_file_*` tests when
//! `CALLQA_LONG_DIR` points at them (scripts/bench.sh does).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

mod truth_common;

use std::path::{Path, PathBuf};

use callqa::analysis::{Analysis, Analyzer, Config, Talk};
use callqa::audio::WavReader;
use callqa::model::{Span, Speaker};
use truth_common::{Truth, iou, overlap, truth};

const EDGE_S: f64 = 0.05;
const TALK_REL: f64 = 0.02;
const MONO_TALK_REL: f64 = 0.05;
const HOLD_COVER: f64 = 0.90;
const MIN_IOU: f64 = 0.5;
const MIN_F1: f64 = 0.95;

const MASTERS: [&str; 6] = [
    "dev_a_courteous",
    "dev_b_cutoff",
    "dev_c_dispute",
    "dev_d_long_hold",
    "dev_e_hindi_refund",
    "dev_f_brief",
];

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus")
}

/// Decodes and analyses a file the way the window and the CLI do (the one shared stream).
fn analyse(path: &Path) -> Analysis {
    callqa::jobs::stream::analyse_file(path, Config::default(), Default::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .1
}

/// Overtalk matching result.
#[derive(Default, Clone, Copy, Debug)]
struct Matches {
    tp: usize,
    fp: usize,
    fn_: usize,
    wrong_by: usize,
}

impl Matches {
    fn add(&mut self, o: Matches) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
        self.wrong_by += o.wrong_by;
    }
    fn f1(&self) -> f64 {
        if self.tp + self.fp + self.fn_ == 0 {
            return 1.0;
        }
        2.0 * self.tp as f64 / (2 * self.tp + self.fp + self.fn_) as f64
    }
}

/// One-to-one matching by IoU ≥ 0.5, best pairs first. Mismatched `started_by` go to `notes`.
fn match_overtalk(truth: &[(Span, Speaker)], got: &[(Span, Speaker)], notes: &mut Vec<String>) -> Matches {
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (i, t) in truth.iter().enumerate() {
        for (j, g) in got.iter().enumerate() {
            let v = iou(&t.0, &g.0);
            if v >= MIN_IOU {
                pairs.push((v, i, j));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (mut ut, mut ug) = (vec![false; truth.len()], vec![false; got.len()]);
    let mut m = Matches::default();
    for (_, i, j) in pairs {
        if ut[i] || ug[j] {
            continue;
        }
        ut[i] = true;
        ug[j] = true;
        m.tp += 1;
        if truth[i].1 != got[j].1 {
            m.wrong_by += 1;
            notes.push(format!(
                "overtalk {:.3}-{:.3}: started_by {:?}, truth {:.3}-{:.3} says {:?}",
                got[j].0.start_s, got[j].0.end_s, got[j].1, truth[i].0.start_s, truth[i].0.end_s, truth[i].1
            ));
        }
    }
    for (i, t) in truth.iter().enumerate().filter(|(i, _)| !ut[*i]) {
        let _ = i;
        notes.push(format!("overtalk missed: {:.3}-{:.3} ({:?})", t.0.start_s, t.0.end_s, t.1));
    }
    for g in got.iter().zip(&ug).filter(|(_, u)| !**u).map(|(g, _)| g) {
        notes.push(format!("overtalk invented: {:.3}-{:.3} ({:?})", g.0.start_s, g.0.end_s, g.1));
    }
    m.fp = got.len() - m.tp;
    m.fn_ = truth.len() - m.tp;
    m
}

/// Silence spans matched one-to-one with both edges within 50 ms; returns failures.
fn check_spans(what: &str, truth: &[Span], got: &[Span], fails: &mut Vec<String>) -> f64 {
    let mut worst: f64 = 0.0;
    let mut used = vec![false; got.len()];
    for t in truth {
        let hit = got.iter().enumerate().find(|(j, g)| {
            !used[*j] && (g.start_s - t.start_s).abs() <= EDGE_S && (g.end_s - t.end_s).abs() <= EDGE_S
        });
        match hit {
            Some((j, g)) => {
                used[j] = true;
                worst = worst.max((g.start_s - t.start_s).abs()).max((g.end_s - t.end_s).abs());
            }
            None => {
                let near: Vec<String> = got
                    .iter()
                    .filter(|g| g.end_s > t.start_s - 1.0 && g.start_s < t.end_s + 1.0)
                    .map(|g| format!("{:.3}-{:.3}", g.start_s, g.end_s))
                    .collect();
                fails.push(format!(
                    "{what} {:.3}-{:.3} not found within {EDGE_S} s (nearby: {near:?})",
                    t.start_s, t.end_s
                ));
            }
        }
    }
    for (g, _) in got.iter().zip(&used).filter(|(_, u)| !**u) {
        fails.push(format!("{what} invented: {:.3}-{:.3}", g.start_s, g.end_s));
    }
    worst
}

fn overtalk_of(a: &Analysis) -> Vec<(Span, Speaker)> {
    a.overtalk.iter().map(|o| (Span::new(o.start_s, o.end_s), o.started_by)).collect()
}

/// All stereo checks except the overtalk F1 (which is scored over the corpus). Returns the
/// overtalk matches; pushes failures.
fn check_stereo(name: &str, a: &Analysis, t: &Truth, fails: &mut Vec<String>) -> Matches {
    let mut f = Vec::new();
    let mut notes = Vec::new();
    let talk = [a.metrics.talk_time_agent_s, a.metrics.talk_time_customer_s];
    let rel: Vec<f64> = (0..2).map(|c| (talk[c] - t.talk_s[c]) / t.talk_s[c]).collect();
    for c in 0..2 {
        if rel[c].abs() > TALK_REL {
            f.push(format!(
                "talk time ch{c} {:.3} s vs truth {:.3} s ({:+.2} %)",
                talk[c],
                t.talk_s[c],
                100.0 * rel[c]
            ));
        }
    }
    let worst_sil = check_spans("silence", &t.silence, &a.silence, &mut f);
    let mut hold_cover = Vec::new();
    for (h, ch) in &t.hold {
        let got: Vec<Span> =
            a.hold.iter().filter(|g| g.channel == *ch).map(|g| Span::new(g.start_s, g.end_s)).collect();
        let cover = overlap(&got, h) / h.duration_s();
        let as_silence = overlap(&a.silence, h);
        hold_cover.push(cover);
        if cover < HOLD_COVER {
            f.push(format!(
                "hold {:.3}-{:.3}: only {:.1} % reported as hold",
                h.start_s,
                h.end_s,
                100.0 * cover
            ));
        }
        if as_silence > EDGE_S {
            f.push(format!(
                "hold {:.3}-{:.3}: {:.3} s of it reported as silence",
                h.start_s, h.end_s, as_silence
            ));
        }
    }
    // Hold reported where there is none (beyond the edges) is a failure too.
    for g in &a.hold {
        let gs = Span::new(g.start_s, g.end_s);
        let true_part: f64 = t
            .hold
            .iter()
            .filter(|(_, c)| *c == g.channel)
            .map(|(h, _)| gs.intersect(h).map_or(0.0, |x| x.duration_s()))
            .sum();
        if gs.duration_s() - true_part > 2.0 * EDGE_S {
            f.push(format!("hold invented: {:.3}-{:.3} on ch{}", g.start_s, g.end_s, g.channel));
        }
    }
    let m = match_overtalk(&t.overtalk, &overtalk_of(a), &mut notes);
    println!(
        "{name:<44} talk agent {:+6.2} % customer {:+6.2} % | silence {}/{} worst edge {:.1} ms | hold cover {} | overtalk truth {} got {} matched {} wrong_by {}",
        100.0 * rel[0],
        100.0 * rel[1],
        a.silence.len(),
        t.silence.len(),
        1000.0 * worst_sil,
        if hold_cover.is_empty() { "-".to_string() } else { format!("{:.1} %", 100.0 * hold_cover[0]) },
        t.overtalk.len(),
        a.overtalk.len(),
        m.tp,
        m.wrong_by
    );
    for n in &notes {
        println!("    note: {n}");
    }
    fails.extend(f.into_iter().map(|x| format!("{name}: {x}")));
    m
}

/// A variant against its master's analysis: the same answers within the tolerances.
fn check_same(name: &str, v: &Analysis, m: &Analysis, fails: &mut Vec<String>) {
    let mut f = Vec::new();
    let pairs = [
        (v.metrics.talk_time_agent_s, m.metrics.talk_time_agent_s),
        (v.metrics.talk_time_customer_s, m.metrics.talk_time_customer_s),
        (v.metrics.talk_time_mixed_s, m.metrics.talk_time_mixed_s),
    ];
    for (i, (x, y)) in pairs.iter().enumerate() {
        if *y > 0.0 && ((x - y) / y).abs() > TALK_REL {
            f.push(format!("talk time #{i} {x:.3} s vs master {y:.3} s"));
        }
    }
    check_spans("silence (vs master)", &m.silence, &v.silence, &mut f);
    let hv: Vec<Span> = v.hold.iter().map(|h| Span::new(h.start_s, h.end_s)).collect();
    let hm: Vec<Span> = m.hold.iter().map(|h| Span::new(h.start_s, h.end_s)).collect();
    check_spans("hold (vs master)", &hm, &hv, &mut f);
    let mut notes = Vec::new();
    let mt = match_overtalk(&overtalk_of(m), &overtalk_of(v), &mut notes);
    if mt.fp + mt.fn_ + mt.wrong_by > 0 {
        f.push(format!("overtalk differs from the master: {notes:?}"));
    }
    println!(
        "{name:<44} vs master: talk {:.3}/{:.3} s, silence {}/{}, hold {}/{}, overtalk {}/{} ({} differ)",
        v.metrics.talk_time_agent_s + v.metrics.talk_time_customer_s + v.metrics.talk_time_mixed_s,
        m.metrics.talk_time_agent_s + m.metrics.talk_time_customer_s + m.metrics.talk_time_mixed_s,
        v.silence.len(),
        m.silence.len(),
        v.hold.len(),
        m.hold.len(),
        v.overtalk.len(),
        m.overtalk.len(),
        mt.fp + mt.fn_ + mt.wrong_by
    );
    fails.extend(f.into_iter().map(|x| format!("{name}: {x}")));
}

/// Mono checks: talk against the union of both sides' utterances, silence as for stereo.
fn check_mono(name: &str, a: &Analysis, t: &Truth, fails: &mut Vec<String>) {
    let mut all: Vec<Span> = t.utterances.iter().flatten().copied().collect();
    all.sort_by(|x, y| x.start_s.total_cmp(&y.start_s));
    let mut union: Vec<Span> = Vec::new();
    for s in all {
        match union.last_mut() {
            Some(l) if s.start_s <= l.end_s => l.end_s = l.end_s.max(s.end_s),
            _ => union.push(s),
        }
    }
    let truth_talk: f64 = union.iter().map(Span::duration_s).sum();
    let rel = (a.metrics.talk_time_mixed_s - truth_talk) / truth_talk;
    let mut f = Vec::new();
    if !matches!(a.talk, Talk::Mono { .. }) {
        f.push("talk is not reported as one mixed lane".to_string());
    }
    if rel.abs() > MONO_TALK_REL {
        f.push(format!(
            "mixed talk {:.3} s vs union {:.3} s ({:+.2} %)",
            a.metrics.talk_time_mixed_s,
            truth_talk,
            100.0 * rel
        ));
    }
    let worst = check_spans("silence", &t.silence, &a.silence, &mut f);
    if !a.overtalk.is_empty()
        || !a.warnings.iter().any(|w| w.contains("overtalk needs a two-channel recording"))
    {
        f.push(format!("mono must report no overtalk and warn: {:?}", a.warnings));
    }
    println!(
        "{name:<44} mono talk {:+6.2} % of the utterance union | silence {}/{} worst edge {:.1} ms",
        100.0 * rel,
        a.silence.len(),
        t.silence.len(),
        1000.0 * worst
    );
    fails.extend(f.into_iter().map(|x| format!("{name}: {x}")));
}

fn finish(fails: Vec<String>) {
    assert!(fails.is_empty(), "{} failures:\n{}", fails.len(), fails.join("\n"));
}

/// Analyses the six masters, checks each against its truth (failures into `fails`) and sums
/// their overtalk matches.
fn check_masters(fails: &mut Vec<String>) -> Matches {
    let mut all = Matches::default();
    for name in MASTERS {
        let a = analyse(&corpus().join(format!("{name}.wav")));
        let t = truth(&corpus().join(format!("{name}.json")));
        all.add(check_stereo(name, &a, &t, fails));
    }
    all
}

#[test]
fn masters_talk_silence_hold_within_tolerance() {
    let mut fails = Vec::new();
    let all = check_masters(&mut fails);
    println!(
        "overtalk over the six masters: tp {} fp {} fn {} → F1 {:.3}; started_by wrong on {} matched span(s)",
        all.tp,
        all.fp,
        all.fn_,
        all.f1(),
        all.wrong_by
    );
    finish(fails);
}

/// The brief's overtalk target over the six masters: F1 ≥ 0.95 and every matched span's
/// `started_by` right. dev_c is the hard one: the customer starts a new sentence 10 ms after
/// the last one ends, and the agent one 143 ms after, each while the other side is talking
/// (found by the sentence-boundary check of `analysis::turns`, not by pause length).
#[test]
fn masters_overtalk_f1_meets_the_target() {
    // The other checks' failures are `masters_talk_silence_hold_within_tolerance`'s business.
    let all = check_masters(&mut Vec::new());
    println!("overtalk F1 {:.3}, started_by wrong {}", all.f1(), all.wrong_by);
    assert!(all.f1() >= MIN_F1 && all.wrong_by == 0, "F1 {:.3}, wrong started_by {}", all.f1(), all.wrong_by);
}

/// The sentence-boundary check must not depend on where the 10 ms frame grid falls nor on the
/// recording level: dev_c with its first `k` samples cut off (the truth moved by `k` samples)
/// gives the same overtalk, for several `k` that are not multiples of the frame or half-frame,
/// and so does dev_c 20 dB quieter or 10 dB louder.
#[test]
fn overtalk_does_not_depend_on_the_frame_grid_or_level() {
    let path = corpus().join("dev_c_dispute.wav");
    let mut r = WavReader::open(&path).unwrap();
    let info = r.info().clone();
    let mut all = Vec::new();
    let mut buf = Vec::new();
    while r.read_frames(&mut buf, 1 << 16).unwrap() > 0 {
        all.extend_from_slice(&buf);
    }
    let t = truth(&corpus().join("dev_c_dispute.json"));
    let ch = usize::from(info.channels);
    let mut fails = Vec::new();
    // (samples cut, gain): the grid moved, and the level 10 dB up or 20 dB down.
    for (k, gain) in
        [(7usize, 1.0f32), (19, 1.0), (33, 1.0), (46, 1.0), (58, 1.0), (71, 1.0), (0, 0.1), (0, 3.16)]
    {
        let mut a = Analyzer::new(info.sample_rate, info.channels, Config::default());
        let samples: Vec<f32> = all[k * ch..].iter().map(|v| (v * gain).clamp(-1.0, 1.0)).collect();
        for block in samples.chunks(4096 * ch) {
            a.push(block);
        }
        let a = a.finish();
        let dt = k as f64 / f64::from(info.sample_rate);
        let moved: Vec<(Span, Speaker)> =
            t.overtalk.iter().map(|(s, w)| (Span::new(s.start_s - dt, s.end_s - dt), *w)).collect();
        let mut notes = Vec::new();
        let m = match_overtalk(&moved, &overtalk_of(&a), &mut notes);
        println!("dev_c cut by {k:2} samples, gain {gain}: overtalk {m:?} {notes:?}");
        if m.fp + m.fn_ + m.wrong_by > 0 {
            fails.push(format!("cut by {k}, gain {gain}: {m:?} {notes:?}"));
        }
    }
    finish(fails);
}

#[test]
fn format_variants_answer_like_their_masters() {
    let variants = [
        ("dev_c_dispute_alaw_stereo", "dev_c_dispute"),
        ("dev_c_dispute_extensible_pcm16", "dev_c_dispute"),
        ("dev_f_brief_pcm24_48k", "dev_f_brief"),
        ("dev_f_brief_float32_44k1", "dev_f_brief"),
        ("dev_f_brief_u8", "dev_f_brief"),
        ("dev_f_brief_listinfo", "dev_f_brief"),
        ("dev_d_long_hold_ima_adpcm", "dev_d_long_hold"),
        ("ग्राहक_कॉल_17", "dev_e_hindi_refund"),
        ("Agent Meena - 2024-06-12 09.05.41 (library hours)", "dev_f_brief"),
    ];
    let mut fails = Vec::new();
    for (v, m) in variants {
        let av = analyse(&corpus().join(format!("{v}.wav")));
        let am = analyse(&corpus().join(format!("{m}.wav")));
        let t = truth(&corpus().join(format!("{m}.json")));
        let mt = check_stereo(v, &av, &t, &mut fails);
        if (mt.fp + mt.fn_ + mt.wrong_by) > 0 {
            fails.push(format!("{v}: overtalk {mt:?}"));
        }
        check_same(v, &av, &am, &mut fails);
    }
    finish(fails);
}

#[test]
fn mono_mixes_give_talk_and_silence() {
    let mut fails = Vec::new();
    for (v, m) in
        [("dev_b_cutoff_mulaw_mono", "dev_b_cutoff"), ("dev_a_courteous_gsm610_mono", "dev_a_courteous")]
    {
        let a = analyse(&corpus().join(format!("{v}.wav")));
        check_mono(v, &a, &truth(&corpus().join(format!("{m}.json"))), &mut fails);
    }
    finish(fails);
}

fn long_dir() -> Option<PathBuf> {
    let d = std::env::var_os("CALLQA_LONG_DIR").map(PathBuf::from);
    if d.is_none() {
        println!("CALLQA_LONG_DIR not set: generate with `bash make_long.sh DIR` and set it");
    }
    d
}

#[test]
#[ignore = "needs the 1-hour files: CALLQA_LONG_DIR=/tmp/callqa_long (scripts/bench.sh runs it)"]
fn long_file_stereo_within_tolerance() {
    let Some(dir) = long_dir() else { panic!("CALLQA_LONG_DIR is not set") };
    let a = analyse(&dir.join("long_1h_stereo_pcm16_8k.wav"));
    let t = truth(&dir.join("long_1h_stereo_pcm16_8k.json"));
    let mut fails = Vec::new();
    let m = check_stereo("long_1h_stereo_pcm16_8k", &a, &t, &mut fails);
    println!(
        "overtalk: tp {} fp {} fn {} → F1 {:.3}; started_by wrong on {} matched span(s)",
        m.tp,
        m.fp,
        m.fn_,
        m.f1(),
        m.wrong_by
    );
    assert!(
        m.f1() >= MIN_F1 && m.wrong_by == 0,
        "overtalk F1 {:.3}, wrong started_by {}",
        m.f1(),
        m.wrong_by
    );
    finish(fails);
}

#[test]
#[ignore = "needs the 1-hour files: CALLQA_LONG_DIR=/tmp/callqa_long (scripts/bench.sh runs it)"]
fn long_file_mono_within_tolerance() {
    let Some(dir) = long_dir() else { panic!("CALLQA_LONG_DIR is not set") };
    let a = analyse(&dir.join("long_1h_mono_mulaw_8k.wav"));
    let t = truth(&dir.join("long_1h_mono_mulaw_8k.json"));
    let mut fails = Vec::new();
    check_mono("long_1h_mono_mulaw_8k", &a, &t, &mut fails);
    finish(fails);
}
