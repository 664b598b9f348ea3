//! Frame-by-frame sample conversion to `f32` in `[-1, 1]`: PCM u8/s16/s24/s32, IEEE float
//! 32/64 and G.711. Tight loops over fixed-size byte arrays (`as_chunks`): no per-sample
//! `Result`, no bounds checks, so a 1-hour PCM16 call converts in a few tens of milliseconds.
//!
//! Integer samples map to `x / 2^(bits-1)`, so 16-bit-derived values are exact in `f32`
//! (`s16 = f * 32768`). Float samples are clamped to `[-1, 1]`; NaN becomes 0.

use super::codecs::g711;
use super::format::SampleKind;

const S16: f32 = 1.0 / 32768.0;
const S32: f32 = 1.0 / 2_147_483_648.0;

fn clamp_f(x: f32) -> f32 {
    if x.is_nan() { 0.0 } else { x.clamp(-1.0, 1.0) }
}

/// Appends the samples in `bytes` (whole frames) to `out`.
pub(crate) fn convert(kind: SampleKind, bytes: &[u8], out: &mut Vec<f32>) {
    match kind {
        SampleKind::U8 => out.extend(bytes.iter().map(|&b| f32::from(i16::from(b) - 128) * (1.0 / 128.0))),
        SampleKind::S16 => {
            out.extend(bytes.as_chunks::<2>().0.iter().map(|&b| f32::from(i16::from_le_bytes(b)) * S16));
        }
        SampleKind::S24 => out.extend(
            bytes.as_chunks::<3>().0.iter().map(|&[a, b, c]| i32::from_le_bytes([0, a, b, c]) as f32 * S32),
        ),
        SampleKind::S32 => {
            out.extend(bytes.as_chunks::<4>().0.iter().map(|&b| i32::from_le_bytes(b) as f32 * S32));
        }
        SampleKind::F32 => {
            out.extend(bytes.as_chunks::<4>().0.iter().map(|&b| clamp_f(f32::from_le_bytes(b))))
        }
        SampleKind::F64 => {
            out.extend(bytes.as_chunks::<8>().0.iter().map(|&b| clamp_f(f64::from_le_bytes(b) as f32)));
        }
        SampleKind::Mulaw => out.extend(bytes.iter().map(|&b| g711::MULAW_F32[usize::from(b)])),
        SampleKind::Alaw => out.extend(bytes.iter().map(|&b| g711::ALAW_F32[usize::from(b)])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_scales() {
        let mut out = Vec::new();
        convert(SampleKind::U8, &[0x80, 0x00, 0xFF], &mut out);
        assert_eq!(out, [0.0, -1.0, 127.0 / 128.0]);
        out.clear();
        convert(SampleKind::S16, &[0x00, 0x80, 0xFF, 0x7F, 0x01, 0x00], &mut out);
        assert_eq!(out, [-1.0, 32767.0 / 32768.0, 1.0 / 32768.0]);
        out.clear();
        convert(SampleKind::S24, &[0x00, 0x00, 0x80, 0x00, 0x00, 0x40], &mut out);
        assert_eq!(out, [-1.0, 0.5]);
        out.clear();
        convert(SampleKind::S32, &[0, 0, 0, 0xC0], &mut out);
        assert_eq!(out, [-0.5]);
    }

    #[test]
    fn floats_are_clamped_and_nan_is_silence() {
        let mut bytes = Vec::new();
        for x in [0.25f32, 3.0, -7.0, f32::NAN] {
            bytes.extend(x.to_le_bytes());
        }
        let mut out = Vec::new();
        convert(SampleKind::F32, &bytes, &mut out);
        assert_eq!(out, [0.25, 1.0, -1.0, 0.0]);
        out.clear();
        convert(SampleKind::F64, &(-0.125f64).to_le_bytes(), &mut out);
        assert_eq!(out, [-0.125]);
    }
}
