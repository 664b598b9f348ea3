//! Property test over random, generated and mutated WAV headers: the reader never panics,
//! every read returns what it promises, samples stay in [-1, 1], and its buffers follow the
//! bytes in the file, never a header's claim (raw buffer ≤ file length; decoded-block buffers
//! ≤ 30 x file length, GSM's expansion), and unfinalised ADPCM/GSM files read to the end
//! whatever their fact chunk says. Bounded case counts keep it under 30 s in CI.
//! The open-ended fuzzer is `fuzz/` (cargo-fuzz), see `scripts/fuzz.sh`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use callqa::audio::WavReader;
use proptest::prelude::*;

/// Opens and exercises the reader; panics (the failure) only on a broken promise.
fn exercise(bytes: Vec<u8>, block: usize, seeks: &[u64]) {
    let len = bytes.len();
    let Ok(mut r) = WavReader::from_bytes(bytes) else { return };
    let info = r.info().clone();
    let ch = usize::from(info.channels);
    assert!(ch >= 1);
    assert!(info.duration_s().is_finite());
    let mut out = Vec::new();
    let mut total = 0u64;
    for _ in 0..10_000 {
        let n = r.read_frames(&mut out, block).unwrap();
        assert!(n <= block);
        assert_eq!(out.len(), n * ch);
        assert!(out.iter().all(|x| (-1.0..=1.0).contains(x)), "sample out of range");
        total += n as u64;
        if n == 0 {
            break;
        }
    }
    assert_eq!(total, r.info().frames, "streamed frames = reported frames");
    assert!(total <= info.frames);
    for &s in seeks {
        let frame = if info.frames == 0 { s } else { s % (info.frames + 2) };
        r.seek(frame).unwrap();
        let n = r.read_frames(&mut out, block).unwrap();
        assert!(n as u64 <= r.info().frames.saturating_sub(frame.min(r.info().frames)));
    }
    assert!(r.raw_buffer_capacity() <= len, "raw buffer {} > file {len}", r.raw_buffer_capacity());
    assert!(
        r.decoded_buffer_capacity() <= 30 * len,
        "decoded buffers {} > 30 x file {len}",
        r.decoded_buffer_capacity()
    );
}

fn chunk(id: &[u8; 4], size: u32, body: &[u8]) -> Vec<u8> {
    let mut c = id.to_vec();
    c.extend(size.to_le_bytes());
    c.extend(body);
    c
}

prop_compose! {
    /// A plausible-looking WAV whose every header field may lie.
    fn generated_wav()(
        tag in prop_oneof![Just(1u16), Just(3), Just(6), Just(7), Just(2), Just(0x11), Just(0x31),
                           Just(0xFFFE), any::<u16>()],
        channels in prop_oneof![1u16..=2, 0u16..=70, any::<u16>()],
        rate in prop_oneof![Just(8000u32), any::<u32>()],
        block_align in prop_oneof![Just(65u16), Just(512), 0u16..16, any::<u16>()],
        bits in prop_oneof![Just(16u16), Just(8), Just(4), Just(24), Just(32), Just(64), any::<u16>()],
        extra in proptest::collection::vec(any::<u8>(), 0..60),
        sub_tag in prop_oneof![Just(1u16), Just(3), Just(0x11), any::<u16>()],
        fact in proptest::option::of(any::<u32>()),
        list in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..80)),
        data_size in prop_oneof![Just(0u32), Just(u32::MAX), 0u32..5000, any::<u32>()],
        riff_size in prop_oneof![Just(0u32), Just(u32::MAX), any::<u32>()],
        payload in proptest::collection::vec(any::<u8>(), 0..3000),
        fmt_size_lie in prop_oneof![Just(None), Just(Some(u32::MAX)), (0u32..40).prop_map(Some)],
    ) -> Vec<u8> {
        let mut fmt = Vec::new();
        fmt.extend(tag.to_le_bytes());
        fmt.extend(channels.to_le_bytes());
        fmt.extend(rate.to_le_bytes());
        fmt.extend(rate.wrapping_mul(4).to_le_bytes());
        fmt.extend(block_align.to_le_bytes());
        fmt.extend(bits.to_le_bytes());
        let mut ext = extra.clone();
        if tag == 0xFFFE && ext.len() >= 22 {
            ext[6..8].copy_from_slice(&sub_tag.to_le_bytes());
            ext[8..22].copy_from_slice(&[0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71]);
        }
        fmt.extend((ext.len() as u16).to_le_bytes());
        fmt.extend(&ext);
        let mut b = b"RIFF".to_vec();
        b.extend(riff_size.to_le_bytes());
        b.extend(b"WAVE");
        b.extend(chunk(b"fmt ", fmt_size_lie.unwrap_or(fmt.len() as u32), &fmt));
        if let Some(f) = fact {
            b.extend(chunk(b"fact", 4, &f.to_le_bytes()));
        }
        if let Some(l) = list {
            let mut body = b"INFO".to_vec();
            body.extend(&l);
            b.extend(chunk(b"LIST", body.len() as u32, &body));
            if body.len() % 2 == 1 { b.push(0); }
        }
        b.extend(chunk(b"data", data_size, &payload));
        b
    }
}

