//! Measures the WSOLA time stretch (issue 7): pitch and duration of stretched tones.
//!
//! Tolerances (from the issue): output frequency within 1 % of the input's, output duration
//! within 1 % of `input / speed`. Frequency is measured by counting rising zero crossings
//! (interpolated between samples) over the output minus 50 ms at each end; a harmonic complex
//! is measured by autocorrelation.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use callqa::audio::stretch::Stretcher;

const SPEEDS: [f64; 4] = [0.5, 1.5, 2.0, 2.5];

fn tone(freq: f64, rate: u32, secs: f64, amp: f32) -> Vec<f32> {
    let n = (f64::from(rate) * secs) as usize;
    (0..n).map(|i| (std::f64::consts::TAU * freq * i as f64 / f64::from(rate)).sin() as f32 * amp).collect()
}

/// Streams `input` through a stretcher in uneven blocks, as the player does.
fn stretch(input: &[f32], rate: u32, channels: usize, speed: f64) -> Vec<f32> {
    let mut st = Stretcher::new(rate, channels);
    st.set_speed(speed);
    let mut out = Vec::new();
    let mut buf = vec![0.0; 300 * channels];
    let drain = |st: &mut Stretcher, out: &mut Vec<f32>, buf: &mut Vec<f32>| {
        loop {
            let n = st.pull(buf);
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n * channels]);
        }
    };
    // Uneven block sizes, as file reads and device callbacks are.
    let mut at = 0;
    for block in [441usize, 1024, 97].iter().cycle() {
        if at >= input.len() {
            break;
        }
        let end = (at + block * channels).min(input.len());
        st.push(&input[at..end]);
        at = end;
        drain(&mut st, &mut out, &mut buf);
    }
    st.finish();
    drain(&mut st, &mut out, &mut buf);
    assert!(st.is_drained());
    out
}

fn channel(interleaved: &[f32], channels: usize, ch: usize) -> Vec<f32> {
    interleaved.iter().skip(ch).step_by(channels).copied().collect()
}

/// Frequency by rising zero crossings, ignoring `margin` samples at each end.
fn zero_crossing_freq(x: &[f32], rate: u32, margin: usize) -> f64 {
    let x = &x[margin..x.len() - margin];
    let mut first = None;
    let mut last = 0.0;
    let mut count = 0usize;
    for i in 1..x.len() {
        let (a, b) = (f64::from(x[i - 1]), f64::from(x[i]));
        if a < 0.0 && b >= 0.0 {
            let t = (i - 1) as f64 + a / (a - b);
            if first.is_none() {
                first = Some(t);
            } else {
                count += 1;
            }
            last = t;
        }
    }
    let first = first.expect("no zero crossing");
    count as f64 * f64::from(rate) / (last - first)
}

/// Fundamental by the highest normalised autocorrelation peak between 60 and 400 Hz.
fn autocorr_f0(x: &[f32], rate: u32, margin: usize) -> f64 {
    let x = &x[margin..x.len() - margin];
    let min_lag = (f64::from(rate) / 400.0) as usize;
    let max_lag = (f64::from(rate) / 60.0) as usize;
    let score = |lag: usize| -> f64 {
        let n = x.len() - lag;
        let dot: f64 = (0..n).map(|i| f64::from(x[i]) * f64::from(x[i + lag])).sum();
        dot / n as f64
    };
    let (mut best_lag, mut best) = (min_lag, f64::NEG_INFINITY);
    for lag in min_lag..=max_lag {
        let s = score(lag);
        if s > best {
            best = s;
            best_lag = lag;
        }
    }
    // Parabolic interpolation around the peak for sub-sample precision.
    let (a, b, c) = (score(best_lag - 1), best, score(best_lag + 1));
    let shift = 0.5 * (a - c) / (a - 2.0 * b + c);
    f64::from(rate) / (best_lag as f64 + shift)
}

