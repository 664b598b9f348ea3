//! The player's audio path without a device: a `Player` feeding a rodio mixer whose output
//! a consumer thread of ours pulls, like a sound card would (but paced by the test).
//! Checks position, seek, pause, gains, volume, skips, speed, end and reload.
//!
//! Tolerances: positions are published once per 5 ms block, so a position is compared with
//! ±20 ms (4 blocks); amplitudes with ±2 % after the 10 ms fades.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::num::NonZero;
use std::sync::mpsc;
use std::thread;

use callqa::audio::playback::{MemoryFrames, Player};
use callqa::model::Span;
use rodio::Source;

const RATE: u32 = 8000;

/// The device side, on its own thread: pulls `frames` frames per request and sends them back.
struct Consumer {
    requests: mpsc::Sender<usize>,
    blocks: mpsc::Receiver<Vec<f32>>,
}

impl Consumer {
    fn new(player_channels: u16) -> (Player, Consumer) {
        let (mixer, mut output) =
            rodio::mixer::mixer(NonZero::new(player_channels).unwrap(), NonZero::new(RATE).unwrap());
        let player = Player::with_mixer(mixer, player_channels);
        let channels = usize::from(output.channels().get());
        let (req_tx, req_rx) = mpsc::channel::<usize>();
        let (blk_tx, blk_rx) = mpsc::channel();
        thread::Builder::new()
            .name("test-device".into())
            .spawn(move || {
                for frames in req_rx {
                    // An empty mixer yields None: a device plays silence then.
                    let block: Vec<f32> =
                        (0..frames * channels).map(|_| output.next().unwrap_or(0.0)).collect();
                    if blk_tx.send(block).is_err() {
                        break;
                    }
                }
            })
            .unwrap();
        (player, Consumer { requests: req_tx, blocks: blk_rx })
    }

    /// Pulls `secs` of output (interleaved stereo).
    fn pull(&self, secs: f64) -> Vec<f32> {
        self.pull_frames((secs * f64::from(RATE)).round() as usize)
    }

    fn pull_frames(&self, frames: usize) -> Vec<f32> {
        self.requests.send(frames).unwrap();
        self.blocks.recv().unwrap()
    }
}

fn sine(freq: f64, t: f64, amp: f64) -> f32 {
    ((std::f64::consts::TAU * freq * t).sin() * amp) as f32
}

/// A stereo call: agent (left) 440 Hz at 0.4, customer (right) 1 kHz at 0.3.
fn stereo_call(secs: f64) -> MemoryFrames {
    let n = (secs * f64::from(RATE)) as usize;
    let samples = (0..n)
        .flat_map(|i| {
            let t = i as f64 / f64::from(RATE);
            [sine(440.0, t, 0.4), sine(1000.0, t, 0.3)]
        })
        .collect();
    MemoryFrames::new(samples, RATE, 2)
}

fn channel(x: &[f32], ch: usize) -> Vec<f32> {
    x.iter().skip(ch).step_by(2).copied().collect()
}

fn peak(x: &[f32]) -> f32 {
    x.iter().fold(0.0, |m, v| m.max(v.abs()))
}

fn zero_crossing_freq(x: &[f32]) -> f64 {
    let ups: Vec<f64> = (1..x.len())
        .filter(|&i| x[i - 1] < 0.0 && x[i] >= 0.0)
        .map(|i| (i - 1) as f64 + f64::from(x[i - 1]) / f64::from(x[i - 1] - x[i]))
        .collect();
    (ups.len() - 1) as f64 * f64::from(RATE) / (ups[ups.len() - 1] - ups[0])
}

fn assert_near(what: &str, got: f64, want: f64, tol: f64) {
    println!("{what}: {got:.4} (want {want:.4} ± {tol})");
    assert!((got - want).abs() <= tol, "{what}: got {got}, want {want} ± {tol}");
}

#[test]
fn player_is_send() {
    fn send<T: Send>() {}
    send::<Player>();
}

