//! Pitch-preserving time stretch for fast review (issue 7).
