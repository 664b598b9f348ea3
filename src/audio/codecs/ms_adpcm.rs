//! Microsoft ADPCM (tag 0x0002): per block, a predictor index, step (`iDelta`) and two seed
//! samples per channel, then nibbles high-first interleaved across channels. Bit-exact with
//! sox (`adpcm.c`): a predictor index beyond the file's coefficient table uses entry 0.

const ADAPT: [i32; 16] = [230, 230, 230, 230, 307, 409, 512, 614, 768, 614, 512, 409, 307, 230, 230, 230];

fn le16(b: &[u8], at: usize) -> i32 {
    b.get(at..at + 2)
        .and_then(|s| <[u8; 2]>::try_from(s).ok())
        .map_or(0, |a| i32::from(i16::from_le_bytes(a)))
}

/// Decodes one block (or a short last block) and appends interleaved samples to `out`.
/// `coefs` is the header's predictor table (never empty). Returns the frames decoded.
pub fn decode_block(
    block: &[u8],
    channels: usize,
    coefs: &[[i32; 2]],
    max_frames: usize,
    out: &mut Vec<i16>,
) -> usize {
    let ch = channels;
    if ch == 0 || block.len() < 7 * ch || max_frames < 2 {
        return 0;
    }
    let frames = ((block.len() - 7 * ch) * 2 / ch + 2).min(max_frames);
    let mut coef = Vec::with_capacity(ch);
    let mut step = Vec::with_capacity(ch);
    for c in 0..ch {
        let p = block.get(c).copied().map_or(0, usize::from);
        coef.push(coefs.get(p).or(coefs.first()).copied().unwrap_or([256, 0]));
        step.push(le16(block, ch + 2 * c));
    }
    let base = out.len();
    out.resize(base + frames * ch, 0);
    let Some(dst) = out.get_mut(base..) else { return 0 };
    // Seeds: sample2 (older) is the first output frame, sample1 the second.
    for c in 0..ch {
        let s1 = le16(block, 3 * ch + 2 * c);
        let s2 = le16(block, 5 * ch + 2 * c);
        if let Some(d) = dst.get_mut(c) {
            *d = s2 as i16;
        }
        if let Some(d) = dst.get_mut(ch + c) {
            *d = s1 as i16;
        }
    }
    let nibbles = block.get(7 * ch..).unwrap_or_default().iter().flat_map(|&b| [b >> 4, b & 0x0F]);
    for (i, nib) in (2 * ch..frames * ch).zip(nibbles) {
        let c = i % ch;
        let (Some(&s1), Some(&s2)) = (dst.get(i - ch), dst.get(i - 2 * ch)) else { break };
        let (Some(&[c0, c1]), Some(st)) = (coef.get(c), step.get_mut(c)) else { break };
        // i64: in a damaged block the step grows x3 per nibble and would overflow i32 (sox's
        // int arithmetic is the same as ours wherever it does not overflow).
        let old = i64::from(*st);
        let next = (i64::from(ADAPT.get(usize::from(nib)).copied().unwrap_or(230)) * old) >> 8;
        *st = next.clamp(16, i64::from(i32::MAX)) as i32;
        let pred = (i64::from(s1) * i64::from(c0) + i64::from(s2) * i64::from(c1)) >> 8;
        let signed = i64::from(nib) - (i64::from(nib & 8) << 1);
        let sample = (signed * old + pred).clamp(-0x8000, 0x7FFF);
        if let Some(d) = dst.get_mut(i) {
            *d = sample as i16;
        }
    }
    frames
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::format::MS_ADPCM_COEFS;

    #[test]
    fn seeds_come_out_oldest_first() {
        // Mono: predictor 0, delta 16, sample1 = 200, sample2 = 100, one byte of zero nibbles.
        let block = [0, 16, 0, 200, 0, 100, 0, 0x00];
        let mut out = Vec::new();
        assert_eq!(decode_block(&block, 1, &MS_ADPCM_COEFS, 100, &mut out), 4);
        // Nibble 0 with coef (256, 0): pred = s1, plus 0 * step.
        assert_eq!(out, [100, 200, 200, 200]);
    }

    #[test]
    fn runaway_step_saturates() {
        // Found by the fuzzer: nibble 8 (x3 step) over and over overflowed i32.
        let mut block = vec![0, 0xFF, 0x7F, 0, 0, 0, 0];
        block.extend([0x88; 40]);
        let mut out = Vec::new();
        assert_eq!(decode_block(&block, 1, &MS_ADPCM_COEFS, 1000, &mut out), 82);
        assert!(out.iter().skip(2).all(|&s| s == -0x8000 || s == 0x7FFF));
    }

    #[test]
    fn bad_predictor_uses_entry_zero() {
        let block = [99, 16, 0, 200, 0, 100, 0, 0x10];
        let mut out = Vec::new();
        assert_eq!(decode_block(&block, 1, &MS_ADPCM_COEFS, 100, &mut out), 4);
        assert_eq!(out, [100, 200, 216, 216]);
    }
}
