//! Every corpus file through the player (no device: a consumer thread pulls the mixer):
//! a file that opens plays its first second, seeks to one second before its end and plays
//! to the end, with no read error and a position that follows; a file that does not open
//! is a clear `Open` error. At 1.5x with skips on, to exercise the whole path.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::num::NonZero;
use std::path::Path;

use callqa::audio::playback::{PlaybackError, Player};
use callqa::model::Span;

const OUT_RATE: u32 = 16000;

#[test]
fn every_corpus_file_plays_or_is_refused_clearly() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wav"))
        .collect();
    files.sort();
    assert!(files.len() >= 20, "corpus missing: {} files", files.len());
    let (mixer, mut output) = rodio::mixer::mixer(NonZero::new(2).unwrap(), NonZero::new(OUT_RATE).unwrap());
    let mut player = Player::with_mixer(mixer, 2);
    let mut pull = |secs: f64| {
        let n = (secs * f64::from(OUT_RATE)) as usize * 2;
        let block: Vec<f32> = (0..n).map(|_| output.next().unwrap_or(0.0)).collect();
        assert!(block.iter().all(|v| v.is_finite() && v.abs() <= 1.0));
    };
    let mut played = 0;
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy();
        match player.load(path) {
            Err(e) => {
                println!("{name}: refused: {e}");
                assert!(matches!(e, PlaybackError::Open(_)));
                assert!(name.starts_with("bad_"), "a good corpus file was refused: {name}: {e}");
                continue;
            }
            Ok(()) => played += 1,
        }
        let duration = player.duration_s();
        player.set_speed(1.5);
        player.set_skip(vec![Span::new(0.5, 0.6)], true);
        player.play();
        pull(0.4);
        let early = player.position_s();
        if duration < 0.7 {
            // Shorter than what was just played (bad_header_only: 0 s): it has ended.
            println!("{name}: {duration:.3} s, ended {}", player.ended());
            assert!(player.ended() && !player.is_playing(), "{name}: did not end");
            continue;
        }
        player.seek((duration - 1.0).max(0.0));
        pull(1.0);
        let ended = player.ended();
        println!(
            "{name}: {duration:.3} s, position {early:.3} after 0.4 s at 1.5x, ended {ended}, error {:?}",
            player.last_error()
        );
        assert!(player.last_error().is_none(), "{name}: {:?}", player.last_error());
        // 0.6 s of call audio played plus the 0.1 s skipped.
        assert!((early - 0.7).abs() < 0.05, "{name}: position {early} after 0.4 s at 1.5x");
        assert!(ended, "{name}: did not reach the end");
        assert!((player.position_s() - duration).abs() < 1e-9);
    }
    assert!(played >= 18, "only {played} files played");
}