fn check(label: &str, got: f64, want: f64, tol: f64) {
    let err = (got - want).abs() / want;
    println!("{label}: got {got:.3}, want {want:.3}, error {:.3} %", err * 100.0);
    assert!(
        err <= tol,
        "{label}: got {got}, want {want} (error {:.3} % > {:.1} %)",
        err * 100.0,
        tol * 100.0
    );
}

#[test]
fn tones_keep_their_pitch_and_take_input_over_speed() {
    for rate in [8000u32, 16000, 44100, 48000] {
        for freq in [440.0, 1000.0] {
            let input = tone(freq, rate, 1.0, 0.6);
            for speed in SPEEDS {
                let out = stretch(&input, rate, 1, speed);
                let label = format!("{rate} Hz, {freq} Hz tone at {speed}x");
                check(&format!("{label} duration"), out.len() as f64, input.len() as f64 / speed, 0.01);
                let margin = rate as usize / 20;
                check(&format!("{label} frequency"), zero_crossing_freq(&out, rate, margin), freq, 0.01);
            }
        }
    }
}

#[test]
fn speed_one_is_pass_through() {
    let rate = 8000;
    let input = tone(440.0, rate, 1.0, 0.5);
    let out = stretch(&input, rate, 1, 1.0);
    assert_eq!(out.len(), input.len());
    // After the first hop's 12.5 ms fade-in the output is the input.
    let skip = rate as usize / 80;
    let max_err = out[skip..].iter().zip(&input[skip..]).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
    println!("speed 1.0: max |out - in| = {max_err:e}");
    assert!(max_err < 1e-5);
}

#[test]
fn stereo_channels_share_splice_points_and_keep_their_own_pitch() {
    let rate = 8000;
    let left = tone(440.0, rate, 2.0, 0.5);
    let right = tone(1000.0, rate, 2.0, 0.3);
    let input: Vec<f32> = left.iter().zip(&right).flat_map(|(l, r)| [*l, *r]).collect();
    for speed in SPEEDS {
        let out = stretch(&input, rate, 2, speed);
        let (l, r) = (channel(&out, 2, 0), channel(&out, 2, 1));
        let margin = rate as usize / 20;
        check(&format!("stereo L at {speed}x"), zero_crossing_freq(&l, rate, margin), 440.0, 0.01);
        check(&format!("stereo R at {speed}x"), zero_crossing_freq(&r, rate, margin), 1000.0, 0.01);
        check(&format!("stereo duration at {speed}x"), l.len() as f64, left.len() as f64 / speed, 0.01);
    }
    // Same splice points: a right channel that is a scaled copy of the left stays one.
    let input: Vec<f32> = left.iter().flat_map(|l| [*l, -0.5 * *l]).collect();
    let out = stretch(&input, rate, 2, 2.0);
    let max_err = out.chunks(2).map(|f| (f[1] + 0.5 * f[0]).abs()).fold(0.0, f32::max);
    assert!(max_err < 1e-6, "channels diverged by {max_err}");
}

#[test]
fn voiced_speech_like_signal_keeps_its_fundamental() {
    // A 120 Hz harmonic complex (a low male voice's buzz) with falling harmonics.
    let rate = 8000;
    let n = rate as usize * 2;
    let input: Vec<f32> = (0..n)
        .map(|i| {
            let t = i as f64 / f64::from(rate);
            (1..=12).map(|h| (std::f64::consts::TAU * 120.0 * h as f64 * t).sin() / h as f64).sum::<f64>()
                as f32
                * 0.2
        })
        .collect();
    for speed in SPEEDS {
        let out = stretch(&input, rate, 1, speed);
        check(&format!("120 Hz voice at {speed}x f0"), autocorr_f0(&out, rate, 400), 120.0, 0.01);
    }
}

