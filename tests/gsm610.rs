//! GSM 06.10 decoder checked against sox (which decodes GSM with libgsm), sample for sample.
//!
//! GSM 06.10 is bit-exact by specification, so every comparison here is exact equality.
//! The reference decodes were made once with sox and committed (CI has no sox):
//!
//! ```text
//! sox tests/fixtures/corpus/dev_a_courteous_gsm610_mono.wav -t raw -e signed -b 16 -L \
//!     tests/fixtures/sox/dev_a_courteous_gsm610_mono.s16
//! # 200 blocks of random bytes (Python random.seed(610)) in a WAV49 container:
//! sox gsm610_random_wav49.wav -t raw -e signed -b 16 -L gsm610_random_wav49.s16
//! # standard 33-byte frames: 3 s of dev_c_dispute encoded by sox, 200 random frames with the
//! # 0xD signature (random.seed(1006)), and 1 s of full-scale square wave + noise:
//! sox dev_c_dispute.wav -r 8000 -c 1 x.wav trim 10 3; sox x.wav -t gsm gsm610_dev_c_3s.gsm
//! sox -n -r 8000 -c 1 -b 16 loud.wav synth 1 square 300 synth 1 whitenoise amod 3 gain -n 0
//! sox loud.wav -t gsm gsm610_loud.gsm
//! sox -t gsm NAME.gsm -t raw -e signed -b 16 -L NAME.s16
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use callqa::audio::codecs::gsm610::GsmDecoder;

