//! `callqa analyze FILE [--json] [--min-silence S]`: decode a call and print who talked when,
//! overtalk, dead air and hold, as a human summary or one JSON object (schema:
//! `docs/analyze-json.md`).
//!
//! Decoding and analysis are the shared streaming pass of [`crate::jobs::stream`] (two
//! threads, reused blocks, memory flat), the same the window uses.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Result, anyhow, bail};
use serde_json::{Value, json};

use super::out::{outln, term_path};
use crate::analysis::{Analysis, Config, Level, Talk};
use crate::audio::WavInfo;
use crate::model::Speaker;
use crate::model::scorecard::Scorecard;
use crate::transcript::phrases::{find_phrases, item_evidence};

pub fn run(
    file: &Path,
    json: bool,
    min_silence: f64,
    transcript: Option<&Path>,
    agent: Option<String>,
) -> ExitCode {
    let result = (|| -> Result<()> {
        if !(min_silence.is_finite() && min_silence > 0.0) {
            bail!("--min-silence must be a positive number of seconds (got {min_silence})");
        }
        // The transcript first: a bad one is reported before the audio is decoded.
        let words = transcript.map(|t| super::transcript::read_transcript(t, agent)).transpose()?;
        let config = Config { min_silence_s: min_silence, ..Config::default() };
        let (info, analysis) = analyze_file(file, config)?;
        let card = Scorecard::default_card();
        let hits = words.as_ref().map(|t| find_phrases(&card, t)).unwrap_or_default();
        let out = if json {
            let mut v = to_json(&analysis);
            if let Some(obj) = v.as_object_mut() {
                obj.insert("file".into(), json!(file.display().to_string()));
                if let Some(t) = &words {
                    obj.insert("words".into(), words_json(t));
                    obj.insert("phrases".into(), serde_json::to_value(&hits)?);
                }
            }
            serde_json::to_string_pretty(&v)?
        } else {
            let mut s = summary(file, &info, &analysis);
            if let Some(t) = &words {
                s += &format!("\ntranscript {} words ({})", t.words.len(), t.format.as_str());
                for ev in item_evidence(&card, &hits) {
                    let title = card.item(&ev.item).map_or(ev.item.as_str(), |i| i.title.as_str());
                    for line in &ev.lines {
                        s += &format!("\n          {title}: {}", super::out::term(line));
                    }
                }
            }
            s
        };
        // A closed pipe (`| head`) ends the output quietly (see `cli::out`).
        outln!("{out}");
        Ok(())
    })();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("callqa analyze: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Decodes and analyses `path` in one streaming pass on two threads (the shared
/// [`crate::jobs::stream::analyse_file`], as the window does). The reader's warnings
/// (truncation, unfinalised sizes...) come first in the analysis' warnings.
pub fn analyze_file(path: &Path, config: Config) -> Result<(WavInfo, Analysis)> {
    use crate::jobs::stream::{StreamError, analyse_file};
    analyse_file(path, config, crate::jobs::stream::Stream { skip_peaks: true, ..Default::default() })
        .map_err(|e| match e {
            StreamError::Open(e) => anyhow!(e).context(format!("cannot open {}", path.display())),
            e => anyhow!("{e}: {}", path.display()),
        })
}

/// The transcript's words for `--json`: text, times (ms precision), speaker, confidence.
fn words_json(t: &crate::transcript::Transcript) -> Value {
    let ms = |x: f64| (x * 1000.0).round() / 1000.0 + 0.0;
    Value::Array(
        t.words
            .iter()
            .map(|w| {
                json!({
                    "text": w.text, "start_s": ms(w.start_s), "end_s": ms(w.end_s),
                    "speaker": w.speaker.map(|s| s.label()), "confidence": w.confidence,
                })
            })
            .collect(),
    )
}

/// Seconds rounded to 10 µs (exact for 8 kHz sample positions), for stable JSON (`+ 0.0`
/// turns -0.0 into 0.0).
fn r(x: f64) -> f64 {
    (x * 100_000.0).round() / 100_000.0 + 0.0
}

fn pairs(v: &[[f64; 2]]) -> Value {
    Value::Array(v.iter().map(|[a, b]| json!([r(*a), r(*b)])).collect())
}

/// The `--json` object (see `docs/analyze-json.md`).
pub fn to_json(a: &Analysis) -> Value {
    let m = &a.metrics;
    let (talk, talk_time, talk_ratio) = match &a.talk {
        Talk::Stereo { agent, customer } => (
            json!({ "agent": pairs(agent), "customer": pairs(customer) }),
            json!({ "agent": r(m.talk_time_agent_s), "customer": r(m.talk_time_customer_s) }),
            json!({ "agent": r(m.talk_ratio_agent),
                    "customer": if m.talk_time_agent_s + m.talk_time_customer_s > 0.0 {
                        r(1.0 - m.talk_ratio_agent) } else { 0.0 } }),
        ),
        Talk::Mono { mixed } => {
            (json!({ "mixed": pairs(mixed) }), json!({ "mixed": r(m.talk_time_mixed_s) }), Value::Null)
        }
    };
    json!({
        "duration_s": r(a.duration_s),
        "channels": a.channels,
        "sample_rate": a.sample_rate,
        "talk": talk,
        "talk_time_s": talk_time,
        "talk_ratio": talk_ratio,
        "overtalk": a.overtalk.iter().map(|o| json!({
            "start_s": r(o.start_s), "end_s": r(o.end_s), "started_by": o.started_by.label(),
        })).collect::<Vec<_>>(),
        "silence": a.silence.iter().map(|s| json!({ "start_s": r(s.start_s), "end_s": r(s.end_s) }))
            .collect::<Vec<_>>(),
        "hold": a.hold.iter().map(|h| json!({
            "start_s": r(h.start_s), "end_s": r(h.end_s), "channel": h.channel,
        })).collect::<Vec<_>>(),
        "metrics": {
            "talk_time_agent_s": r(m.talk_time_agent_s),
            "talk_time_customer_s": r(m.talk_time_customer_s),
            "talk_time_mixed_s": r(m.talk_time_mixed_s),
            "talk_ratio_agent": r(m.talk_ratio_agent),
            "overtalk_count": m.overtalk_count,
            "overtalk_total_s": r(m.overtalk_total_s),
            "overtalk_by_agent": m.overtalk_by_agent,
            "overtalk_by_customer": m.overtalk_by_customer,
            "overtalk_by_agent_s": r(m.overtalk_by_agent_s),
            "overtalk_by_customer_s": r(m.overtalk_by_customer_s),
            "silence_count": m.silence_count,
            "silence_total_s": r(m.silence_total_s),
            "silence_longest_s": r(m.silence_longest_s),
            "hold_total_s": r(m.hold_total_s),
        },
        "confidence": confidence_json(a),
        "warnings": a.warnings,
    })
}

/// Per analysed channel: `{"channel", "side", "level", "snr_db", "reasons"}`.
fn confidence_json(a: &Analysis) -> Value {
    Value::Array(
        a.confidence
            .iter()
            .map(|c| {
                json!({
                    "channel": c.channel,
                    "side": a.side_name(c.channel),
                    "level": c.level.label(),
                    "snr_db": c.snr_db.map(|d| f64::from((d * 10.0).round()) / 10.0),
                    "reasons": c.reasons,
                })
            })
            .collect(),
    )
}

/// `confidence agent low (speech 7.9 dB over noise), customer high`.
fn confidence_line(a: &Analysis) -> String {
    let parts: Vec<String> = a
        .confidence
        .iter()
        .map(|c| {
            let side = a.side_name(c.channel);
            let level = c.level.label();
            match (c.level, c.snr_db) {
                (Level::High, _) => format!("{side} {level}"),
                (_, Some(db)) => format!("{side} {level} (speech {db:.1} dB over noise)"),
                (_, None) => format!("{side} {level} ({})", c.main_reason().unwrap_or("no talk to measure")),
            }
        })
        .collect();
    format!("confidence {}", parts.join(", "))
}

/// `m:ss.mmm` (or `h:mm:ss.mmm`).
fn clock(s: f64) -> String {
    let ms = (s.max(0.0) * 1000.0).round() as u64;
    let (h, m, sec, milli) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    if h > 0 { format!("{h}:{m:02}:{sec:02}.{milli:03}") } else { format!("{m}:{sec:02}.{milli:03}") }
}

/// The human summary.
pub fn summary(file: &Path, info: &WavInfo, a: &Analysis) -> String {
    let m = &a.metrics;
    let mut out = String::new();
    let layout = match a.channels {
        1 => "mono".to_string(),
        2 => "stereo (left = agent, right = customer)".to_string(),
        n => format!("{n} channels"),
    };
    out += &format!(
        "{}\n  {} · {} · {} Hz · {}\n",
        term_path(file),
        clock(a.duration_s),
        layout,
        a.sample_rate,
        info.encoding
    );
    match &a.talk {
        Talk::Stereo { .. } => {
            out += &format!(
                "talk      agent {:.1} s ({:.0} %), customer {:.1} s ({:.0} %)\n",
                m.talk_time_agent_s,
                100.0 * m.talk_ratio_agent,
                m.talk_time_customer_s,
                if m.talk_time_agent_s + m.talk_time_customer_s > 0.0 {
                    100.0 * (1.0 - m.talk_ratio_agent)
                } else {
                    0.0
                }
            );
            if m.overtalk_count == 0 {
                out += "overtalk  none\n";
            } else {
                out += &format!(
                    "overtalk  {} ({:.1} s): started by the agent {} ({:.1} s), by the customer {} ({:.1} s)\n",
                    m.overtalk_count,
                    m.overtalk_total_s,
                    m.overtalk_by_agent,
                    m.overtalk_by_agent_s,
                    m.overtalk_by_customer,
                    m.overtalk_by_customer_s
                );
            }
            for o in &a.overtalk {
                let who = if o.started_by == Speaker::Agent { "agent" } else { "customer" };
                out += &format!(
                    "          {} – {}  {:.1} s, the {who} cut in\n",
                    clock(o.start_s),
                    clock(o.end_s),
                    o.end_s - o.start_s
                );
            }
        }
        Talk::Mono { .. } => {
            out += &format!("talk      {:.1} s (both sides mixed)\n", m.talk_time_mixed_s);
        }
    }
    if a.silence.is_empty() {
        out += "silence   none\n";
    } else {
        out += &format!(
            "silence   {} ({:.1} s in all, longest {:.1} s)\n",
            m.silence_count, m.silence_total_s, m.silence_longest_s
        );
    }
    for s in &a.silence {
        out +=
            &format!("          {} – {}  {:.1} s\n", clock(s.start_s), clock(s.end_s), s.end_s - s.start_s);
    }
    if a.hold.is_empty() {
        out += "hold      none\n";
    } else {
        out += &format!("hold      {} ({:.1} s)\n", a.hold.len(), m.hold_total_s);
    }
    for h in &a.hold {
        let side = match h.channel {
            0 if a.channels >= 2 => "agent side".to_string(),
            1 => "customer side".to_string(),
            c => format!("channel {}", c + 1),
        };
        out += &format!(
            "          {} – {}  {:.1} s, {side}\n",
            clock(h.start_s),
            clock(h.end_s),
            h.end_s - h.start_s
        );
    }
    if !a.confidence.is_empty() {
        out += &confidence_line(a);
        out += "\n";
    }
    for c in a.confidence.iter().filter(|c| c.level != Level::High) {
        for r in &c.reasons {
            out += &format!("          {}: {r}\n", a.side_name(c.channel));
        }
    }
    for w in &a.warnings {
        out += &format!("warning: {}\n", super::out::term(w));
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::analysis::{Analyzer, ChannelConfidence, Stats};

    #[test]
    fn confidence_in_json_and_summary() {
        let mut a = Analyzer::new(8000, 2, Config::default()).finish();
        let conf = |channel, level, snr_db, reasons: &[&str]| ChannelConfidence {
            channel,
            level,
            snr_db,
            reasons: reasons.iter().map(|r| r.to_string()).collect(),
            stats: Stats::default(),
        };
        a.confidence = vec![
            conf(0, Level::Low, Some(7.9), &["speech only 8 dB above the line noise"]),
            conf(1, Level::High, Some(29.5), &[]),
        ];
        assert_eq!(confidence_line(&a), "confidence agent low (speech 7.9 dB over noise), customer high");
        let v = to_json(&a);
        assert_eq!(
            v["confidence"][0],
            json!({"channel": 0, "side": "agent", "level": "low", "snr_db": 7.9,
                   "reasons": ["speech only 8 dB above the line noise"]})
        );
        assert_eq!(v["confidence"][1]["level"], "high");
    }
}
