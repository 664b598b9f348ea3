//! Every file of the development corpus (tests/fixtures/corpus/) opens as the corpus README
//! says: durations within 1 ms of `manifest.tsv`, format variants equal to their master
//! within the stated tolerance, bad files with the stated error or warning, and no panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use callqa::audio::{DecodeError, Encoding, WavReader, content_hash};

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus").join(name)
}

fn decode(name: &str) -> (callqa::audio::WavInfo, Vec<f32>) {
    let mut r = WavReader::open(&corpus(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let samples = r.read_to_end().unwrap();
    (r.info().clone(), samples)
}

fn open_err(name: &str) -> String {
    match WavReader::open(&corpus(name)) {
        Ok(r) => panic!("{name} opened: {:?}", r.info()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn every_manifest_file_has_the_manifest_duration_and_format() {
    let manifest = std::fs::read_to_string(corpus("manifest.tsv")).unwrap();
    let mut checked = 0;
    for line in manifest.lines().skip(1) {
        let c: Vec<&str> = line.split('\t').collect();
        let (name, tag, rate, channels, duration) = (c[0], c[2], c[4], c[5], c[9]);
        if duration == "-" {
            assert!(WavReader::open(&corpus(name)).is_err(), "{name} should not open");
            continue;
        }
        let r = WavReader::open(&corpus(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let i = r.info();
        let want: f64 = duration.parse().unwrap();
        assert!((i.duration_s() - want).abs() <= 0.001, "{name}: {} s, manifest {want} s", i.duration_s());
        assert_eq!(format!("0x{:04X}", i.format_tag), tag, "{name}: format tag");
        assert_eq!(i.sample_rate.to_string(), rate, "{name}: rate");
        assert_eq!(i.channels.to_string(), channels, "{name}: channels");
        checked += 1;
    }
    assert_eq!(checked, 21, "every decodable corpus file was checked");
}

#[test]
fn extensible_pcm16_is_identical_to_the_master() {
    let (info, ext) = decode("dev_c_dispute_extensible_pcm16.wav");
    let (_, master) = decode("dev_c_dispute.wav");
    assert_eq!(info.encoding, Encoding::PcmS16le);
    assert_eq!(info.format_tag, 0xFFFE);
    assert_eq!(ext.len(), master.len());
    assert!(ext == master, "EXTENSIBLE samples differ from the master");
}

#[test]
fn copies_and_listinfo_variant_equal_the_master() {
    let (_, master) = decode("dev_f_brief.wav");
    let (_, meena) = decode("Agent Meena - 2024-06-12 09.05.41 (library hours).wav");
    assert!(meena == master);
    let (info, tagged) = decode("dev_f_brief_listinfo.wav");
    assert!(tagged == master, "LIST chunk must be skipped, not decoded");
    assert!(info.warnings.is_empty(), "{:?}", info.warnings);
    assert_eq!(info.metadata["INAM"], "Call F - library opening hours");
    assert_eq!(info.metadata["IART"], "Agent Meena");
    assert_eq!(info.metadata["ICMT"], "ch0=agent ch1=customer; ground truth dev_f_brief.json");
    assert_eq!(info.metadata["ICRD"], "2024-06-12");
}

#[test]
fn u8_matches_the_master_within_quantisation() {
    let (info, u8s) = decode("dev_f_brief_u8.wav");
    let (_, master) = decode("dev_f_brief.wav");
    assert_eq!(info.encoding, Encoding::PcmU8);
    assert_eq!(u8s.len(), master.len());
    let max = u8s.iter().zip(&master).map(|(a, b)| (a - b).abs()).fold(0f32, f32::max);
    eprintln!("u8 vs master: max |error| = {max:.5} (= {:.2} u8 steps)", max * 128.0);
    // Rounding to 8 bits: at most half a step (1/256).
    assert!(max <= 0.5 / 128.0 + 1e-6, "u8 error {max}");
}

/// RMS per 20 ms window of each channel, in dBFS (floor -100).
fn rms_envelope_db(samples: &[f32], channels: usize, rate: u32) -> Vec<Vec<f64>> {
    let win = (rate / 50) as usize;
    (0..channels)
        .map(|c| {
            samples
                .chunks_exact(win * channels)
                .map(|w| {
                    let e: f64 = w.iter().skip(c).step_by(channels).map(|&x| f64::from(x).powi(2)).sum();
                    10.0 * (e / win as f64).max(1e-10).log10()
                })
                .collect()
        })
        .collect()
}

/// Largest per-window RMS difference (dB) over windows louder than -50 dBFS in the master.
fn envelope_diff_db(variant: &[f32], rate: u32, master: &[f32]) -> f64 {
    let a = rms_envelope_db(variant, 2, rate);
    let b = rms_envelope_db(master, 2, 8000);
    let mut worst = 0f64;
    for (ca, cb) in a.iter().zip(&b) {
        assert!(ca.len().abs_diff(cb.len()) <= 1, "window counts {} vs {}", ca.len(), cb.len());
        for (x, y) in ca.iter().zip(cb) {
            if *y > -50.0 {
                worst = worst.max((x - y).abs());
            }
        }
    }
    worst
}

/// Linear interpolation of `samples` (interleaved stereo at `rate`) at the master's 8 kHz times.
fn at_8k(samples: &[f32], rate: u32, n: usize) -> Vec<f32> {
    let frames = samples.len() / 2;
    let mut out = Vec::with_capacity(n * 2);
    for i in 0..n {
        let t = i as f64 * f64::from(rate) / 8000.0;
        let j = (t.floor() as usize).min(frames - 1);
        let k = (j + 1).min(frames - 1);
        let f = (t - j as f64) as f32;
        for c in 0..2 {
            out.push(samples[j * 2 + c] * (1.0 - f) + samples[k * 2 + c] * f);
        }
    }
    out
}

fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0f32, f32::max)
}

#[test]
fn pcm24_48k_matches_the_master() {
    let (info, s) = decode("dev_f_brief_pcm24_48k.wav");
    let (_, master) = decode("dev_f_brief.wav");
    assert_eq!(info.encoding, Encoding::PcmS24le);
    assert_eq!(info.frames, 6 * master.len() as u64 / 2, "48 kHz = 6 x 8 kHz frames");
    let env = envelope_diff_db(&s, 48_000, &master);
    let diff = max_abs_diff(&at_8k(&s, 48_000, master.len() / 2), &master);
    eprintln!("24-bit/48k vs master: envelope max {env:.3} dB, sample max |error| {diff:.5}");
    // Tolerances: 20 ms RMS envelopes within 0.5 dB wherever the master is above -50 dBFS;
    // every 6th sample within 0.002 of the master (resampler ripple + 24-bit rounding).
    assert!(env <= 0.5, "RMS envelope differs by {env} dB");
    assert!(diff <= 0.002, "resampled samples differ by {diff}");
}

#[test]
fn float32_44k1_matches_the_master() {
    let (info, s) = decode("dev_f_brief_float32_44k1.wav");
    let (_, master) = decode("dev_f_brief.wav");
    assert_eq!(info.encoding, Encoding::Float32);
    let env = envelope_diff_db(&s, 44_100, &master);
    let diff = max_abs_diff(&at_8k(&s, 44_100, master.len() / 2), &master);
    eprintln!("float32/44.1k vs master: envelope max {env:.3} dB, sample max |error| {diff:.5}");
    // Tolerances: envelopes within 0.5 dB (above -50 dBFS); linear interpolation at the 8 kHz
    // instants within 0.008 (its error for a 3.4 kHz band at 44.1 kHz, plus resampler ripple).
    assert!(env <= 0.5, "RMS envelope differs by {env} dB");
    assert!(diff <= 0.008, "resampled samples differ by {diff}");
}

#[test]
fn bad_truncated_uses_what_is_there_and_warns() {
    let (info, s) = decode("bad_truncated.wav");
    assert_eq!(info.frames, 9 * 8000);
    assert_eq!(s.len(), 9 * 8000 * 2, "partial frame dropped");
    assert_eq!(info.warnings[0], "truncated: header says 15.0 s, file holds 9.0 s");
    assert!(info.warnings.iter().any(|w| w.contains("dropped 1 byte")), "{:?}", info.warnings);
    let (_, master) = decode("dev_f_brief.wav");
    assert!(s[..] == master[..s.len()], "the 9 s present are the master's first 9 s");
}

#[test]
fn unfinalised_files_read_to_the_end_with_a_warning() {
    for (name, size) in
        [("bad_unfinalized_ffffffff.wav", "0xFFFFFFFF"), ("bad_unfinalized_zero_sizes.wav", "0")]
    {
        let mut r = WavReader::open(&corpus(name)).unwrap();
        assert_eq!(r.info().frames, 6 * 8000, "{name}");
        let w = &r.info().warnings;
        assert_eq!(w.len(), 1, "{name}: {w:?}");
        assert!(w[0].starts_with(&format!("unfinalised recording: data size {size} ")), "{name}: {w:?}");
        assert!(w[0].contains("read 6.0 s to the end of the file"), "{name}: {w:?}");
        assert!(r.raw_buffer_capacity() <= 192_000, "{name}: no 4 GiB buffer");
        assert_eq!(r.read_to_end().unwrap().len(), 6 * 8000 * 2);
        assert!(r.raw_buffer_capacity() <= 192_000, "{name}: buffer bounded by the data present");
    }
}

/// The chunks of a WAV file in order: (id, body).
fn chunks(bytes: &[u8]) -> Vec<([u8; 4], Vec<u8>)> {
    let mut out = Vec::new();
    let mut pos = 12;
    while pos + 8 <= bytes.len() {
        let id: [u8; 4] = bytes[pos..pos + 4].try_into().unwrap();
        let size = u32::from_le_bytes(bytes[pos + 4..pos + 8].try_into().unwrap()) as usize;
        let end = (pos + 8 + size).min(bytes.len());
        out.push((id, bytes[pos + 8..end].to_vec()));
        pos = end + (size & 1);
    }
    out
}

/// The first `data_bytes` of a block-codec corpus file re-wrapped as a recorder that died
/// before finalising would leave it: RIFF and data sizes `size` (0 or 0xFFFFFFFF), the fact
/// chunk saying `fact` frames (`None`: no fact chunk).
fn unfinalised_copy(bytes: &[u8], data_bytes: usize, size: u32, fact: Option<u32>) -> Vec<u8> {
    let mut b = b"RIFF".to_vec();
    b.extend(size.to_le_bytes());
    b.extend(b"WAVE");
    for (id, body) in chunks(bytes) {
        let body = match &id {
            b"fact" => match fact {
                Some(f) => f.to_le_bytes().to_vec(),
                None => continue,
            },
            b"data" => body[..data_bytes].to_vec(),
            _ => body,
        };
        b.extend(id);
        b.extend(if &id == b"data" { size } else { body.len() as u32 }.to_le_bytes());
        b.extend(&body);
        if body.len() % 2 == 1 && &id != b"data" {
            b.push(0);
        }
    }
    b
}

/// Issue 12, item 7: an unfinalised ADPCM or GSM file whose fact chunk still says 0 (the
/// writer fills it in when it finalises) read as 0 s. It must read to the end of the data
/// present, like the same file without a fact chunk, with the unfinalised warning only; a
/// fact chunk left at a stale count short of the last block does not cut it either.
#[test]
fn unfinalised_block_codecs_with_fact_zero_read_to_the_end() {
    let dir = tempfile::tempdir().unwrap();
    // (file, data bytes kept, frames they hold, channels): 8 IMA / MS ADPCM blocks of 512
    // bytes (505 / 500 frames each), 13 GSM blocks of 65 bytes (320 frames each).
    let cases: [(&str, usize, u64, usize); 3] = [
        ("corpus/dev_d_long_hold_ima_adpcm.wav", 8 * 512, 8 * 505, 2),
        ("sox/dev_f_brief_ms_adpcm.wav", 8 * 512, 8 * 500, 2),
        ("corpus/dev_a_courteous_gsm610_mono.wav", 13 * 65, 13 * 320, 1),
    ];
    for (name, data_bytes, frames, ch) in cases {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
        let original = std::fs::read(&path).unwrap();
        let mut r = WavReader::open(&path).unwrap();
        let mut head = Vec::new();
        r.read_frames(&mut head, frames as usize).unwrap();
        assert_eq!(head.len(), frames as usize * ch);
        for size in [0u32, u32::MAX] {
            let shown = if size == 0 { "0".to_string() } else { format!("0x{size:08X}") };
            for fact in [Some(0), None, Some(505)] {
                let what = format!("{name}, sizes {shown}, fact {fact:?}");
                let file = dir.path().join("unfinalised.wav");
                std::fs::write(&file, unfinalised_copy(&original, data_bytes, size, fact)).unwrap();
                let mut r = WavReader::open(&file).unwrap_or_else(|e| panic!("{what}: {e}"));
                let info = r.info().clone();
                assert_eq!(info.frames, frames, "{what}: frames");
                assert_eq!(info.warnings.len(), 1, "{what}: {:?}", info.warnings);
                let w = &info.warnings[0];
                let secs = format!("read {:.1} s to the end of the file", frames as f64 / 8000.0);
                assert!(w.starts_with(&format!("unfinalised recording: data size {shown} ")), "{what}: {w}");
                assert!(w.contains(&secs), "{what}: {w}");
                let all = r.read_to_end().unwrap();
                assert!(all == head, "{what}: not the original's first {frames} frames");
            }
        }
        // Finalised sizes but a fact chunk never filled in: the data is read, with a warning.
        let mut b = unfinalised_copy(&original, data_bytes, 0, Some(0));
        let riff = (b.len() - 8) as u32;
        b[4..8].copy_from_slice(&riff.to_le_bytes());
        let at = b.len() - data_bytes - 4;
        b[at..at + 4].copy_from_slice(&(data_bytes as u32).to_le_bytes());
        let r = WavReader::from_bytes(b).unwrap();
        assert_eq!(r.info().frames, frames, "{name}, finalised, fact 0");
        let w = &r.info().warnings;
        assert_eq!(w.len(), 1, "{name}: {w:?}");
        assert!(w[0].starts_with("the fact chunk says 0 frames"), "{name}: {w:?}");
    }
}

#[test]
fn header_only_opens_empty_with_no_audio() {
    let (info, s) = decode("bad_header_only.wav");
    assert_eq!(info.frames, 0);
    assert_eq!(info.duration_s(), 0.0);
    assert!(s.is_empty());
    assert_eq!(info.warnings, ["no audio"]);
}

#[test]
fn non_wav_files_are_named() {
    assert_eq!(open_err("bad_zero_bytes.wav"), "empty file");
    let e = open_err("bad_text_renamed.wav");
    assert!(e.starts_with("not a WAV file"), "{e}");
    let e = open_err("bad_mp3_renamed.wav");
    assert!(e.starts_with("this is an MP3 file, not a WAV"), "{e}");
    assert!(matches!(WavReader::open(&corpus("bad_zero_bytes.wav")), Err(DecodeError::Empty)));
    let e = WavReader::open(&corpus("no_such_file.wav")).unwrap_err().to_string();
    assert!(e.starts_with("cannot read the file"), "{e}");
}

#[test]
fn devanagari_path_opens() {
    let (info, s) = decode("ग्राहक_कॉल_17.wav");
    assert_eq!(info.encoding, Encoding::Mulaw);
    assert_eq!((info.channels, info.frames), (2, 341_251));
    assert_eq!(s.len(), 341_251 * 2);
}

#[test]
fn gsm_opens_with_the_fact_length() {
    let r = WavReader::open(&corpus("dev_a_courteous_gsm610_mono.wav")).unwrap();
    assert_eq!(r.info().encoding, Encoding::Gsm610);
    assert_eq!(r.info().frames, 422_535, "fact chunk, not 1321 whole blocks of 320");
    assert!(r.info().warnings.is_empty(), "{:?}", r.info().warnings);
}

#[test]
fn content_hash_follows_the_audio_not_the_file() {
    let h = |n: &str| content_hash(&corpus(n)).unwrap();
    let master = h("dev_f_brief.wav");
    assert_eq!(master.len(), 64 + 1 + 16, "data hash . format digest");
    assert_eq!(h("Agent Meena - 2024-06-12 09.05.41 (library hours).wav"), master, "renamed copy");
    assert_eq!(h("dev_f_brief_listinfo.wav"), master, "metadata added");
    assert_ne!(h("dev_f_brief_u8.wav"), master);
    assert_ne!(h("dev_c_dispute.wav"), master);
    assert!(content_hash(&corpus("bad_text_renamed.wav")).is_err());
}

#[test]
fn streaming_blocks_equal_one_read() {
    let mut r = WavReader::open(&corpus("dev_c_dispute.wav")).unwrap();
    let all = r.read_to_end().unwrap();
    r.seek(0).unwrap();
    let mut joined = Vec::new();
    let mut buf = Vec::new();
    for size in [1, 2, 3, 1000, 77_777, 1 << 20].iter().cycle() {
        let n = r.read_frames(&mut buf, *size).unwrap();
        assert_eq!(buf.len(), n * 2);
        if n == 0 {
            break;
        }
        joined.extend_from_slice(&buf);
    }
    assert!(joined == all);
    assert!(all.iter().all(|x| (-1.0..=1.0).contains(x)));
}
