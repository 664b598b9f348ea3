//! The RIFF/WAVE container walker: finds `fmt `, `fact`, `LIST/INFO` and `data` in any order,
//! skips unknown chunks and pad bytes, and works out how many data bytes are really in the
//! file (truncated files, recorders that never finalised their sizes, RF64's `ds64`). It also
//! recognises the common non-WAV files people rename to `.wav` so the error can name them.
//!
//! Only headers are read here: at most 4 KiB of `fmt `, 1 MiB of `LIST`, never a whole chunk
//! just because its header says it is large.

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};

use super::DecodeError;

/// Anything the reader can pull bytes from: a file, or bytes in memory (tests, fuzzing).
pub(crate) trait Source: Read + Seek + Send + std::fmt::Debug {}
impl<T: Read + Seek + Send + std::fmt::Debug> Source for T {}

/// The `fmt ` chunk as written, before any checking.
#[derive(Clone, Debug, Default)]
pub(crate) struct RawFmt {
    pub tag: u16,
    pub channels: u16,
    pub sample_rate: u32,
    pub block_align: u16,
    pub bits: u16,
    /// The extension after `cbSize` (at most what the chunk holds).
    pub extra: Vec<u8>,
}

/// How the `data` chunk's declared size relates to the bytes in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DataSize {
    /// The declared size is all there (or there is no data chunk at all).
    Exact,
    /// The header declares more bytes than the file holds.
    Truncated { declared: u64 },
    /// The size was never written (0 or 0xFFFFFFFF with audio following): data runs to EOF.
    Unfinalised { declared: u32 },
}

/// What the walk found.
#[derive(Debug)]
pub(crate) struct Container {
    pub fmt: RawFmt,
    pub fact_frames: Option<u32>,
    pub metadata: BTreeMap<String, String>,
    /// File offset of the first data byte.
    pub data_start: u64,
    /// Data bytes actually present in the file.
    pub data_len: u64,
    pub data_size: DataSize,
    /// Problems met on the way (become warnings).
    pub notes: Vec<String>,
}

const MAX_FMT: u64 = 4096;
const MAX_LIST: u64 = 1 << 20;