fn corpus_heads() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    [
        "corpus/dev_d_long_hold_ima_adpcm.wav",
        "corpus/dev_a_courteous_gsm610_mono.wav",
        "corpus/dev_f_brief_listinfo.wav",
        "corpus/dev_c_dispute_extensible_pcm16.wav",
        "corpus/dev_f_brief_pcm24_48k.wav",
        "corpus/dev_f_brief_float32_44k1.wav",
        "corpus/ग्राहक_कॉल_17.wav",
        "sox/dev_f_brief_ms_adpcm.wav",
    ]
    .iter()
    .map(|p| {
        let mut b = std::fs::read(dir.join(p)).unwrap();
        b.truncate(6000);
        b
    })
    .collect()
}

/// A block-codec corpus file's header around its first `blocks` blocks, as a recorder that
/// died would leave it: RIFF and data sizes `size`, the fact chunk saying `fact`.
fn unfinalised_blocks(rel: &str, blocks: usize, size: u32, fact: u32) -> (Vec<u8>, u64, u64) {
    let src = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(rel)).unwrap();
    let (block, frames) = match u16::from_le_bytes([src[20], src[21]]) {
        0x11 => (512, 505),
        0x02 => (512, 500),
        _ => (65, 320),
    };
    let mut b = b"RIFF".to_vec();
    b.extend(size.to_le_bytes());
    b.extend(b"WAVE");
    let mut pos = 12;
    while pos + 8 <= src.len() {
        let id = &src[pos..pos + 4];
        let len = u32::from_le_bytes(src[pos + 4..pos + 8].try_into().unwrap()) as usize;
        let body = &src[pos + 8..(pos + 8 + len).min(src.len())];
        match id {
            b"fact" => b.extend(chunk(b"fact", 4, &fact.to_le_bytes())),
            b"data" => b.extend(chunk(b"data", size, &body[..blocks * block])),
            _ => {
                b.extend(&src[pos..pos + 8]);
                b.extend(body);
            }
        }
        pos += 8 + len + (len & 1);
    }
    (b, blocks as u64 * frames, frames)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Issue 12, item 7: an unfinalised ADPCM or GSM recording reads to the end of its data
    /// whatever its fact chunk says (0, stale, too big): at most the last block's padding is
    /// trimmed, with the unfinalised warning first.
    #[test]
    fn unfinalised_block_codecs_read_to_the_end_whatever_the_fact_says(
        which in 0usize..3,
        blocks in 1usize..12,
        size in prop_oneof![Just(0u32), Just(u32::MAX)],
        fact in prop_oneof![Just(0u32), 0u32..7000, any::<u32>()],
    ) {
        let rel = ["corpus/dev_d_long_hold_ima_adpcm.wav", "sox/dev_f_brief_ms_adpcm.wav",
                   "corpus/dev_a_courteous_gsm610_mono.wav"][which];
        let (bytes, present, per_block) = unfinalised_blocks(rel, blocks, size, fact);
        let r = WavReader::from_bytes(bytes.clone()).unwrap();
        let info = r.info();
        prop_assert!(info.frames <= present && info.frames > present - per_block,
                     "{rel}: {} frames of {present} (fact {fact})", info.frames);
        prop_assert!(info.warnings[0].starts_with("unfinalised recording"), "{:?}", info.warnings);
        exercise(bytes, 1000, &[present / 2]);
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600),
                                riff in any::<bool>(), block in 1usize..5000,
                                seeks in proptest::collection::vec(any::<u64>(), 0..4)) {
        let mut bytes = bytes;
        if riff && bytes.len() >= 12 {
            bytes[..4].copy_from_slice(b"RIFF");
            bytes[8..12].copy_from_slice(b"WAVE");
        }
        exercise(bytes, block, &seeks);
    }

    #[test]
    fn generated_headers_never_panic(wav in generated_wav(), block in 1usize..5000,
                                     seeks in proptest::collection::vec(any::<u64>(), 0..4)) {
        exercise(wav, block, &seeks);
    }

    #[test]
    fn mutated_corpus_headers_never_panic(
        which in 0usize..8,
        cut in 0usize..6000,
        edits in proptest::collection::vec((0usize..120, any::<u8>()), 1..8),
        block in 1usize..5000,
        seeks in proptest::collection::vec(any::<u64>(), 0..4),
    ) {
        let heads = corpus_heads();
        let mut b = heads[which].clone();
        for (at, v) in edits {
            if let Some(x) = b.get_mut(at) { *x = v; }
        }
        b.truncate(cut.max(1));
        exercise(b, block, &seeks);
    }
}