#[test]
fn position_follows_pulled_audio_and_pause_holds_it() {
    let (mut player, dev) = Consumer::new(2);
    player.load_frames(Box::new(stereo_call(5.0)));
    assert_near("duration", player.duration_s(), 5.0, 1e-9);
    assert!(!player.is_playing());
    // Paused: output is silent and the position stays at 0.
    let out = dev.pull(0.5);
    assert_eq!(peak(&out), 0.0);
    assert_eq!(player.position_s(), 0.0);

    player.play();
    assert!(player.is_playing());
    let out = dev.pull(1.0);
    assert_near("position after 1 s", player.position_s(), 1.0, 0.02);
    // The agent's tone is on the left, the customer's on the right.
    let (l, r) = (channel(&out, 0), channel(&out, 1));
    assert_near("left frequency", zero_crossing_freq(&l[800..]), 440.0, 440.0 * 0.01);
    assert_near("right frequency", zero_crossing_freq(&r[800..]), 1000.0, 1000.0 * 0.01);
    assert_near("left peak", f64::from(peak(&l[800..])), 0.4, 0.008);

    player.pause();
    let _fade = dev.pull(0.05);
    let held = player.position_s();
    assert_near("position after pause", held, 1.0, 0.03);
    let out = dev.pull(0.5);
    assert_eq!(peak(&out), 0.0, "paused output must be silent");
    assert_eq!(player.position_s(), held);

    player.toggle();
    dev.pull(0.5);
    assert_near("position after resuming for 0.5 s", player.position_s(), held + 0.5, 0.02);
}

#[test]
fn seek_moves_the_position_at_once_and_playback_continues_there() {
    let (mut player, dev) = Consumer::new(2);
    player.load_frames(Box::new(stereo_call(5.0)));
    player.play();
    dev.pull(0.5);
    player.seek(3.0);
    assert_eq!(player.position_s(), 3.0, "the position reads the seek target at once");
    dev.pull(0.5);
    assert_near("position 0.5 s after seeking to 3 s", player.position_s(), 3.5, 0.03);
    // Out-of-range and NaN seeks are clamped, not panics.
    player.seek(99.0);
    assert_eq!(player.position_s(), 5.0);
    player.seek(f64::NAN);
    assert_eq!(player.position_s(), 0.0);
    player.seek(-3.0);
    assert_eq!(player.position_s(), 0.0);
    dev.pull(0.25);
    assert_near("position after NaN/negative seeks", player.position_s(), 0.25, 0.03);
    player.stop();
    assert!(!player.is_playing());
    assert_eq!(player.position_s(), 0.0);
    dev.pull(0.1);
    assert_eq!(player.position_s(), 0.0);
}

#[test]
fn muting_a_side_silences_its_channel_and_volume_scales() {
    let (mut player, dev) = Consumer::new(2);
    player.load_frames(Box::new(stereo_call(5.0)));
    player.set_channel_gains(0.0, 1.0);
    player.play();
    let out = dev.pull(0.5);
    let (l, r) = (channel(&out, 0), channel(&out, 1));
    assert_eq!(peak(&l), 0.0, "muted agent: the left channel is silent");
    assert_near("customer peak", f64::from(peak(&r[400..])), 0.3, 0.006);

    player.set_channel_gains(1.0, 0.0);
    let out = dev.pull(0.5);
    let (l, r) = (channel(&out, 0), channel(&out, 1));
    assert_eq!(peak(&r[100..]), 0.0, "muted customer: the right channel is silent");
    assert_near("agent peak", f64::from(peak(&l[100..])), 0.4, 0.008);

    player.set_channel_gains(1.0, 1.0);
    player.set_volume(0.5);
    let out = dev.pull(0.5);
    let l = channel(&out, 0);
    assert_near("agent peak at volume 0.5", f64::from(peak(&l[100..])), 0.2, 0.004);
}

#[test]
fn mono_call_plays_on_both_sides_at_the_mean_gain() {
    let (mut player, dev) = Consumer::new(2);
    let n = RATE as usize * 2;
    let samples = (0..n).map(|i| sine(500.0, i as f64 / f64::from(RATE), 0.5)).collect();
    player.load_frames(Box::new(MemoryFrames::new(samples, RATE, 1)));
    player.set_channel_gains(0.0, 1.0);
    player.play();
    let out = dev.pull(0.5);
    let (l, r) = (channel(&out, 0), channel(&out, 1));
    assert_eq!(l, r, "mono goes to both sides alike");
    assert_near("mono peak at gains (0, 1)", f64::from(peak(&l[400..])), 0.25, 0.005);
}

#[test]
fn one_channel_device_gets_the_mix() {
    let (mut player, dev) = Consumer::new(1);
    player.load_frames(Box::new(stereo_call(2.0)));
    player.set_channel_gains(1.0, 0.0);
    player.play();
    let out = dev.pull(0.5);
    assert_eq!(out.len(), 4000);
    // Left only, halved by the stereo → mono mix.
    assert_near("mono device peak", f64::from(peak(&out[400..])), 0.2, 0.004);
    assert_near("mono device frequency", zero_crossing_freq(&out[400..]), 440.0, 4.4);
}

