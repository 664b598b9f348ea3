//! IMA ADPCM as Microsoft packs it in WAV (tag 0x0011): blocks with a 4-byte header per channel
//! (first sample, step index), then 4-byte groups per channel of 8 nibbles, low nibble first.
//! Bit-exact with sox (`ima_rw.c`): an out-of-range step index in a block header is reset to 0,
//! as sox does. A short last block decodes the whole groups it holds.

const STEPS: [i32; 89] = [
    7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 19, 21, 23, 25, 28, 31, 34, 37, 41, 45, 50, 55, 60, 66, 73, 80, 88,
    97, 107, 118, 130, 143, 157, 173, 190, 209, 230, 253, 279, 307, 337, 371, 408, 449, 494, 544, 598, 658,
    724, 796, 876, 963, 1060, 1166, 1282, 1411, 1552, 1707, 1878, 2066, 2272, 2499, 2749, 3024, 3327, 3660,
    4026, 4428, 4871, 5358, 5894, 6484, 7132, 7845, 8630, 9493, 10442, 11487, 12635, 13899, 15289, 16818,
    18500, 20350, 22385, 24623, 27086, 29794, 32767,
];
const INDEX_ADJUST: [i32; 8] = [-1, -1, -1, -1, 2, 4, 6, 8];

/// `NEXT[index * 8 + (nibble & 7)]`: the step index after a nibble, already clamped to 0..=88
/// (sox's `imaStateAdjustTable`), so the per-sample path is two loads and no branches.
static NEXT: [u8; 89 * 8] = next_table();

const fn next_table() -> [u8; 89 * 8] {
    let mut t = [0u8; 89 * 8];
    let mut i = 0;
    while i < 89 {
        let mut c = 0;
        while c < 8 {
            let k = i as i32 + INDEX_ADJUST[c];
            t[i * 8 + c] = if k < 0 {
                0
            } else if k > 88 {
                88
            } else {
                k as u8
            };
            c += 1;
        }
        i += 1;
    }
    t
}

#[derive(Clone, Copy)]
struct Channel {
    val: i32,
    index: usize,
}

impl Channel {
    #[inline(always)]
    fn step(&mut self, nibble: u8) -> i16 {
        let c = usize::from(nibble & 7);
        let step = STEPS.get(self.index).copied().unwrap_or(7);
        self.index = usize::from(NEXT.get(self.index * 8 + c).copied().unwrap_or(0));
        let mut dp = step >> 3;
        if c & 4 != 0 {
            dp += step;
        }
        if c & 2 != 0 {
            dp += step >> 1;
        }
        if c & 1 != 0 {
            dp += step >> 2;
        }
        self.val = if nibble & 8 != 0 { (self.val - dp).max(-0x8000) } else { (self.val + dp).min(0x7FFF) };
        self.val as i16
    }
}

/// Decodes one block (or the start of a short one) and appends interleaved samples to `out`.
/// Returns the frames decoded, at most `max_frames`.
pub fn decode_block(block: &[u8], channels: usize, max_frames: usize, out: &mut Vec<i16>) -> usize {
    if channels == 0 || block.len() < 4 * channels || max_frames == 0 {
        return 0;
    }
    let (head, body) = block.split_at(4 * channels);
    let groups = body.len() / (4 * channels);
    let frames = (1 + groups * 8).min(max_frames);
    let base = out.len();
    out.resize(base + frames * channels, 0);
    let Some(dst) = out.get_mut(base..) else { return 0 };
    for (ch, h) in head.as_chunks::<4>().0.iter().enumerate() {
        let [lo, hi, index, _] = *h;
        let val = i16::from_le_bytes([lo, hi]);
        let index = if index > 88 { 0 } else { usize::from(index) };
        let mut state = Channel { val: i32::from(val), index };
        if let Some(s) = dst.get_mut(ch) {
            *s = val;
        }
        // This channel's 4-byte groups are every `channels`-th group of the body; sample n of
        // the channel goes to dst[n * channels + ch].
        let mut at = channels + ch;
        let end = frames * channels;
        'groups: for group in body.as_chunks::<4>().0.iter().skip(ch).step_by(channels) {
            for &b in group {
                for nibble in [b & 0x0F, b >> 4] {
                    if at >= end {
                        break 'groups;
                    }
                    if let Some(s) = dst.get_mut(at) {
                        *s = state.step(nibble);
                    }
                    at += channels;
                }
            }
        }
    }
    frames
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_sample_then_nibbles() {
        // Mono: first sample 100, index 0; nibble 4 adds step (7) + 7>>3 = 7 → 107, index 2.
        let block = [100, 0, 0, 0, 0x04, 0, 0, 0];
        let mut out = Vec::new();
        assert_eq!(decode_block(&block, 1, 100, &mut out), 9);
        assert_eq!(out.first(), Some(&100));
        assert_eq!(out.get(1), Some(&107));
        // Nibble 0 after index 2 (step 9): + (9 >> 3) = 1.
        assert_eq!(out.get(2), Some(&108));
    }

    #[test]
    fn short_block_and_bad_index_do_not_panic() {
        let mut out = Vec::new();
        assert_eq!(decode_block(&[1, 2, 200, 0, 0xFF], 1, 100, &mut out), 1);
        assert_eq!(decode_block(&[1, 2], 1, 100, &mut out), 0);
    }
}
