//! What the store keeps about a call recording ([`CallMeta`]), and how the agent's name and
//! the recording time are read from INFO tags or from a file name such as
//! `Agent Meena - 2024-06-12 09.05.41 (library hours).wav` ([`parse_file_name`], with the
//! patterns of [`super::naming`]).

use std::path::Path;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use super::naming::{self, NameRules, clean_agent};
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
    /// The agent's team, from a dialer's metadata CSV or a name pattern's `team` group
    /// (`callqa index --metadata`/`--name-pattern`); `None` when nothing said it (never
    /// guessed). Left out of the audit rows' JSON when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
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
            team: from_name.team,
        }
    }
}

/// What a file name says about a call.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameParts {
    pub agent: Option<String>,
    pub recorded_at: Option<String>,
    /// The `team` group of a pattern that has one (callqa's default patterns have none).
    pub team: Option<String>,
}

/// Reads a file name with callqa's default name patterns ([`super::naming`]: the `callqa`
/// preset, `Agent NAME - YYYY-MM-DD HH.MM.SS (anything).wav`, then the `freepbx` preset, which
/// gives a time but no agent). A name that matches no pattern gives nothing.
pub fn parse_file_name(file_name: &str) -> NameParts {
    static RULES: LazyLock<NameRules> = LazyLock::new(NameRules::default);
    parse_with(&RULES, file_name)
}

/// [`parse_file_name`] with other rules (e.g. `--name-pattern`).
pub fn parse_with(rules: &NameRules, file_name: &str) -> NameParts {
    match rules.parse(file_name) {
        Some(f) => NameParts { recorded_at: f.recorded_at(), agent: f.agent, team: f.team },
        None => NameParts::default(),
    }
}

/// `2024-06-12 09.05.41 (x)` → `2024-06-12 09:05:41`; `2024-06-12` → `2024-06-12` (an
/// `ICRD` tag).
fn parse_date_time(s: &str) -> Option<String> {
    let date = naming::parse_date(s.get(..10)?)?;
    let time = s.get(10..).map(str::trim_start).and_then(|t| t.get(..8)).and_then(naming::parse_time);
    Some(match time {
        Some(t) => format!("{date} {t}"),
        None => date,
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