/// A call whose skip regions hold a loud 300 Hz tone and the rest a quiet 440 Hz one, so the
/// output shows whether any skipped audio was played.
fn call_with_loud_regions(secs: f64, regions: &[Span]) -> MemoryFrames {
    let n = (secs * f64::from(RATE)) as usize;
    let samples = (0..n)
        .flat_map(|i| {
            let t = i as f64 / f64::from(RATE);
            let v = if regions.iter().any(|r| r.start_s <= t && t < r.end_s) {
                sine(300.0, t, 0.9)
            } else {
                sine(440.0, t, 0.2)
            };
            [v, v]
        })
        .collect();
    MemoryFrames::new(samples, RATE, 2)
}

#[test]
fn skips_jump_over_regions_report_them_and_never_show_a_position_inside() {
    let regions = [Span::new(1.0, 2.0), Span::new(3.0, 3.5)];
    let (mut player, dev) = Consumer::new(2);
    player.load_frames(Box::new(call_with_loud_regions(5.0, &regions)));
    player.set_skip(regions.to_vec(), true);
    player.set_skip_cue(false); // the cue has its own test
    player.play();
    let mut out = Vec::new();
    let mut positions = Vec::new();
    let mut events = Vec::new();
    for _ in 0..2000 {
        out.extend(dev.pull_frames(40)); // 5 ms
        let p = player.position_s();
        positions.push(p);
        events.extend(player.take_skip_events());
        for r in &regions {
            assert!(!(r.start_s <= p && p < r.end_s), "position {p} inside skipped {r:?}");
        }
        if player.ended() {
            break;
        }
    }
    assert!(player.ended(), "playback did not reach the end");
    assert!(!player.is_playing());
    assert_eq!(player.position_s(), 5.0);
    assert_eq!(events, regions.to_vec(), "each skip reported once, in order");
    // No skipped (loud) audio reached the output.
    println!("output peak {}", peak(&out));
    assert!(peak(&out) <= 0.21, "skipped audio was played (peak {})", peak(&out));
    // 5 s minus 1.5 s skipped; output ends within a few blocks of that.
    let played = positions.iter().position(|p| *p >= 5.0).unwrap() as f64 * 0.005;
    assert_near("time to play with skips", played, 3.5, 0.03);
    // Positions jump forward at the regions and never go back.
    assert!(positions.windows(2).all(|w| w[1] >= w[0]));
}

#[test]
fn the_skip_cue_is_a_short_soft_tick_at_each_skip() {
    let regions = [Span::new(1.0, 2.0), Span::new(3.0, 3.5)];
    let render = |cue: bool| {
        let (mut player, dev) = Consumer::new(2);
        player.load_frames(Box::new(call_with_loud_regions(4.0, &regions)));
        player.set_skip(regions.to_vec(), true);
        player.set_skip_cue(cue);
        player.play();
        channel(&dev.pull(2.8), 0)
    };
    let (with, without) = (render(true), render(false));
    assert_eq!(with.len(), without.len());
    // The difference is the cue: two bursts (one per skip), each at most 15 ms, quiet.
    let diff: Vec<f32> = with.iter().zip(&without).map(|(a, b)| a - b).collect();
    let loud: Vec<usize> = (0..diff.len()).filter(|&i| diff[i].abs() > 1e-4).collect();
    let bursts: Vec<(usize, usize)> = loud.iter().fold(Vec::new(), |mut b: Vec<(usize, usize)>, &i| {
        match b.last_mut() {
            Some(last) if i - last.1 < 40 => last.1 = i,
            _ => b.push((i, i)),
        }
        b
    });
    println!("cue bursts (output frames): {bursts:?}, peak {}", peak(&diff));
    assert_eq!(bursts.len(), 2);
    // Skips happen at 1.0 s and (3.0 - 1.0) = 2.0 s of output time, the cue within 10 ms.
    for ((start, end), at) in bursts.iter().zip([1.0, 2.0]) {
        assert!((*start as f64 / f64::from(RATE) - at).abs() < 0.012, "cue at {start}");
        assert!(end - start < 120, "cue lasts {} frames", end - start);
    }
    assert!(peak(&diff) <= 0.031 && peak(&diff) > 0.01);
}

