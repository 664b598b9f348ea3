//! G.711 mu-law (WAVE tag 0x0007) and A-law (0x0006): 256-entry tables built at compile time
//! from the ITU-T G.711 expansion (the same as Sun's reference `g711.c`, which sox uses), so a
//! decode is one table lookup per sample and bit-exact with sox.

/// Expands one mu-law byte to a 16-bit sample.
pub const fn mulaw_to_i16(byte: u8) -> i16 {
    let u = !byte;
    let t = (((u & 0x0F) as i32) << 3) + 0x84;
    let t = t << ((u & 0x70) >> 4);
    (if u & 0x80 != 0 { 0x84 - t } else { t - 0x84 }) as i16
}

/// Expands one A-law byte to a 16-bit sample.
pub const fn alaw_to_i16(byte: u8) -> i16 {
    let a = byte ^ 0x55;
    let mut t = ((a & 0x0F) as i32) << 4;
    let seg = (a & 0x70) >> 4;
    t = match seg {
        0 => t + 8,
        1 => t + 0x108,
        _ => (t + 0x108) << (seg - 1),
    };
    (if a & 0x80 != 0 { t } else { -t }) as i16
}

const fn table(alaw: bool) -> [f32; 256] {
    let mut t = [0f32; 256];
    let mut i = 0;
    while i < 256 {
        let s = if alaw { alaw_to_i16(i as u8) } else { mulaw_to_i16(i as u8) };
        t[i] = s as f32 / 32768.0;
        i += 1;
    }
    t
}

/// mu-law byte → `f32` sample (`s16 / 32768`).
pub static MULAW_F32: [f32; 256] = table(false);
/// A-law byte → `f32` sample (`s16 / 32768`).
pub static ALAW_F32: [f32; 256] = table(true);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // ITU-T G.711 table endpoints.
        assert_eq!(mulaw_to_i16(0xFF), 0);
        assert_eq!(mulaw_to_i16(0x7F), 0);
        assert_eq!(mulaw_to_i16(0x00), -32124);
        assert_eq!(mulaw_to_i16(0x80), 32124);
        assert_eq!(alaw_to_i16(0xD5), 8);
        assert_eq!(alaw_to_i16(0x55), -8);
        assert_eq!(alaw_to_i16(0xAA), 32256);
        assert_eq!(alaw_to_i16(0x2A), -32256);
    }

    #[test]
    fn tables_are_odd_symmetric() {
        for b in 0..=0x7Fu8 {
            assert_eq!(mulaw_to_i16(b), -mulaw_to_i16(b | 0x80));
            assert_eq!(alaw_to_i16(b), -alaw_to_i16(b | 0x80));
        }
    }
}
