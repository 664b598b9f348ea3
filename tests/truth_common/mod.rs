//! The corpus' ground truth (the JSON shape of `../shared/corpus`, also written by
//! `scripts/robustness/make_robustness.py`) and the span measures the accuracy tests share.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use callqa::model::{Span, Speaker};
use serde_json::Value;

pub struct Truth {
    /// Utterances per channel.
    pub utterances: [Vec<Span>; 2],
    pub talk_s: [f64; 2],
    /// Talk time of the utterances' audible extents (`audible_start/end_sample`, written by
    /// `make_robustness.py`: the part over the added line noise); `talk_s` when absent.
    pub audible_s: [f64; 2],
    /// The utterances' audible extents per channel (`utterances` when absent).
    pub audible: [Vec<Span>; 2],
    pub duration_s: f64,
    pub overtalk: Vec<(Span, Speaker)>,
    pub silence: Vec<Span>,
    pub hold: Vec<(Span, usize)>,
}

pub fn span(v: &Value) -> Span {
    Span::new(v["start_s"].as_f64().unwrap(), v["end_s"].as_f64().unwrap())
}

pub fn truth(path: &Path) -> Truth {
    let j: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut utterances = [Vec::new(), Vec::new()];
    for u in j["utterances"].as_array().unwrap() {
        utterances[u["channel"].as_u64().unwrap() as usize].push(span(u));
    }
    let speaker = |s: &str| if s == "agent" { Speaker::Agent } else { Speaker::Customer };
    let talk_s = [
        j["summary"]["talk_time_s"]["agent"].as_f64().unwrap(),
        j["summary"]["talk_time_s"]["customer"].as_f64().unwrap(),
    ];
    let rate = j["sample_rate"].as_f64().unwrap_or(8000.0);
    let mut audible_s = talk_s;
    let mut audible = utterances.clone();
    if j["utterances"].as_array().unwrap().iter().all(|u| u.get("audible_start_sample").is_some()) {
        audible_s = [0.0; 2];
        audible = [Vec::new(), Vec::new()];
        for u in j["utterances"].as_array().unwrap() {
            let (a, b) =
                (u["audible_start_sample"].as_f64().unwrap(), u["audible_end_sample"].as_f64().unwrap());
            let ch = u["channel"].as_u64().unwrap() as usize;
            audible_s[ch] += (b - a) / rate;
            if b > a {
                audible[ch].push(Span::new(a / rate, b / rate));
            }
        }
    }
    Truth {
        utterances,
        talk_s,
        audible_s,
        audible,
        duration_s: j["duration_s"].as_f64().unwrap_or(0.0),
        overtalk: j["overtalk"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| (span(o), speaker(o["second_speaker"].as_str().unwrap())))
            .collect(),
        silence: j["silence"].as_array().unwrap().iter().map(span).collect(),
        hold: j["hold_music"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| (span(h), h["channel"].as_u64().unwrap() as usize))
            .collect(),
    }
}

pub fn iou(a: &Span, b: &Span) -> f64 {
    let i = a.intersect(b).map_or(0.0, |x| x.duration_s());
    let u = a.end_s.max(b.end_s) - a.start_s.min(b.start_s);
    if u > 0.0 { i / u } else { 0.0 }
}

pub fn overlap(a: &[Span], b: &Span) -> f64 {
    a.iter().filter_map(|x| x.intersect(b)).map(|x| x.duration_s()).sum()
}
