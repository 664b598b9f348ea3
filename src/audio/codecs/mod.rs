//! Codecs for the encodings call recorders write. Each is a pure function from encoded bytes to
//! 16-bit samples, specified bit-exactly and checked against sox's decode in the tests
//! (`tests/audio_codecs.rs`). Written by hand: the small ones are a few dozen lines, and no
//! crate decodes them the way we need (see `audio::reader`'s module doc).

pub mod g711;
pub mod gsm610;
pub mod ima_adpcm;
pub mod ms_adpcm;