/// Reads until `buf` is full or the source ends; returns the bytes read.
pub(crate) fn read_up_to(src: &mut dyn Source, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        let Some(rest) = buf.get_mut(n..) else { break };
        match src.read(rest) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// A chunk id is four printable ASCII characters.
fn plausible_id(id: &[u8]) -> bool {
    id.len() == 4 && id.iter().all(|&c| (0x20..=0x7e).contains(&c))
}

/// Names what a non-RIFF/WAVE file is from its first bytes.
pub(crate) fn sniff(head: &[u8]) -> DecodeError {
    let starts = |p: &[u8]| head.starts_with(p);
    let b0 = head.first().copied().unwrap_or(0);
    let b1 = head.get(1).copied().unwrap_or(0);
    if head.is_empty() {
        DecodeError::Empty
    } else if starts(b"ID3") || (b0 == 0xFF && b1 & 0xE0 == 0xE0 && (b1 >> 1) & 3 != 0) {
        DecodeError::OtherFormat("an MP3")
    } else if b0 == 0xFF && b1 & 0xF6 == 0xF0 {
        DecodeError::OtherFormat("an AAC (ADTS)")
    } else if starts(b"OggS") {
        DecodeError::OtherFormat("an Ogg")
    } else if starts(b"fLaC") {
        DecodeError::OtherFormat("a FLAC")
    } else if head.get(4..8) == Some(b"ftyp") {
        DecodeError::OtherFormat("an M4A/MP4")
    } else if starts(b"#!AMR") {
        DecodeError::OtherFormat("an AMR")
    } else if starts(b".snd") {
        DecodeError::OtherFormat("a Sun/NeXT AU")
    } else if starts(b"FORM") && head.get(8..12).is_some_and(|t| t == b"AIFF" || t == b"AIFC") {
        DecodeError::OtherFormat("an AIFF")
    } else if starts(&[0x30, 0x26, 0xB2, 0x75]) {
        DecodeError::OtherFormat("a WMA/ASF")
    } else if starts(b"RIFX") {
        DecodeError::NotWav(" (big-endian RIFX WAV files are not supported)".into())
    } else if starts(b"RIFF") {
        let kind = head.get(8..12).map(String::from_utf8_lossy).unwrap_or_default();
        DecodeError::NotWav(format!(" (a RIFF file of type {kind:?}, not WAVE)"))
    } else {
        let shown: Vec<String> = head.iter().take(4).map(|b| format!("{b:02x}")).collect();
        let text: String =
            head.iter().take(8).map(|&b| if (0x20..0x7f).contains(&b) { b as char } else { '.' }).collect();
        DecodeError::NotWav(format!(" (no RIFF/WAVE header; it starts with {} {text:?})", shown.join(" ")))
    }
}

fn parse_fmt(b: &[u8]) -> Result<RawFmt, DecodeError> {
    let (Some(tag), Some(channels), Some(sample_rate), Some(block_align), Some(bits)) =
        (u16_at(b, 0), u16_at(b, 2), u32_at(b, 4), u16_at(b, 12), u16_at(b, 14))
    else {
        return Err(DecodeError::BadHeader(format!("fmt chunk is {} bytes, needs at least 16", b.len())));
    };
    let extra = match u16_at(b, 16) {
        Some(cb) => b.get(18..).unwrap_or_default().iter().take(usize::from(cb)).copied().collect(),
        None => Vec::new(),
    };
    Ok(RawFmt { tag, channels, sample_rate, block_align, bits, extra })
}

/// Decodes an INFO string: UTF-8 if it is valid, else Latin-1 (what old Windows tools write).
fn info_text(raw: &[u8]) -> String {
    let end = raw.iter().position(|&c| c == 0).unwrap_or(raw.len());
    let raw = raw.get(..end).unwrap_or_default();
    let s = match std::str::from_utf8(raw) {
        Ok(s) => s.to_string(),
        Err(_) => raw.iter().map(|&c| char::from(c)).collect(),
    };
    s.trim().to_string()
}

fn parse_list(b: &[u8], metadata: &mut BTreeMap<String, String>) {
    if b.get(..4) != Some(b"INFO") {
        return;
    }
    let mut at = 4usize;
    while let (Some(id), Some(size)) = (b.get(at..at + 4), u32_at(b, at + 4)) {
        if !plausible_id(id) {
            break;
        }
        let size = usize::try_from(size).unwrap_or(usize::MAX);
        let start = at + 8;
        let end = start.saturating_add(size).min(b.len());
        let value = info_text(b.get(start..end).unwrap_or_default());
        if !value.is_empty() {
            metadata.insert(String::from_utf8_lossy(id).into_owned(), value);
        }
        at = end.saturating_add(size & 1);
    }
}

fn read_at(src: &mut dyn Source, pos: u64, len: u64) -> std::io::Result<Vec<u8>> {
    src.seek(SeekFrom::Start(pos))?;
    let mut buf = vec![0u8; usize::try_from(len).unwrap_or(0)];
    let n = read_up_to(src, &mut buf)?;
    buf.truncate(n);
    Ok(buf)
}

/// Walks the container. `Err` only when the file is not a usable WAV at all.
pub(crate) fn walk(src: &mut dyn Source) -> Result<Container, DecodeError> {
    let file_len = src.seek(SeekFrom::End(0))?;
    let head = read_at(src, 0, 16)?;
    if head.is_empty() {
        return Err(DecodeError::Empty);
    }
    let riff_id = head.get(..4).unwrap_or_default();
    let is_rf64 = riff_id == b"RF64" || riff_id == b"BW64";
    if !(riff_id == b"RIFF" || is_rf64) || head.get(8..12) != Some(b"WAVE") {
        return Err(sniff(&head));
    }
    let riff_size = u32_at(&head, 4).unwrap_or(0);

    let mut fmt: Option<RawFmt> = None;
    let mut fact_frames = None;
    let mut metadata = BTreeMap::new();
    let mut notes = Vec::new();
    let mut ds64_data: Option<u64> = None;
    let mut data: Option<(u64, u64, DataSize)> = None;

    let mut pos = 12u64;
    while pos.saturating_add(8) <= file_len {
        let hdr = read_at(src, pos, 8)?;
        let (Some(id), Some(size)) = (hdr.get(..4), u32_at(&hdr, 4)) else { break };
        if !plausible_id(id) {
            if data.is_none() || fmt.is_none() {
                notes.push(format!("ignored unreadable bytes from offset {pos} to the end of the file"));
            }
            break;
        }
        let body = pos + 8;
        let avail = file_len - body;
        let size64 = u64::from(size);
        match id {
            b"fmt " if fmt.is_none() => {
                fmt = Some(parse_fmt(&read_at(src, body, size64.min(avail).min(MAX_FMT))?)?);
            }
            b"fact" if size >= 4 => {
                fact_frames = u32_at(&read_at(src, body, 4)?, 0);
            }
            b"LIST" => parse_list(&read_at(src, body, size64.min(avail).min(MAX_LIST))?, &mut metadata),
            b"ds64" if is_rf64 => ds64_data = u64_at(&read_at(src, body, 16)?, 8),
            b"data" if data.is_none() => {
                let unfinalised_zero = size == 0
                    && avail > 0
                    && (riff_size == 0 || riff_size == u32::MAX || 8 + u64::from(riff_size) <= body);
                let (len, state) = match (size, ds64_data) {
                    (u32::MAX, Some(d)) if d <= avail => (d, DataSize::Exact),
                    (u32::MAX, Some(d)) => (avail, DataSize::Truncated { declared: d }),
                    (u32::MAX, None) => (avail, DataSize::Unfinalised { declared: size }),
                    _ if unfinalised_zero => (avail, DataSize::Unfinalised { declared: 0 }),
                    _ if size64 > avail => (avail, DataSize::Truncated { declared: size64 }),
                    _ => (size64, DataSize::Exact),
                };
                data = Some((body, len, state));
                if state != DataSize::Exact {
                    break;
                }
                pos = body + len;
                if len & 1 == 1 {
                    pos += pad_len(src, pos, file_len)?;
                }
                continue;
            }
            _ => {}
        }
        pos = body.saturating_add(size64);
        if size & 1 == 1 {
            pos += pad_len(src, pos, file_len)?;
        }
    }

    let Some(fmt) = fmt else {
        return Err(DecodeError::BadHeader("no fmt chunk: the format of the audio is unknown".into()));
    };
    let (data_start, data_len, data_size) = data.unwrap_or((file_len, 0, DataSize::Exact));
    Ok(Container { fmt, fact_frames, metadata, data_start, data_len, data_size, notes })
}

/// After an odd-sized chunk: 1 if the pad byte is there, 0 if the writer forgot it (the next
/// chunk id starts right away).
fn pad_len(src: &mut dyn Source, pos: u64, file_len: u64) -> std::io::Result<u64> {
    if pos >= file_len {
        return Ok(1);
    }
    let b = read_at(src, pos, 5)?;
    let padded = b.get(1..5).is_some_and(plausible_id);
    let unpadded = b.get(..4).is_some_and(plausible_id);
    Ok(if unpadded && !padded { 0 } else { 1 })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn info_strings_utf8_and_latin1() {
        assert_eq!(info_text(b"Meena\0\0"), "Meena");
        assert_eq!(info_text(&[0x4A, 0xE9, 0x72, 0xF4, 0x6D, 0x65]), "Jérôme");
        assert_eq!(info_text("मीना".as_bytes()), "मीना");
    }

    #[test]
    fn sniffs_other_formats() {
        assert!(matches!(sniff(b"ID3\x04\0\0"), DecodeError::OtherFormat("an MP3")));
        assert!(matches!(sniff(&[0xFF, 0xFB, 0x90, 0x64]), DecodeError::OtherFormat("an MP3")));
        assert!(matches!(sniff(b"OggS\0\x02"), DecodeError::OtherFormat("an Ogg")));
        assert!(matches!(sniff(b"fLaC\0\0\0\x22"), DecodeError::OtherFormat("a FLAC")));
        assert!(matches!(sniff(b"\0\0\0\x20ftypM4A "), DecodeError::OtherFormat("an M4A/MP4")));
        let e = sniff(b"call_id,agent\n").to_string();
        assert!(e.starts_with("not a WAV file"), "{e}");
        assert!(e.contains("call_id"), "{e}");
    }

    #[test]
    fn list_info_with_odd_lengths() {
        let mut b = b"INFO".to_vec();
        b.extend(b"INAM\x03\0\0\0abc\0");
        b.extend(b"IART\x02\0\0\0xy");
        let mut m = BTreeMap::new();
        parse_list(&b, &mut m);
        assert_eq!(m.get("INAM").map(String::as_str), Some("abc"));
        assert_eq!(m.get("IART").map(String::as_str), Some("xy"));
    }
}
