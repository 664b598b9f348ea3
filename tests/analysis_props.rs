//! Properties of the analysis on random calls (any rate, channel count and block size): it
//! never panics, its spans are well formed and consistent with each other, and splitting the
//! per-frame work across threads (`SumStage` + `push_with_sums`) gives the same answers as
//! `push`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use callqa::analysis::{Analysis, Analyzer, Config, Staged, Talk};
use proptest::prelude::*;

/// One piece of a channel: `(kind, seconds, level dB, f0 Hz)`; kind 0 = noise floor only,
/// 1 = a noise burst, 2 = a voiced tone with harmonics and a pitch glide, 3 = a steady tone.
type Piece = (u8, f64, f32, f32);

fn render(pieces: &[Piece], rate: u32, seed: u32) -> Vec<f32> {
    let mut s = seed.max(1);
    let mut noise = move || {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        (s as f32 / u32::MAX as f32) * 2.0 - 1.0
    };
    let mut out = Vec::new();
    for &(kind, secs, db, f0) in pieces {
        let n = (secs * f64::from(rate)) as usize;
        let amp = 10f32.powf(db / 20.0);
        let mut phase = 0f32;
        for i in 0..n {
            let floor = 0.002 * noise();
            let t = i as f32 / n.max(1) as f32;
            let v = match kind {
                1 => amp * noise(),
                2 => {
                    // A falling glide, like the end of a sentence.
                    phase += 2.0 * std::f32::consts::PI * f0 * (1.0 - 0.3 * t) / rate as f32;
                    amp * (phase.sin() + 0.5 * (2.0 * phase).sin() + 0.25 * (3.0 * phase).sin())
                }
                3 => {
                    phase += 2.0 * std::f32::consts::PI * f0 / rate as f32;
                    amp * phase.sin()
                }
                _ => 0.0,
            };
            out.push((v + floor).clamp(-1.0, 1.0));
        }
    }
    out
}

fn piece() -> impl Strategy<Value = Piece> {
    (0u8..4, 0.005f64..1.2, -45f32..-3.0, 70f32..380.0)
}

fn talk_of(a: &Analysis) -> Vec<Vec<[f64; 2]>> {
    match &a.talk {
        Talk::Stereo { agent, customer } => vec![agent.clone(), customer.clone()],
        Talk::Mono { mixed } => vec![mixed.clone()],
    }
}

fn within(spans: &[[f64; 2]], s: f64, e: f64) -> bool {
    spans.iter().any(|x| x[0] <= s + 1e-9 && e <= x[1] + 1e-9)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, ..ProptestConfig::default() })]

    #[test]
    fn random_calls_give_well_formed_consistent_answers(
        rate in prop::sample::select(vec![800u32, 8000, 11025, 16000, 44100, 48000]),
        channels in 1u16..=3,
        chans in prop::collection::vec(prop::collection::vec(piece(), 1..8), 3),
        block in 1usize..20_000,
        seed in 1u32..u32::MAX,
    ) {
        let lanes: Vec<Vec<f32>> =
            chans.iter().enumerate().map(|(c, p)| render(p, rate, seed.wrapping_add(c as u32))).collect();
        let n = lanes.iter().take(usize::from(channels)).map(Vec::len).min().unwrap_or(0);
        let ch = usize::from(channels);
        let inter: Vec<f32> = (0..n).flat_map(|i| lanes.iter().take(ch).map(move |l| l[i])).collect();

        let mut plain = Analyzer::new(rate, channels, Config::default());
        let mut staged = Analyzer::new(rate, channels, Config::default());
        let mut stage = staged.sum_stage();
        let mut sums = Staged::default();
        for b in inter.chunks(block * ch) {
            plain.push(b);
            sums.clear();
            stage.push(b, &mut sums);
            staged.push_with_sums(b, &sums);
        }
        let a = plain.finish();
        let b = staged.finish();
        prop_assert_eq!(format!("{:?}", a.talk), format!("{:?}", b.talk));
        prop_assert_eq!(format!("{:?}", a.overtalk), format!("{:?}", b.overtalk));
        prop_assert_eq!(format!("{:?}", a.silence), format!("{:?}", b.silence));

        let dur = a.duration_s;
        prop_assert!((dur - n as f64 / f64::from(rate)).abs() < 1e-9);
        let talk = talk_of(&a);
        prop_assert_eq!(talk.len(), if channels == 1 { 1 } else { 2 });
        for side in &talk {
            for (i, s) in side.iter().enumerate() {
                prop_assert!(0.0 <= s[0] && s[0] < s[1] && s[1] <= dur + 1e-9, "span {:?} in {}", s, dur);
                if let Some(next) = side.get(i + 1) {
                    prop_assert!(s[1] <= next[0], "overlapping spans {:?} {:?}", s, next);
                }
            }
        }
        for o in &a.overtalk {
            prop_assert!(o.end_s - o.start_s >= 0.2 - 1e-9, "{:?}", o);
            prop_assert!(within(&talk[0], o.start_s, o.end_s) && within(&talk[1], o.start_s, o.end_s),
                "overtalk {:?} outside the talk spans", o);
        }
        if channels == 1 {
            prop_assert!(a.overtalk.is_empty());
        }
        for s in &a.silence {
            prop_assert!(s.end_s - s.start_s >= 2.0 - 1e-9);
            for side in &talk {
                prop_assert!(side.iter().all(|t| t[1] <= s.start_s + 1e-9 || t[0] >= s.end_s - 1e-9),
                    "silence {:?} overlaps talk", s);
            }
        }
        for w in a.overtalk.windows(2) {
            prop_assert!(w[0].end_s <= w[1].start_s + 1e-9, "overtalk out of order {:?}", w);
        }
    }
}
