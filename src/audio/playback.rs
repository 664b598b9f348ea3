//! Playback: rodio behind a small `Player` of ours (issue 6).
