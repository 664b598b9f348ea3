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
            let input = tone(freq, rate, 2.0, 0.6);
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
