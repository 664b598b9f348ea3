//! Plain data types shared by every room: speakers, time spans, the evidence the analysis
//! finds, and (in [`scorecard`]) scorecards, answers and reviews. No I/O, no egui.

pub mod calibration;
pub mod call;
pub mod metadata;
pub mod naming;
pub mod report;
pub mod sample;
pub mod scorecard;

use serde::{Deserialize, Serialize};

/// A time for people: `m:ss.s`, or `h:mm:ss.s` from an hour on (rounded to a tenth first, so
/// 59.96 s is `1:00.0`, never `0:60.0`). [`parse_time`] reads it back.
pub fn clock(t: f64) -> String {
    let t = (t.max(0.0) * 10.0).round() / 10.0;
    let m = (t / 60.0).floor();
    let s = t - m * 60.0;
    if m >= 60.0 {
        let h = (m / 60.0).floor();
        format!("{}:{:02}:{:04.1}", h as u64, (m - h * 60.0) as u64, s)
    } else {
        format!("{}:{:04.1}", m as u64, s)
    }
}

/// A time typed by a person: seconds (`65.2`) or minutes and seconds (`1:05.2`); `None` when
/// it is neither, or negative.
pub fn parse_time(s: &str) -> Option<f64> {
    let t = match s.trim().split_once(':') {
        Some((m, sec)) => {
            let m: f64 = m.trim().parse().ok()?;
            let sec: f64 = sec.trim().parse().ok()?;
            if !(0.0..60.0).contains(&sec) || m < 0.0 || m.fract() != 0.0 {
                return None;
            }
            m * 60.0 + sec
        }
        None => s.trim().parse().ok()?,
    };
    (t.is_finite() && t >= 0.0).then_some(t)
}

/// Who is speaking. Stereo call recordings put the agent on channel 0 (left) and the
/// customer on channel 1 (right).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Speaker {
    Agent,
    Customer,
}

impl Speaker {
    /// The channel a stereo recording puts this speaker on.
    pub fn channel(self) -> usize {
        match self {
            Speaker::Agent => 0,
            Speaker::Customer => 1,
        }
    }

    /// The other side of the call.
    pub fn other(self) -> Speaker {
        match self {
            Speaker::Agent => Speaker::Customer,
            Speaker::Customer => Speaker::Agent,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Speaker::Agent => "agent",
            Speaker::Customer => "customer",
        }
    }
}

/// A half-open time interval `[start_s, end_s)` in seconds from the start of the call.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Span {
    pub start_s: f64,
    pub end_s: f64,
}

impl Span {
    pub fn new(start_s: f64, end_s: f64) -> Self {
        Span { start_s, end_s }
    }

    pub fn duration_s(&self) -> f64 {
        (self.end_s - self.start_s).max(0.0)
    }

    /// The overlap of two spans, if they overlap by more than zero.
    pub fn intersect(&self, other: &Span) -> Option<Span> {
        let s = self.start_s.max(other.start_s);
        let e = self.end_s.min(other.end_s);
        (e > s).then_some(Span::new(s, e))
    }
}

/// Both sides talking at once; `started_by` is the side that started while the other was
/// already talking (the interrupter).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Overtalk {
    pub start_s: f64,
    pub end_s: f64,
    pub started_by: Speaker,
}

/// Music on a channel: neither talk nor silence.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct HoldSpan {
    pub start_s: f64,
    pub end_s: f64,
    /// The channel the music is on (0 = agent side, 1 = customer side; 0 for mono).
    pub channel: usize,
}

#[cfg(test)]
mod time_tests {
    #![allow(clippy::expect_used)]
    use super::{clock, parse_time};

    #[test]
    fn clock_rounds_before_splitting_and_reads_back() {
        assert_eq!(clock(65.54), "1:05.5");
        assert_eq!(clock(59.96), "1:00.0");
        assert_eq!(clock(-3.0), "0:00.0");
        assert_eq!(clock(3725.0), "1:02:05.0");
        for t in [0.0, 5.8, 59.9, 61.25, 599.9] {
            let back = parse_time(&clock(t)).expect("reads back");
            assert!((back - t).abs() <= 0.05 + 1e-9, "{t} → {} → {back}", clock(t));
        }
        for bad in ["", "x", "-1", "1:75", "1.5:00", "NaN", "inf"] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }
}
