//! The `fmt ` chunk, checked once: which encoding, how bytes map to frames, what a block holds.
//! Everything the reader needs about geometry (bytes per unit, frames per unit) lives here, so
//! the streaming code never divides by a header's zero.

use super::DecodeError;
use super::reader::Encoding;
use super::riff::RawFmt;

/// Most channels we accept; recorders write 1 or 2, some conference systems 8.
pub(crate) const MAX_CHANNELS: u16 = 64;
/// Highest sample rate we accept (anything above is a broken header).
pub(crate) const MAX_RATE: u32 = 1_536_000;

const EXTENSIBLE: u16 = 0xFFFE;
/// KSDATAFORMAT_SUBTYPE_* GUIDs are `XXXXXXXX-0000-0010-8000-00AA00389B71`; bytes 4.. are fixed.
const GUID_TAIL: [u8; 12] = [0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];

/// Frame-by-frame encodings: every frame is `channels * bytes` bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SampleKind {
    U8,
    S16,
    S24,
    S32,
    F32,
    F64,
    Mulaw,
    Alaw,
}

impl SampleKind {
    pub(crate) fn bytes(self) -> usize {
        match self {
            SampleKind::U8 | SampleKind::Mulaw | SampleKind::Alaw => 1,
            SampleKind::S16 => 2,
            SampleKind::S24 => 3,
            SampleKind::S32 | SampleKind::F32 => 4,
            SampleKind::F64 => 8,
        }
    }
}

/// How the data chunk is laid out.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Codec {
    /// One frame at a time.
    Samples(SampleKind),
    /// IMA ADPCM blocks of `block_align` bytes, `frames_per_block` frames each.
    ImaAdpcm { block_align: usize, frames_per_block: usize },
    /// MS ADPCM blocks, with the predictor coefficient pairs from the header.
    MsAdpcm { block_align: usize, frames_per_block: usize, coefs: Vec<[i32; 2]> },
    /// GSM 6.10, WAV49 packing: 65-byte blocks of 320 frames, mono.
    Gsm610,
}

/// A checked format.
#[derive(Clone, Debug)]
pub(crate) struct Format {
    pub encoding: Encoding,
    pub format_tag: u16,
    pub sample_rate: u32,
    pub channels: u16,
    pub bits_per_sample: u16,
    pub codec: Codec,
    /// Remarks about header fields we corrected.
    pub notes: Vec<String>,
}

/// MS ADPCM's standard predictor table (the first 7 entries every file must carry).
pub(crate) const MS_ADPCM_COEFS: [[i32; 2]; 7] =
    [[256, 0], [512, -256], [0, 0], [192, 64], [240, 0], [460, -208], [392, -232]];

/// A readable name for a WAVE format tag (mmreg.h), for "unsupported encoding" messages.
pub(crate) fn tag_name(tag: u16) -> &'static str {
    match tag {
        0x0000 => "unknown",
        0x0001 => "PCM",
        0x0002 => "MS ADPCM",
        0x0003 => "IEEE float",
        0x0006 => "G.711 A-law",
        0x0007 => "G.711 mu-law",
        0x0010 => "OKI ADPCM",
        0x0011 => "IMA ADPCM",
        0x0014 => "G.723 ADPCM",
        0x0017 => "Dialogic OKI ADPCM",
        0x0022 => "DSP Group TrueSpeech",
        0x0031 => "GSM 6.10",
        0x0040 => "G.721 ADPCM",
        0x0041 => "G.728 CELP",
        0x0042 => "G.723.1",
        0x0050 => "MPEG audio",
        0x0055 => "MP3",
        0x0064 => "G.726 ADPCM",
        0x0065 => "G.722 ADPCM",
        0x0083 => "G.729A",
        0x00FF => "AAC",
        0x0160..=0x0163 => "Windows Media Audio",
        0x1610 => "HE-AAC",
        0x2000 => "AC-3",
        0xFFFE => "WAVE_FORMAT_EXTENSIBLE",
        _ => "unknown codec",
    }
}

fn unsupported(name: impl Into<String>, tag: u16) -> DecodeError {
    DecodeError::Unsupported { name: name.into(), tag }
}

fn le16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

