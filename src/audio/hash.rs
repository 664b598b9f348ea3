//! Content identity of a call: a hash of its audio data, so a renamed or moved file, or one
//! whose INFO tags were edited, keeps its reviews.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use super::{DecodeError, WavReader};

/// Hex BLAKE3 hash of the audio data bytes actually present in the file (the `data` chunk,
/// clipped to the end of a truncated or unfinalised file), streamed in 64 KiB reads. Headers
/// and metadata chunks are not part of it.
pub fn content_hash(path: &Path) -> Result<String, DecodeError> {
    let (start, len) = WavReader::open(path)?.data_span();
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
    Ok(h.finalize().to_hex().to_string())
}