#[test]
fn speed_changes_mid_stream_keep_position_monotonic_and_cover_the_input() {
    let rate = 8000;
    let input = tone(440.0, rate, 3.0, 0.5);
    let mut st = Stretcher::new(rate, 1);
    let mut buf = [0.0f32; 128];
    let mut positions = Vec::new();
    let mut pull_all = |st: &mut Stretcher, positions: &mut Vec<f64>| {
        loop {
            let p = st.position();
            if st.pull(&mut buf[..1]) == 0 {
                break;
            }
            positions.push(p);
        }
    };
    for (i, chunk) in input.chunks(800).enumerate() {
        st.set_speed([1.0, 2.5, 0.5, 1.5][i % 4]);
        st.push(chunk);
        pull_all(&mut st, &mut positions);
    }
    st.finish();
    pull_all(&mut st, &mut positions);
    // Positions step by the speed in force (0.5..=2.5 input frames per output frame) and
    // run to the end of the input.
    for w in positions.windows(2) {
        let step = w[1] - w[0];
        assert!((0.5 - 1e-9..=2.5 + 1e-9).contains(&step), "position step {step} at {}", w[0]);
    }
    let last = *positions.last().unwrap();
    let len = input.len() as f64;
    assert!(last < len && last >= len - 2.5, "last position {last} of {len}");
}

#[test]
fn noise_and_silence_do_not_panic_or_blow_up() {
    let rate = 48000;
    let mut seed = 1u32;
    let noise: Vec<f32> = (0..rate as usize * 2)
        .map(|_| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5
        })
        .collect();
    for speed in SPEEDS {
        let out = stretch(&noise, rate, 2, speed);
        assert!(out.iter().all(|v| v.is_finite() && v.abs() <= 1.0));
        let silence = vec![0.0; rate as usize];
        let out = stretch(&silence, rate, 1, speed);
        assert!(out.iter().all(|v| *v == 0.0));
    }
    // Empty input gives empty output.
    assert!(stretch(&[], 8000, 1, 2.0).is_empty());
}

