//! What the analysis found, worded for the scorecard: the evidence beside each item it supports
//! ("4 interruptions by the agent — 9.9 s, 18.0 s, ...") and the call facts (dead air, hold).

use crate::analysis::{Analysis, ChannelConfidence, Level, Talk};
use crate::model::Speaker;

/// A line of evidence with the times it points at (each shown as a link that seeks there).
#[derive(Clone, Debug, PartialEq)]
pub struct Evidence {
    pub text: String,
    pub times_s: Vec<f64>,
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

/// "Low confidence on the agent side: speech only 8 dB above the line noise — listen before
/// answering." for each analysed side whose talk detection is unreliable.
fn low_confidence(a: &Analysis) -> Vec<Evidence> {
    a.confidence
        .iter()
        .filter(|c| c.level == Level::Low)
        .map(|c: &ChannelConfidence| {
            let side = match a.side_name(c.channel) {
                "mixed" => "Low confidence on this recording".to_string(),
                s => format!("Low confidence on the {s} side"),
            };
            let why = c.main_reason().map_or(String::new(), |r| format!(": {r}"));
            Evidence { text: format!("{side}{why} — listen before answering."), times_s: vec![] }
        })
        .collect()
}

/// Evidence for a scorecard item, by its key; `None` when the analysis says nothing about it.
/// Items whose evidence is talk on both sides (interruptions, overtalk) also get a line for
/// each side whose talk detection has low confidence.
pub fn for_item(key: &str, a: &Analysis) -> Vec<Evidence> {
    let mut out = for_item_talk(key, a);
    if !out.is_empty() && matches!(key, "let_customer_finish" | "no_arguing") {
        out.extend(low_confidence(a));
    }
    out
}

fn for_item_talk(key: &str, a: &Analysis) -> Vec<Evidence> {
    let stereo = matches!(a.talk, Talk::Stereo { .. });
    match key {
        "let_customer_finish" => {
            if !stereo {
                return vec![Evidence {
                    text: "Interruptions need a two-channel recording.".into(),
                    times_s: vec![],
                }];
            }
            let by_agent: Vec<f64> =
                a.overtalk.iter().filter(|o| o.started_by == Speaker::Agent).map(|o| o.start_s).collect();
            let text = if by_agent.is_empty() {
                "No interruptions by the agent.".to_string()
            } else {
                format!("{} by the agent:", plural(by_agent.len(), "interruption", "interruptions"))
            };
            vec![Evidence { text, times_s: by_agent }]
        }
        "no_arguing" => {
            if !stereo {
                return vec![Evidence {
                    text: "Overtalk needs a two-channel recording.".into(),
                    times_s: vec![],
                }];
            }
            let minutes = (a.duration_s / 60.0).max(1.0 / 60.0);
            let total = a.overtalk.len();
            let density = total as f64 / minutes;
            let by = |s: Speaker| -> Vec<f64> {
                a.overtalk.iter().filter(|o| o.started_by == s).map(|o| o.start_s).collect()
            };
            let (ag, cu) = (by(Speaker::Agent), by(Speaker::Customer));
            let mut out = vec![Evidence {
                text: format!(
                    "Overtalk: {} ({:.1} per minute, {:.1} s in all).",
                    total,
                    density,
                    a.overtalk.iter().map(|o| o.end_s - o.start_s).sum::<f64>()
                ),
                times_s: vec![],
            }];
            if !ag.is_empty() {
                out.push(Evidence { text: format!("started by the agent ({}):", ag.len()), times_s: ag });
            }
            if !cu.is_empty() {
                out.push(Evidence { text: format!("started by the customer ({}):", cu.len()), times_s: cu });
            }
            out
        }
        _ => vec![],
    }
}

/// Facts about the whole call: low confidence first, then talk ratio, dead air, hold.
pub fn call_facts(a: &Analysis) -> Vec<Evidence> {
    let m = &a.metrics;
    let mut out = low_confidence(a);
    match a.talk {
        Talk::Stereo { .. } => out.push(Evidence {
            text: format!(
                "Talk: agent {:.0} s, customer {:.0} s (agent {:.0} %).",
                m.talk_time_agent_s,
                m.talk_time_customer_s,
                m.talk_ratio_agent * 100.0
            ),
            times_s: vec![],
        }),
        Talk::Mono { .. } => out
            .push(Evidence { text: format!("Talk (mixed): {:.0} s.", m.talk_time_mixed_s), times_s: vec![] }),
    }
    let silence: Vec<f64> = a.silence.iter().map(|s| s.start_s).collect();
    out.push(Evidence {
        text: if silence.is_empty() {
            "No dead air.".into()
        } else {
            format!(
                "Dead air: {}, {:.1} s in all (longest {:.1} s):",
                plural(silence.len(), "span", "spans"),
                a.silence.iter().map(|s| s.duration_s()).sum::<f64>(),
                a.silence.iter().map(|s| s.duration_s()).fold(0.0, f64::max)
            )
        },
        times_s: silence,
    });
    let hold: Vec<f64> = a.hold.iter().map(|h| h.start_s).collect();
    out.push(Evidence {
        text: if hold.is_empty() {
            "No hold music.".into()
        } else {
            format!(
                "Hold: {}, {:.1} s in all:",
                plural(hold.len(), "span", "spans"),
                a.hold.iter().map(|h| h.end_s - h.start_s).sum::<f64>()
            )
        },
        times_s: hold,
    });
    out
}

/// Every event start (overtalk, silence, hold), sorted, with its end: the targets of jumps.
pub fn event_spans(a: &Analysis) -> Vec<(f64, f64)> {
    let mut v: Vec<(f64, f64)> = a
        .overtalk
        .iter()
        .map(|o| (o.start_s, o.end_s))
        .chain(a.silence.iter().map(|s| (s.start_s, s.end_s)))
        .chain(a.hold.iter().map(|h| (h.start_s, h.end_s)))
        .collect();
    v.sort_by(|x, y| x.0.total_cmp(&y.0));
    v
}

/// `m:ss.s` for the position display and links.
pub use crate::model::clock;

/// `9.9 s` as evidence links show it.
pub fn secs(t: f64) -> String {
    format!("{t:.1} s")
}

/// What the transcript shows for an item with phrase rules: one line per hit ("Agent at 0:32:
/// "… that mistake was ours …"", its time a link), or the rule's text for nothing found
/// ("no apology found in the transcript"). Empty for an item without rules or a call
/// without a transcript. Evidence, never an answer.
pub fn for_item_words(
    key: &str,
    words: &crate::jobs::store_worker::PhraseEvidence,
    has_transcript: bool,
) -> Vec<Evidence> {
    let Some(absent) = words.absent.get(key).filter(|_| has_transcript) else { return Vec::new() };
    let mine: Vec<Evidence> = words
        .hits
        .iter()
        .filter(|h| h.item == key)
        .map(|h| {
            let who = match h.speaker {
                Speaker::Agent => "Agent",
                Speaker::Customer => "Customer",
            };
            let time = h.time_value.as_ref().map_or(String::new(), |t| format!(" (time: {t})"));
            Evidence { text: format!("{who}: \"{}\"{time} at", h.text), times_s: vec![h.start_s] }
        })
        .collect();
    if mine.is_empty() { vec![Evidence { text: absent.clone(), times_s: vec![] }] } else { mine }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::analysis::{Metrics, Peaks};
    use crate::model::{Overtalk, Span};

    fn analysis() -> Analysis {
        Analysis {
            duration_s: 60.0,
            channels: 2,
            sample_rate: 8000,
            talk: Talk::Stereo { agent: vec![], customer: vec![] },
            overtalk: vec![
                Overtalk { start_s: 9.9, end_s: 10.5, started_by: Speaker::Agent },
                Overtalk { start_s: 12.0, end_s: 13.0, started_by: Speaker::Customer },
                Overtalk { start_s: 18.0, end_s: 18.5, started_by: Speaker::Agent },
            ],
            silence: vec![Span::new(30.0, 34.0)],
            hold: vec![],
            metrics: Metrics::default(),
            peaks: Peaks::default(),
            warnings: vec![],
            confidence: vec![],
        }
    }

    #[test]
    fn interruptions_list_only_the_agents() {
        let e = for_item("let_customer_finish", &analysis());
        assert_eq!(e[0].text, "2 interruptions by the agent:");
        assert_eq!(e[0].times_s, vec![9.9, 18.0]);
        let e = for_item("no_arguing", &analysis());
        assert_eq!(e[0].text, "Overtalk: 3 (3.0 per minute, 2.1 s in all).");
        assert_eq!(e[2].times_s, vec![12.0]);
        assert!(for_item("set_callback_time", &analysis()).is_empty());
    }

    #[test]
    fn a_low_confidence_side_is_said_beside_talk_evidence_and_facts() {
        use crate::analysis::{ChannelConfidence, Stats};
        let conf = |channel, level, reason: &str| ChannelConfidence {
            channel,
            level,
            snr_db: Some(7.9),
            reasons: vec![reason.to_string()],
            stats: Stats::default(),
        };
        let mut a = analysis();
        a.confidence = vec![
            conf(0, Level::Low, "speech only 8 dB above the line noise"),
            conf(1, Level::Medium, "steady hum on the line"),
        ];
        let want = "Low confidence on the agent side: speech only 8 dB above the line noise — listen before answering.";
        let e = for_item("let_customer_finish", &a);
        assert_eq!(e.len(), 2);
        assert_eq!(e[1].text, want);
        assert_eq!(for_item("no_arguing", &a).last().map(|e| e.text.as_str()), Some(want));
        assert!(for_item("set_callback_time", &a).is_empty());
        assert_eq!(call_facts(&a)[0].text, want);
        // Medium and high say nothing; the clean analysis has no such line.
        assert_eq!(call_facts(&analysis())[0].text, "Talk: agent 0 s, customer 0 s (agent 0 %).");
        assert_eq!(for_item("let_customer_finish", &analysis()).len(), 1);
    }

    #[test]
    fn facts_and_clock() {
        let f = call_facts(&analysis());
        assert_eq!(f[1].text, "Dead air: 1 span, 4.0 s in all (longest 4.0 s):");
        assert_eq!(
            event_spans(&analysis()).iter().map(|e| e.0).collect::<Vec<_>>(),
            vec![9.9, 12.0, 18.0, 30.0]
        );
        assert_eq!(clock(69.94), "1:09.9");
        assert_eq!(clock(3725.0), "1:02:05.0");
    }
}