impl Format {
    /// Checks a raw `fmt ` chunk and picks the decoder.
    pub(crate) fn from_raw(raw: &RawFmt) -> Result<Format, DecodeError> {
        let channels = raw.channels;
        if channels == 0 {
            return Err(DecodeError::BadHeader("the format says 0 channels".into()));
        }
        if channels > MAX_CHANNELS {
            return Err(DecodeError::BadHeader(format!(
                "the format says {channels} channels (at most {MAX_CHANNELS} are supported)"
            )));
        }
        if raw.sample_rate == 0 || raw.sample_rate > MAX_RATE {
            return Err(DecodeError::BadHeader(format!(
                "sample rate {} Hz is not plausible",
                raw.sample_rate
            )));
        }
        // The tag that decides the codec: the sub-format of an EXTENSIBLE header.
        let tag = if raw.tag == EXTENSIBLE {
            let guid = raw.extra.get(6..22).ok_or_else(|| {
                DecodeError::BadHeader("WAVE_FORMAT_EXTENSIBLE header without a sub-format GUID".into())
            })?;
            if guid.get(4..) != Some(&GUID_TAIL[..]) || guid.get(2..4) != Some(&[0, 0][..]) {
                let hex: String = guid.iter().map(|b| format!("{b:02x}")).collect();
                return Err(unsupported(
                    format!("WAVE_FORMAT_EXTENSIBLE with sub-format GUID {hex}"),
                    raw.tag,
                ));
            }
            le16(guid, 0).unwrap_or(0)
        } else {
            raw.tag
        };
        let ch = usize::from(channels);
        let ba = usize::from(raw.block_align);
        let bits = raw.bits;
        let mut notes = Vec::new();
        let ext_name = |name: &str| {
            if raw.tag == EXTENSIBLE {
                format!("{name} (in WAVE_FORMAT_EXTENSIBLE)")
            } else {
                name.to_string()
            }
        };

        let (encoding, codec) = match tag {
            0x0001 => {
                let bytes = usize::from(bits).div_ceil(8);
                // Container size: the header's block align when it is consistent (e.g. 24 valid
                // bits in 32-bit words), else what the bit depth implies.
                let container = if ba == ch * bytes || ba == 0 {
                    bytes
                } else if ba % ch == 0 && (bytes..=4).contains(&(ba / ch)) {
                    ba / ch
                } else {
                    notes.push(format!(
                        "block align {ba} does not fit {channels} channels of {bits}-bit PCM; using {}",
                        ch * bytes
                    ));
                    bytes
                };
                let (e, k) = match (bits, container) {
                    (1..=8, 1) => (Encoding::PcmU8, SampleKind::U8),
                    (9..=16, 2) => (Encoding::PcmS16le, SampleKind::S16),
                    (17..=24, 3) => (Encoding::PcmS24le, SampleKind::S24),
                    (17..=32, 4) => (Encoding::PcmS32le, SampleKind::S32),
                    _ => return Err(unsupported(ext_name(&format!("PCM {bits}-bit")), tag)),
                };
                (e, Codec::Samples(k))
            }
            0x0003 => match bits {
                32 => (Encoding::Float32, Codec::Samples(SampleKind::F32)),
                64 => (Encoding::Float64, Codec::Samples(SampleKind::F64)),
                _ => return Err(unsupported(ext_name(&format!("IEEE float {bits}-bit")), tag)),
            },
            0x0006 | 0x0007 => {
                if bits != 8 && bits != 0 {
                    return Err(unsupported(ext_name(&format!("{} {bits}-bit", tag_name(tag))), tag));
                }
                if tag == 0x0006 {
                    (Encoding::Alaw, Codec::Samples(SampleKind::Alaw))
                } else {
                    (Encoding::Mulaw, Codec::Samples(SampleKind::Mulaw))
                }
            }
            0x0011 => {
                if bits != 4 {
                    return Err(unsupported(ext_name(&format!("IMA ADPCM {bits}-bit")), tag));
                }
                let header = 4 * ch;
                if ba < header + 4 * ch {
                    return Err(DecodeError::BadHeader(format!(
                        "IMA ADPCM block align {ba} is too small for {channels} channels"
                    )));
                }
                let max = (ba - header) / (4 * ch) * 8 + 1;
                let declared = usize::from(le16(&raw.extra, 0).unwrap_or(0));
                let fpb = if (1..=max).contains(&declared) { declared } else { max };
                (Encoding::ImaAdpcm, Codec::ImaAdpcm { block_align: ba, frames_per_block: fpb })
            }
            0x0002 => {
                if bits != 4 {
                    return Err(unsupported(ext_name(&format!("MS ADPCM {bits}-bit")), tag));
                }
                let header = 7 * ch;
                if ba < header + ch {
                    return Err(DecodeError::BadHeader(format!(
                        "MS ADPCM block align {ba} is too small for {channels} channels"
                    )));
                }
                let max = (ba - header) * 2 / ch + 2;
                let declared = usize::from(le16(&raw.extra, 0).unwrap_or(0));
                let fpb = if (2..=max).contains(&declared) { declared } else { max };
                let n = usize::from(le16(&raw.extra, 2).unwrap_or(0));
                let coefs: Vec<[i32; 2]> = raw
                    .extra
                    .get(4..)
                    .unwrap_or_default()
                    .as_chunks::<4>()
                    .0
                    .iter()
                    .take(n)
                    .map(|c| {
                        let [a0, a1, b0, b1] = *c;
                        [i32::from(i16::from_le_bytes([a0, a1])), i32::from(i16::from_le_bytes([b0, b1]))]
                    })
                    .collect();
                let coefs = if coefs.is_empty() { MS_ADPCM_COEFS.to_vec() } else { coefs };
                (Encoding::MsAdpcm, Codec::MsAdpcm { block_align: ba, frames_per_block: fpb, coefs })
            }
            0x0031 => {
                if channels != 1 {
                    return Err(unsupported(ext_name(&format!("GSM 6.10 with {channels} channels")), tag));
                }
                if ba != 65 {
                    return Err(unsupported(
                        ext_name(&format!(
                            "GSM 6.10 with {ba}-byte blocks (only the 65-byte WAV49 packing is supported)"
                        )),
                        tag,
                    ));
                }
                (Encoding::Gsm610, Codec::Gsm610)
            }
            _ => return Err(unsupported(ext_name(tag_name(tag)), tag)),
        };
        Ok(Format {
            encoding,
            format_tag: raw.tag,
            sample_rate: raw.sample_rate,
            channels,
            bits_per_sample: bits,
            codec,
            notes,
        })
    }