/// Pitch track: `(centre time s, f0 Hz)` of the voiced 40 ms frames of `x`, every 20 ms
/// (normalised autocorrelation peak ≥ 0.6 between 70 and 400 Hz, parabolic interpolation,
/// frame RMS above a quarter of the loudest frame's).
fn pitch_track(x: &[f32], rate: u32) -> Vec<(f64, f64)> {
    let frame = (rate / 25) as usize;
    let hop = (rate / 50) as usize;
    let (min_lag, max_lag) = ((rate / 400) as usize, (rate / 70) as usize);
    let rms = |s: &[f32]| (s.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() / s.len() as f64).sqrt();
    let loudest = x.windows(frame).step_by(hop).map(rms).fold(0.0, f64::max);
    let mut track = Vec::new();
    for (k, s) in x.windows(frame + max_lag).step_by(hop).enumerate() {
        if rms(&s[..frame]) < loudest / 4.0 {
            continue;
        }
        let e0: f64 = s[..frame].iter().map(|v| f64::from(*v).powi(2)).sum();
        let corr = |lag: usize| {
            let dot: f64 = (0..frame).map(|i| f64::from(s[i]) * f64::from(s[i + lag])).sum();
            let el: f64 = s[lag..lag + frame].iter().map(|v| f64::from(*v).powi(2)).sum();
            dot / (e0 * el).sqrt().max(1e-12)
        };
        let mut best = (0.0, 0);
        for lag in min_lag..=max_lag {
            let r = corr(lag);
            if r > best.0 {
                best = (r, lag);
            }
        }
        if best.0 >= 0.6 && best.1 > min_lag && best.1 < max_lag {
            // At 8 kHz one lag step is ~1.3 % of a 105 Hz period: interpolate.
            let (a, b, c) = (corr(best.1 - 1), best.0, corr(best.1 + 1));
            let shift = 0.5 * (a - c) / (a - 2.0 * b + c);
            let t = (k * hop + frame / 2) as f64 / f64::from(rate);
            track.push((t, f64::from(rate) / (best.1 as f64 + shift.clamp(-0.5, 0.5))));
        }
    }
    track
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

#[test]
fn gliding_voice_keeps_its_pitch_contour() {
    // A harmonic complex whose f0 glides 100 → 160 → 100 Hz over 3 s (intonation). Each
    // output frame at time t must have the pitch the input had at t · speed.
    // Tolerance: median relative error ≤ 1 %, 90th percentile ≤ 3 %.
    let rate = 8000;
    let n = rate as usize * 3;
    let f0 = |t: f64| 130.0 - 30.0 * (std::f64::consts::TAU * t / 3.0).cos();
    let mut phase = 0.0f64;
    let input: Vec<f32> = (0..n)
        .map(|i| {
            phase += std::f64::consts::TAU * f0(i as f64 / f64::from(rate)) / f64::from(rate);
            (1..=10).map(|h| (phase * h as f64).sin() / h as f64).sum::<f64>() as f32 * 0.2
        })
        .collect();
    for speed in SPEEDS {
        let out = stretch(&input, rate, 1, speed);
        let track = pitch_track(&out, rate);
        assert!(track.len() as f64 > 0.9 * 3.0 / speed * 50.0, "voiced frames lost: {}", track.len());
        let mut errors: Vec<f64> = track.iter().map(|(t, f)| (f / f0(t * speed) - 1.0).abs()).collect();
        errors.sort_by(f64::total_cmp);
        let p90 = errors[errors.len() * 9 / 10];
        println!(
            "gliding voice at {speed}x: median error {:.3} %, p90 {:.3} %",
            median(errors.clone()) * 100.0,
            p90 * 100.0
        );
        assert!(median(errors) <= 0.01 && p90 <= 0.03);
    }
}

#[test]
fn corpus_speech_keeps_its_pitch_at_every_speed() {
    // The agent and customer channels of a corpus call (espeak voices, 8 kHz), stretched as
    // the player does (stereo, shared splice points). Each voiced output frame at time t is
    // compared with the input's pitch at t · speed (nearest input frame within 10 ms, where
    // both are voiced). Tolerance: median relative error ≤ 2 %, and at least half the
    // output frames comparable. A plain resampling "chipmunk" at 2x would be off by 100 %.
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/corpus/dev_c_dispute.wav");
    let mut reader = hound::WavReader::open(path).unwrap();
    let rate = reader.spec().sample_rate;
    let samples: Vec<f32> = reader.samples::<i16>().map(|s| f32::from(s.unwrap()) / 32768.0).collect();
    for speed in SPEEDS {
        let out = stretch(&samples, rate, 2, speed);
        for ch in 0..2 {
            let track_in = pitch_track(&channel(&samples, 2, ch), rate);
            assert!(track_in.len() > 100, "too little voiced speech to measure: {}", track_in.len());
            let track_out = pitch_track(&channel(&out, 2, ch), rate);
            let errors: Vec<f64> = track_out
                .iter()
                .filter_map(|(t, f)| {
                    let want = t * speed;
                    let i = track_in.partition_point(|p| p.0 < want);
                    [i.checked_sub(1), Some(i)]
                        .into_iter()
                        .flatten()
                        .filter_map(|j| track_in.get(j))
                        .filter(|p| (p.0 - want).abs() <= 0.010)
                        .map(|p| (f / p.1 - 1.0).abs())
                        .next()
                })
                .collect();
            let label = format!("channel {ch} speech at {speed}x");
            let err = median(errors.clone());
            println!(
                "{label}: {} voiced output frames, {} comparable, median pitch error {:.2} %",
                track_out.len(),
                errors.len(),
                err * 100.0
            );
            assert!(errors.len() * 2 >= track_out.len(), "{label}: too few comparable frames");
            assert!(err <= 0.02, "{label}: median pitch error {:.2} % > 2 %", err * 100.0);
        }
    }
}
