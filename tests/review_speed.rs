//! Review speed (issue 7): how long a supervisor listens to the six development calls at 2×
//! with skip-silence on, relative to their total duration (goal: under 0.5×). The method and
//! the figures are in docs/review-speed.md.
//!
//! For each call: analyse it (the real `Analyzer`, fed by the real `WavReader`), skip regions =
//! its dead air + hold music, then play it through the real playback path (`Player::load` on
//! the file, 2×, skip on) into a rodio mixer whose output this test pulls like a 48 kHz stereo
//! device would, 5 ms at a time, until the player says `ended()`. Listening time = output
//! frames pulled / 48 000.
//!
//! Asserts:
//! - over the six calls, listening time / duration < 0.5;
//! - for each call, listening time within 2 % of (duration − skipped) / 2, i.e. the player
//!   really plays every non-skipped second once at twice the speed (the measurement is
//!   consistent with the analysis it was given).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::num::NonZero;
use std::path::{Path, PathBuf};

use callqa::analysis::{Analysis, Config};
use callqa::audio::playback::{Player, SkipPlan};
use callqa::model::Span;

const CALLS: [&str; 6] = [
    "dev_a_courteous",
    "dev_b_cutoff",
    "dev_c_dispute",
    "dev_d_long_hold",
    "dev_e_hindi_refund",
    "dev_f_brief",
];
/// A common device rate: the player's 8 kHz output is resampled by rodio's mixer, as on a device.
const OUT_RATE: u32 = 48_000;
const OUT_CHANNELS: u16 = 2;
/// Pull granularity (5 ms, the player's own block): listening time is exact to 5 ms per call.
const PULL_FRAMES: usize = 240;
const SPEED: f32 = 2.0;
const GOAL: f64 = 0.5;
const CONSISTENCY_REL: f64 = 0.02;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus")
}

/// Decodes and analyses a file the way the app and the CLI do (the one shared stream).
fn analyse(path: &Path) -> Analysis {
    callqa::jobs::stream::analyse_file(path, Config::default(), Default::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .1
}

/// The skip regions the app uses: dead air and hold music.
fn skip_regions(a: &Analysis) -> Vec<Span> {
    a.silence.iter().copied().chain(a.hold.iter().map(|h| Span::new(h.start_s, h.end_s))).collect()
}

/// Seconds of the call covered by the (merged) regions.
fn covered_s(regions: &[Span], duration_s: f64) -> f64 {
    SkipPlan::new(regions.to_vec(), true)
        .regions()
        .iter()
        .fold(0.0, |t, r| t + (r.end_s.min(duration_s) - r.start_s.max(0.0)).max(0.0))
}

struct Row {
    call: &'static str,
    duration_s: f64,
    silence_s: f64,
    hold_s: f64,
    /// Skip regions after merging (dead air next to hold is one jump).
    regions: usize,
    skipped_s: f64,
    listening_s: f64,
    skip_events: usize,
}

/// Plays `path` at 2× with `regions` skipped; returns (listening seconds, skips reported).
fn listen(path: &Path, regions: Vec<Span>, duration_s: f64) -> (f64, usize) {
    let (mixer, mut output) =
        rodio::mixer::mixer(NonZero::new(OUT_CHANNELS).unwrap(), NonZero::new(OUT_RATE).unwrap());
    let mut player = Player::with_mixer(mixer, OUT_CHANNELS);
    player.load(path).unwrap();
    assert!((player.duration_s() - duration_s).abs() < 1e-6, "player and analysis disagree on duration");
    player.set_speed(SPEED);
    player.set_skip(regions, true);
    player.play();
    let samples_per_pull = PULL_FRAMES * usize::from(OUT_CHANNELS);
    // Safety stop: twice the call at 1× would mean skipping and speed both failed.
    let max_frames = (2.0 * duration_s * f64::from(OUT_RATE)) as usize;
    let mut frames = 0usize;
    let mut events = 0usize;
    while !player.ended() {
        assert!(frames < max_frames, "{}: not ended after {frames} output frames", path.display());
        for _ in 0..samples_per_pull {
            let v = output.next().unwrap_or(0.0);
            assert!(v.is_finite());
        }
        frames += PULL_FRAMES;
        events += player.take_skip_events().len();
    }
    assert_eq!(player.last_error(), None, "{}: playback error", path.display());
    assert_eq!(player.position_s(), duration_s);
    (frames as f64 / f64::from(OUT_RATE), events)
}

#[test]
fn six_dev_calls_at_2x_with_skip_silence_take_under_half_their_duration() {
    let mut rows = Vec::new();
    for call in CALLS {
        let path = corpus().join(format!("{call}.wav"));
        let analysis = analyse(&path);
        let regions = skip_regions(&analysis);
        let duration_s = analysis.duration_s;
        let skipped_s = covered_s(&regions, duration_s);
        let (listening_s, skip_events) = listen(&path, regions.clone(), duration_s);
        rows.push(Row {
            call,
            duration_s,
            silence_s: analysis.silence.iter().fold(0.0, |t, s| t + s.end_s - s.start_s),
            hold_s: analysis.hold.iter().fold(0.0, |t, h| t + h.end_s - h.start_s),
            regions: SkipPlan::new(regions.clone(), true).regions().len(),
            skipped_s,
            listening_s,
            skip_events,
        });
    }

    println!(
        "| call | duration s | dead air s | hold s | skip regions (merged) | skipped s | skip events | listening s at {SPEED}x | \
         (duration - skipped) / {SPEED} s | listening / duration |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let (mut total_d, mut total_skip, mut total_l) = (0.0, 0.0, 0.0);
    for r in &rows {
        let expected = (r.duration_s - r.skipped_s) / f64::from(SPEED);
        println!(
            "| {} | {:.3} | {:.3} | {:.3} | {} | {:.3} | {} | {:.3} | {:.3} | {:.3} |",
            r.call,
            r.duration_s,
            r.silence_s,
            r.hold_s,
            r.regions,
            r.skipped_s,
            r.skip_events,
            r.listening_s,
            expected,
            r.listening_s / r.duration_s
        );
        total_d += r.duration_s;
        total_skip += r.skipped_s;
        total_l += r.listening_s;
    }
    let total_expected = (total_d - total_skip) / f64::from(SPEED);
    let ratio = total_l / total_d;
    println!(
        "| **total** | {total_d:.3} | | | | {total_skip:.3} | | {total_l:.3} | {total_expected:.3} | **{ratio:.3}** |"
    );

    for r in &rows {
        let expected = (r.duration_s - r.skipped_s) / f64::from(SPEED);
        let rel = (r.listening_s - expected).abs() / expected;
        assert!(
            rel <= CONSISTENCY_REL,
            "{}: listened {:.3} s, expected {expected:.3} s ± {:.0} % (off by {:.2} %)",
            r.call,
            r.listening_s,
            CONSISTENCY_REL * 100.0,
            rel * 100.0
        );
    }
    assert!(ratio < GOAL, "total listening time is {ratio:.3} of the calls' duration (goal < {GOAL})");
}
