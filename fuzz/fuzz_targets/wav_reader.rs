//! Fuzz target: any bytes → `WavReader::from_bytes`; if it opens, stream it to the end in odd
//! blocks, seek around, and check the promises the property test checks (no panic, samples in
//! [-1, 1], frames as reported, buffers bounded by the input length).
#![no_main]

// The audio modules, compiled straight from src/audio/ (they only refer to each other
// through `super::`, so at the crate root they find each other as in the app).
#[allow(dead_code)] // the frame-at-a-time GSM API and its constants serve the .gsm tests only
#[path = "../../src/audio/codecs/mod.rs"]
mod codecs;
#[path = "../../src/audio/error.rs"]
mod error;
#[path = "../../src/audio/format.rs"]
mod format;
#[path = "../../src/audio/pcm.rs"]
mod pcm;
#[allow(dead_code)]
#[path = "../../src/audio/reader.rs"]
mod reader;
#[path = "../../src/audio/riff.rs"]
mod riff;
use error::DecodeError;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let len = data.len();
    let block = 1 + usize::from(data.last().copied().unwrap_or(0)) * 37;
    let Ok(mut r) = reader::WavReader::from_bytes(data.to_vec()) else { return };
    let frames = r.info().frames;
    let ch = usize::from(r.info().channels);
    let mut out = Vec::new();
    let mut total = 0u64;
    while let Ok(n) = r.read_frames(&mut out, block) {
        assert_eq!(out.len(), n * ch);
        assert!(out.iter().all(|x| (-1.0..=1.0).contains(x)));
        total += n as u64;
        if n == 0 {
            break;
        }
    }
    assert_eq!(total, r.info().frames);
    assert!(total <= frames);
    for at in [frames / 3, frames.saturating_sub(1), frames + 5] {
        if r.seek(at).is_ok() {
            let _ = r.read_frames(&mut out, block);
        }
    }
    assert!(r.raw_buffer_capacity() <= len);
    assert!(r.decoded_buffer_capacity() <= 30 * len);
});