    pub(crate) fn channels(&self) -> usize {
        usize::from(self.channels)
    }

    /// Bytes in one decoding unit: a frame (PCM, G.711) or a block (ADPCM, GSM).
    pub(crate) fn unit_bytes(&self) -> usize {
        match &self.codec {
            Codec::Samples(k) => k.bytes() * self.channels(),
            Codec::ImaAdpcm { block_align, .. } | Codec::MsAdpcm { block_align, .. } => *block_align,
            Codec::Gsm610 => 65,
        }
    }

    /// Frames in one full decoding unit.
    pub(crate) fn unit_frames(&self) -> usize {
        match &self.codec {
            Codec::Samples(_) => 1,
            Codec::ImaAdpcm { frames_per_block, .. } | Codec::MsAdpcm { frames_per_block, .. } => {
                *frames_per_block
            }
            Codec::Gsm610 => 320,
        }
    }

    /// Frames a partial unit of `bytes` (< one unit) still holds.
    pub(crate) fn partial_frames(&self, bytes: usize) -> usize {
        let ch = self.channels();
        let n = match &self.codec {
            Codec::ImaAdpcm { .. } if bytes >= 4 * ch => (bytes - 4 * ch) / (4 * ch) * 8 + 1,
            Codec::MsAdpcm { .. } if bytes >= 7 * ch => (bytes - 7 * ch) * 2 / ch + 2,
            _ => 0,
        };
        n.min(self.unit_frames())
    }

    /// Frames decodable from `bytes` of data.
    pub(crate) fn frames_in(&self, bytes: u64) -> u64 {
        let unit = self.unit_bytes().max(1) as u64;
        let full = bytes / unit * self.unit_frames() as u64;
        let rest = usize::try_from(bytes % unit).unwrap_or(0);
        full + self.partial_frames(rest) as u64
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn raw(tag: u16, channels: u16, block_align: u16, bits: u16, extra: &[u8]) -> RawFmt {
        RawFmt { tag, channels, sample_rate: 8000, block_align, bits, extra: extra.to_vec() }
    }

    #[test]
    fn ima_geometry_matches_the_header() {
        let f = Format::from_raw(&raw(0x11, 2, 512, 4, &[0xF9, 0x01])).unwrap();
        assert_eq!((f.unit_bytes(), f.unit_frames()), (512, 505));
        assert_eq!(f.frames_in(512 * 3), 505 * 3);
        assert_eq!(f.frames_in(512 + 8 + 16), 505 + 1 + 16);
    }

    #[test]
    fn bad_headers_are_errors() {
        let e = Format::from_raw(&raw(1, 0, 0, 16, &[])).unwrap_err().to_string();
        assert!(e.contains("0 channels"), "{e}");
        let e = Format::from_raw(&raw(0x0055, 1, 1, 0, &[])).unwrap_err().to_string();
        assert_eq!(e, "unsupported encoding: MP3 (0x0055)");
        let e = Format::from_raw(&raw(0x0031, 1, 64, 0, &[])).unwrap_err().to_string();
        assert!(e.starts_with("unsupported encoding: GSM 6.10 with 64-byte blocks"), "{e}");
        let e = Format::from_raw(&raw(1, 1, 2, 0, &[])).unwrap_err().to_string();
        assert!(e.starts_with("unsupported encoding: PCM 0-bit"), "{e}");
    }
}