fn fixture(rel: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn s16le(bytes: &[u8]) -> Vec<i16> {
    assert_eq!(bytes.len() % 2, 0, "raw s16 fixture has an odd length");
    bytes.chunks_exact(2).map(|c| i16::from_le_bytes([c[0], c[1]])).collect()
}

/// The chunks of a RIFF/WAVE file, as (id, body) pairs.
fn riff_chunks(wav: &[u8]) -> Vec<([u8; 4], &[u8])> {
    assert_eq!(&wav[0..4], b"RIFF");
    assert_eq!(&wav[8..12], b"WAVE");
    let mut chunks = Vec::new();
    let mut pos = 12;
    while pos + 8 <= wav.len() {
        let id: [u8; 4] = wav[pos..pos + 4].try_into().unwrap();
        let size = u32::from_le_bytes(wav[pos + 4..pos + 8].try_into().unwrap()) as usize;
        let body = &wav[pos + 8..(pos + 8 + size).min(wav.len())];
        chunks.push((id, body));
        pos += 8 + size + (size & 1);
    }
    chunks
}

/// A GSM 6.10 WAV's data chunk and the true sample count from its fact chunk.
fn gsm_wav(wav: &[u8]) -> (&[u8], usize) {
    let chunks = riff_chunks(wav);
    let fmt = chunks.iter().find(|(id, _)| id == b"fmt ").expect("fmt chunk").1;
    assert_eq!(u16::from_le_bytes([fmt[0], fmt[1]]), 0x31, "format tag is WAVE_FORMAT_GSM610");
    assert_eq!(u16::from_le_bytes([fmt[12], fmt[13]]), 65, "block align");
    let fact = chunks.iter().find(|(id, _)| id == b"fact").expect("fact chunk").1;
    let samples = u32::from_le_bytes(fact[0..4].try_into().unwrap()) as usize;
    let data = chunks.iter().find(|(id, _)| id == b"data").expect("data chunk").1;
    (data, samples)
}

fn decode_wav49(data: &[u8]) -> Vec<i16> {
    let mut decoder = GsmDecoder::new();
    let mut samples = Vec::new();
    let mut out = [0i16; 320];
    for block in data.chunks_exact(65) {
        decoder.decode_wav49_block(block.try_into().unwrap(), &mut out);
        samples.extend_from_slice(&out);
    }
    samples
}

fn decode_frames(data: &[u8]) -> Vec<i16> {
    assert_eq!(data.len() % 33, 0, ".gsm fixture is not whole frames");
    let mut decoder = GsmDecoder::new();
    let mut samples = Vec::new();
    let mut out = [0i16; 160];
    for frame in data.chunks_exact(33) {
        assert_eq!(frame[0] >> 4, 0xD, "frame signature");
        decoder.decode_frame(frame.try_into().unwrap(), &mut out);
        samples.extend_from_slice(&out);
    }
    samples
}

/// Counts equal samples over the common length; prints the figures and the first mismatch.
fn compare(name: &str, ours: &[i16], sox: &[i16]) -> usize {
    let n = ours.len().min(sox.len());
    let matching = ours.iter().zip(sox).filter(|(a, b)| a == b).count();
    println!("{name}: {matching} of {n} samples match sox (ours {}, sox {})", ours.len(), sox.len());
    if let Some(i) = ours.iter().zip(sox).position(|(a, b)| a != b) {
        let end = (i + 8).min(n);
        println!("  first mismatch at {i}: ours {:?}, sox {:?}", &ours[i..end], &sox[i..end]);
    }
    matching
}

#[test]
fn dev_a_wav49_matches_sox_exactly() {
    let wav = fixture("corpus/dev_a_courteous_gsm610_mono.wav");
    let (data, fact) = gsm_wav(&wav);
    assert_eq!(data.len(), 85866);
    assert_eq!(data.len() / 65, 1321);
    let ours = decode_wav49(data);
    assert_eq!(ours.len(), 422_720);
    assert!(fact <= ours.len(), "fact {fact} exceeds the decoded {}", ours.len());

    let sox = s16le(&fixture("sox/dev_a_courteous_gsm610_mono.s16"));
    assert!(sox.len() >= fact, "sox decode is shorter than fact");
    let matching = compare("dev_a (first fact samples)", &ours[..fact], &sox[..fact]);
    assert_eq!(matching, fact);
    assert!(ours[..fact] == sox[..fact]);
    // sox also writes the padding of the last block; that is decoded the same way.
    assert_eq!(compare("dev_a (all blocks)", &ours, &sox), sox.len());
    assert_eq!(ours.len(), sox.len());
    // Not trivially equal: the call is speech.
    let peak = ours.iter().map(|s| s.unsigned_abs()).max().unwrap_or(0);
    assert!(peak > 5000, "peak {peak}");
}

#[test]
fn random_wav49_blocks_match_sox_exactly() {
    let wav = fixture("sox/gsm610_random_wav49.wav");
    let (data, fact) = gsm_wav(&wav);
    let ours = decode_wav49(data);
    let sox = s16le(&fixture("sox/gsm610_random_wav49.s16"));
    assert_eq!(ours.len(), 64_000);
    assert_eq!(fact, 64_000);
    assert_eq!(compare("random WAV49 blocks", &ours, &sox), 64_000);
    assert!(ours == sox);
}

#[test]
fn standard_frames_match_sox_exactly() {
    for (name, samples) in
        [("gsm610_dev_c_3s", 24_000), ("gsm610_loud", 8_000), ("gsm610_random_frames", 32_000)]
    {
        let ours = decode_frames(&fixture(&format!("sox/{name}.gsm")));
        let sox = s16le(&fixture(&format!("sox/{name}.s16")));
        assert_eq!(ours.len(), samples, "{name}");
        assert_eq!(compare(name, &ours, &sox), samples, "{name}");
        assert!(ours == sox, "{name}");
    }
}

#[test]
fn loud_input_reaches_saturation_and_still_matches() {
    // The full-scale fixture is there to exercise the saturating paths; make sure it does.
    let ours = decode_frames(&fixture("sox/gsm610_loud.gsm"));
    let peak = ours.iter().map(|s| s.unsigned_abs()).max().unwrap_or(0);
    assert!(peak >= 30_000, "peak {peak}");
}