#[test]
fn seeking_into_a_skip_region_lands_at_its_end_and_disabling_plays_it() {
    let regions = [Span::new(1.0, 2.0)];
    let (mut player, dev) = Consumer::new(2);
    player.load_frames(Box::new(call_with_loud_regions(4.0, &regions)));
    player.set_skip(regions.to_vec(), true);
    player.seek(1.5);
    assert_eq!(player.position_s(), 2.0);
    player.play();
    dev.pull(0.2);
    assert_near("position after landing", player.position_s(), 2.2, 0.02);
    assert_eq!(player.take_skip_events(), regions.to_vec());
    assert!(player.take_skip_events().is_empty(), "events are taken once");

    player.set_skip(regions.to_vec(), false);
    player.seek(1.2);
    assert_eq!(player.position_s(), 1.2);
    let out = dev.pull(0.3);
    assert!(peak(&out) > 0.8, "with skipping off the region plays");
    // A seek while playing first fades the old audio out for 10 ms.
    assert_near("position inside the region", player.position_s(), 1.49, 0.02);
}

#[test]
fn speed_advances_call_time_faster_than_output_time_and_keeps_pitch() {
    for speed in [0.5f32, 1.5, 2.0, 2.5] {
        let (mut player, dev) = Consumer::new(2);
        player.load_frames(Box::new(stereo_call(6.0)));
        player.set_speed(speed);
        player.play();
        dev.pull(0.2);
        let start = player.position_s();
        let out = dev.pull(1.0);
        let advanced = player.position_s() - start;
        assert_near(&format!("call time per output second at {speed}x"), advanced, f64::from(speed), 0.02);
        let (l, r) = (channel(&out, 0), channel(&out, 1));
        assert_near(&format!("left pitch at {speed}x"), zero_crossing_freq(&l), 440.0, 4.4);
        assert_near(&format!("right pitch at {speed}x"), zero_crossing_freq(&r), 1000.0, 10.0);
    }
    let (player, _dev) = Consumer::new(2);
    player.set_speed(9.0);
    assert_eq!(player.speed(), 2.5);
    player.set_speed(f32::NAN);
    assert_eq!(player.speed(), 2.5);
}

#[test]
fn end_then_play_restarts_and_load_replaces_the_call() {
    let (mut player, dev) = Consumer::new(2);
    player.load_frames(Box::new(stereo_call(1.0)));
    player.play();
    dev.pull(1.2);
    assert!(player.ended());
    assert!(!player.is_playing());
    assert_eq!(player.position_s(), 1.0);
    let out = dev.pull(0.2);
    assert_eq!(peak(&out), 0.0, "silence after the end");

    player.play();
    assert!(!player.ended());
    dev.pull(0.3);
    assert_near("position after replay", player.position_s(), 0.3, 0.02);

    // A new call: paused at 0 with its own duration; the old one is gone from the output.
    player.load_frames(Box::new(stereo_call(3.0)));
    assert!(!player.is_playing());
    assert_eq!(player.position_s(), 0.0);
    assert_near("new duration", player.duration_s(), 3.0, 1e-9);
    dev.pull(0.05);
    let out = dev.pull(0.3);
    assert_eq!(peak(&out), 0.0, "the replaced call no longer plays");
    player.play();
    dev.pull(0.5);
    assert_near("new call position", player.position_s(), 0.5, 0.02);
}

#[test]
fn nothing_loaded_and_empty_calls_are_harmless() {
    let (mut player, dev) = Consumer::new(2);
    player.play();
    assert!(!player.is_playing());
    player.seek(3.0);
    assert_eq!(player.position_s(), 0.0);
    assert_eq!(player.duration_s(), 0.0);
    player.load_frames(Box::new(MemoryFrames::new(Vec::new(), RATE, 2)));
    player.play();
    dev.pull(0.1);
    assert!(player.ended());
    assert_eq!(player.position_s(), 0.0);
}

#[test]
fn missing_or_bad_files_are_open_errors() {
    let (mut player, _dev) = Consumer::new(2);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus");
    for name in ["no_such_file.wav", "bad_zero_bytes.wav", "bad_text_renamed.wav"] {
        let err = player.load(&dir.join(name)).unwrap_err();
        let msg = err.to_string();
        println!("{name}: {msg}");
        assert!(msg.starts_with("Cannot play this call: "), "{msg}");
        assert!(msg.ends_with(name), "the path comes last: {msg}");
    }
}
