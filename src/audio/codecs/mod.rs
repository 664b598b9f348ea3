//! Codecs for the encodings call recorders write. Each is a pure function from encoded bytes to
//! samples, specified bit-exactly and checked against sox's decode in the tests.

pub mod gsm610;
