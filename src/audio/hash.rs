//! Content identity of a call: a hash of its audio data, so a renamed or moved file keeps its
//! reviews.

use std::io::Read;
use std::path::Path;

use super::DecodeError;

/// Hex BLAKE3 hash identifying a recording (placeholder: hashes the whole file; the reader
/// issue narrows it to the audio data).
pub fn content_hash(path: &Path) -> Result<String, DecodeError> {
    let mut f = std::fs::File::open(path)?;
    let mut h = blake3::Hasher::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(buf.get(..n).unwrap_or_default());
    }
    Ok(h.finalize().to_hex().to_string())
}
