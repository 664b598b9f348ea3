//! What the store keeps about a call recording ([`CallMeta`]), and how the agent's name and
//! the recording time are read from INFO tags or from a file name such as
//! `Agent Meena - 2024-06-12 09.05.41 (library hours).wav` ([`parse_file_name`]).

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::audio::WavInfo;

/// A call's description, as stored beside its content hash.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CallMeta {
    /// The file name (no folder), for display.
    pub file_name: String,
    pub duration_s: f64,
    pub sample_rate: u32,
    pub channels: u16,
    /// The encoding's name, e.g. `pcm_s16le`, `mulaw`.
    pub encoding: String,
    /// The agent's name, from the `IART` tag or the file name.
    pub agent: Option<String>,
    /// When the call was recorded, `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DD`, from the file name
    /// or the `ICRD` tag.
    pub recorded_at: Option<String>,
}

impl CallMeta {
    /// Builds the description from a file's path and what the reader found in it. The agent
    /// comes from `IART` first, then the file name; the time from the file name first (it has
    /// the time of day), then `ICRD`.
    pub fn from_wav(path: &Path, info: &WavInfo) -> CallMeta {
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let from_name = parse_file_name(&file_name);
        let agent = info.metadata.get("IART").and_then(|a| clean_agent(a)).or(from_name.agent);
        let recorded_at = from_name
            .recorded_at
            .or_else(|| info.metadata.get("ICRD").and_then(|d| parse_date_time(d.trim())));
        let encoding = serde_json::to_value(info.encoding)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| format!("{:?}", info.encoding));
        CallMeta {
            file_name,
            duration_s: info.duration_s(),
            sample_rate: info.sample_rate,
            channels: info.channels,
            encoding,
            agent,
            recorded_at,
        }
    }
}

/// What a file name says about a call.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameParts {
    pub agent: Option<String>,
    pub recorded_at: Option<String>,
}

/// Reads `Agent NAME - YYYY-MM-DD HH.MM.SS (anything).wav` (time separators `.`, `:` or `-`;
/// the time and the part in brackets are optional; `Agent ` may be left out when a date
/// follows the ` - `).
pub fn parse_file_name(file_name: &str) -> NameParts {
    let stem = match file_name.rsplit_once('.') {
        Some((stem, ext)) if ext.eq_ignore_ascii_case("wav") => stem,
        _ => file_name,
    };
    let (prefixed, rest) = match stem.get(..6) {
        Some(p) if p.eq_ignore_ascii_case("agent ") => (true, stem.get(6..).unwrap_or_default()),
        _ => (false, stem),
    };
    let (name, after) = match rest.split_once(" - ") {
        Some((n, a)) => (n, Some(a)),
        None => (rest, None),
    };
    let recorded_at = after.and_then(|a| parse_date_time(a.trim()));
    let agent = if prefixed || recorded_at.is_some() { clean_agent(name) } else { None };
    NameParts { agent, recorded_at }
}

/// `Agent Meena` → `Meena`; empty → `None`.
fn clean_agent(raw: &str) -> Option<String> {
    let t = raw.trim();
    let t = match t.get(..6) {
        Some(p) if p.eq_ignore_ascii_case("agent ") => t.get(6..).unwrap_or_default().trim(),
        _ => t,
    };
    (!t.is_empty()).then(|| t.to_string())
}

/// `2024-06-12 09.05.41 (x)` → `2024-06-12 09:05:41`; `2024-06-12` → `2024-06-12`.
fn parse_date_time(s: &str) -> Option<String> {
    let date = s.get(..10)?;
    let b = date.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let date_ok =
        digits(0..4) && b.get(4) == Some(&b'-') && digits(5..7) && b.get(7) == Some(&b'-') && digits(8..10);
    if !date_ok {
        return None;
    }
    let (month, day) = (date.get(5..7)?.parse::<u8>().ok()?, date.get(8..10)?.parse::<u8>().ok()?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let time = s.get(10..).map(str::trim_start).and_then(|t| t.get(..8)).and_then(|t| {
        let tb = t.as_bytes();
        let sep_ok = matches!(tb.get(2), Some(b'.' | b':' | b'-')) && tb.get(5) == tb.get(2);
        let nums: Option<Vec<u8>> = [0..2, 3..5, 6..8].into_iter().map(|r| t.get(r)?.parse().ok()).collect();
        match nums.as_deref() {
            Some([h, m, s]) if sep_ok && *h < 24 && *m < 60 && *s < 61 => {
                Some(format!("{h:02}:{m:02}:{s:02}"))
            }
            _ => None,
        }
    });
    Some(match time {
        Some(t) => format!("{date} {t}"),
        None => date.to_string(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn corpus_name_gives_agent_and_time() {
        let p = parse_file_name("Agent Meena - 2024-06-12 09.05.41 (library hours).wav");
        assert_eq!(p.agent.as_deref(), Some("Meena"));
        assert_eq!(p.recorded_at.as_deref(), Some("2024-06-12 09:05:41"));
    }

    #[test]
    fn other_names() {
        let p = parse_file_name("Ravi Kumar - 2025-01-02.wav");
        assert_eq!(p.agent.as_deref(), Some("Ravi Kumar"));
        assert_eq!(p.recorded_at.as_deref(), Some("2025-01-02"));
        assert_eq!(parse_file_name("dev_a_courteous.wav"), NameParts::default());
        assert_eq!(parse_file_name("ग्राहक_कॉल_17.wav"), NameParts::default());
        let p = parse_file_name("agent Asha.wav");
        assert_eq!(p.agent.as_deref(), Some("Asha"));
        let p = parse_file_name("Agent Asha - 2024-13-40 10.00.00.wav");
        assert_eq!((p.agent.as_deref(), p.recorded_at), (Some("Asha"), None));
        let p = parse_file_name("Agent Asha - 2024-06-12 25.00.00.wav");
        assert_eq!(p.recorded_at.as_deref(), Some("2024-06-12"));
        assert_eq!(parse_file_name("Agent  - x.wav").agent, None);
    }
}
