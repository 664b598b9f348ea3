//! GSM 06.10 full-rate decoder (to be written).

/// Decoder state carried from frame to frame.
#[derive(Debug, Default, Clone)]
pub struct GsmDecoder {}

impl GsmDecoder {
    pub fn new() -> Self {
        GsmDecoder::default()
    }

    /// Decodes one 65-byte WAV49 block (two GSM frames, Microsoft packing) into 320 samples.
    pub fn decode_wav49_block(&mut self, block: &[u8; 65], out: &mut [i16; 320]) {
        let _ = block;
        out.fill(0);
    }
}
