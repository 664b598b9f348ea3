//! Content identity of a call: its audio *and* its format. A renamed or moved file, or one
//! whose INFO tags were edited, keeps its reviews; the same bytes read as another format (a
//! different `fmt ` chunk) are another call; a file with no audio has no identity at all (it
//! cannot be reviewed, and two such files must never share one).

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use super::{DecodeError, WavInfo, WavReader};

/// The identity of a call: `"<data hash>.<format digest>"`: the hex BLAKE3 hash of the audio
/// data bytes actually present (the `data` chunk, clipped to the end of a truncated or
/// unfinalised file, streamed in 64 KiB reads), a dot, and 16 hex digits of the BLAKE3 hash
/// of the `fmt ` fields that say how to read them (format tag, encoding, rate, channels, bits).
/// Headers and metadata chunks are not part of it.
///
/// Databases written before the format was part of the identity hold the data hash alone;
/// [`legacy_part`] gives it, so the store can find those rows and re-key them.
///
/// A file whose `data` chunk holds no bytes is an error ([`DecodeError::NoAudio`]).
pub fn content_hash(path: &Path) -> Result<String, DecodeError> {
    let reader = WavReader::open(path)?;
    let (start, len) = reader.data_span();
    if len == 0 || reader.info().frames == 0 {
        return Err(DecodeError::NoAudio);
    }
    let format = format_digest(reader.info());
    drop(reader);
    let mut f = std::fs::File::open(path)?;
    f.seek(SeekFrom::Start(start))?;
    let mut h = blake3::Hasher::new();
    let mut buf = vec![0u8; usize::try_from(len).unwrap_or(usize::MAX).min(1 << 16)];
    let mut left = len;
    while left > 0 {
        let want = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
        let Some(chunk) = buf.get_mut(..want) else { break };
        let n = f.read(chunk)?;
        if n == 0 {
            break;
        }
        h.update(chunk.get(..n).unwrap_or_default());
        left -= n as u64;
    }
    Ok(format!("{}.{format}", h.finalize().to_hex()))
}

/// 16 hex digits naming how the data is to be read.
fn format_digest(info: &WavInfo) -> String {
    let fields = format!(
        "{:?}|{}|{}|{}|{}",
        info.encoding, info.format_tag, info.sample_rate, info.channels, info.bits_per_sample
    );
    let hex = blake3::hash(fields.as_bytes()).to_hex();
    hex.as_str().get(..16).unwrap_or_default().to_string()
}

/// The data-only hash an older callqa stored for this identity (the part before the dot).
pub fn legacy_part(identity: &str) -> Option<&str> {
    identity.split_once('.').map(|(data, _)| data)
}
