//! Who, when and which call, read from a recording's file name: a named-group regular
//! expression ([`NamePattern`]) and the usual recorders' patterns as presets ([`preset`]):
//!
//! - `callqa`: `Agent NAME - YYYY-MM-DD HH.MM.SS (anything).wav` (time separators `.`, `:` or
//!   `-`; the time and the part in brackets optional; `Agent ` may be left out when a valid
//!   date follows the ` - `). This is what [`crate::model::call::parse_file_name`] has always
//!   read.
//! - `freepbx` (alias `asterisk`): Asterisk/FreePBX call recordings,
//!   `out-<number>-<ext>-<YYYYMMDD>-<HHMMSS>-<uniqueid>.wav`, `in-<ext>-<number>-…`,
//!   `external-<ext>-<number>-…`, `exten-<ext>-<number>-…`, `rg-<group>-<number>-…`, and
//!   queue calls `q-<queue>-<number>-…` or `q<queue>-<number>-…`. These names carry no
//!   agent: the extension is a phone, not a person, so `agent` stays `None` (join a metadata
//!   CSV, [`super::metadata`], or write a pattern with an `agent` group to say who it is).
//!
//! Groups a pattern may name: `agent`, `date`, `time`, `direction`, `number`, `ext`, `queue`,
//! `uniqueid`, `team`, `customer` (any other name is refused, so a typo is caught). A pattern
//! is matched against the whole file name without its folder and without an audio extension
//! (`.wav`, `.gsm`, `.WAV49`, …). Dates are `YYYY-MM-DD`, `YYYYMMDD`, `YYYY.MM.DD` or
//! `YYYY_MM_DD`; times `HH.MM.SS` (any one of `.:-_` as separator) or `HHMMSS`. A date that is
//! not a real day is dropped (the other fields are kept); a time that is not a real time is
//! dropped (the date is kept). An empty group is absent. Nothing is guessed: a name that
//! matches no pattern gives no fields at all.

use regex::Regex;
use serde::Serialize;

/// The group names a pattern may use.
pub const GROUPS: &[&str] =
    &["agent", "date", "time", "direction", "number", "ext", "queue", "uniqueid", "team", "customer"];

/// Audio extensions taken off a file name before matching.
const AUDIO_EXTENSIONS: &[&str] =
    &["wav", "wav49", "gsm", "mp3", "ogg", "opus", "flac", "sln", "ulaw", "alaw"];

/// Which way a call went, from the `direction` group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Inbound,
    Outbound,
    Internal,
}

impl Direction {
    /// `out`, `outbound`, `outgoing` → outbound; `in`, `inbound`, `incoming`, `external`, `q`
    /// (a queue), `rg` (a ring group) → inbound; `exten`, `internal` → internal.
    pub fn parse(s: &str) -> Option<Direction> {
        match s.to_ascii_lowercase().as_str() {
            "out" | "outbound" | "outgoing" => Some(Direction::Outbound),
            "in" | "inbound" | "incoming" | "external" | "q" | "rg" => Some(Direction::Inbound),
            "exten" | "internal" => Some(Direction::Internal),
            _ => None,
        }
    }
}

/// What a file name says about a call. Every field is `None` unless the name said it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct NameFields {
    /// The agent's name (`Agent Meena` → `Meena`).
    pub agent: Option<String>,
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
    /// `HH:MM:SS` (only with a date).
    pub time: Option<String>,
    pub direction: Option<Direction>,
    /// The other party's phone number (caller id or dialled number).
    pub number: Option<String>,
    /// The agent's extension (a phone, not a person).
    pub ext: Option<String>,
    pub queue: Option<String>,
    pub uniqueid: Option<String>,
    pub team: Option<String>,
    pub customer: Option<String>,
    /// The pattern that matched (its name).
    pub pattern: String,
}

impl NameFields {
    /// `YYYY-MM-DD HH:MM:SS`, or `YYYY-MM-DD` without a time (the form [`crate::model::call::CallMeta`] keeps).
    pub fn recorded_at(&self) -> Option<String> {
        let date = self.date.as_deref()?;
        Some(match &self.time {
            Some(t) => format!("{date} {t}"),
            None => date.to_string(),
        })
    }
}

/// A pattern that cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NamingError {
    #[error("the name pattern is not a valid regular expression: {0}")]
    BadRegex(String),
    #[error(
        "the name pattern has a group named {0:?}; use agent, date, time, direction, number, ext, queue, uniqueid, team or customer"
    )]
    UnknownGroup(String),
    #[error("the name pattern has no named group; name what it reads, e.g. (?P<agent>[^_]+)")]
    NoGroup,
    #[error(
        "no name-pattern preset called {0:?}; presets: callqa, freepbx (or asterisk), or write a regular expression with named groups"
    )]
    UnknownPreset(String),
}

/// One named-group regular expression.
#[derive(Clone, Debug)]
pub struct NamePattern {
    name: String,
    regex: Regex,
    /// A captured `date` that is not a real day rejects the match (the next pattern is tried)
    /// instead of only dropping the date.
    date_required: bool,
}

impl NamePattern {
    /// Compiles `pattern` (anchored: it must match the whole name). `name` is shown in
    /// [`NameFields::pattern`].
    pub fn new(name: &str, pattern: &str) -> Result<NamePattern, NamingError> {
        let anchored = format!("^(?:{pattern})$");
        let regex = Regex::new(&anchored).map_err(|e| NamingError::BadRegex(e.to_string()))?;
        let mut any = false;
        for g in regex.capture_names().flatten() {
            if !GROUPS.contains(&g) {
                return Err(NamingError::UnknownGroup(g.to_string()));
            }
            any = true;
        }
        if !any {
            return Err(NamingError::NoGroup);
        }
        Ok(NamePattern { name: name.to_string(), regex, date_required: false })
    }

    fn strict_date(mut self) -> NamePattern {
        self.date_required = true;
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The fields of `file_name` (no folder), or `None` when the pattern does not match.
    pub fn parse(&self, file_name: &str) -> Option<NameFields> {
        let caps = self.regex.captures(stem(file_name))?;
        let get = |g: &str| caps.name(g).map(|m| m.as_str().trim()).filter(|s| !s.is_empty());
        let date = match get("date") {
            Some(d) => match parse_date(d) {
                Some(d) => Some(d),
                None if self.date_required => return None,
                None => None,
            },
            None => None,
        };
        let time = date.as_ref().and(get("time")).and_then(parse_time);
        Some(NameFields {
            agent: get("agent").and_then(clean_agent),
            date,
            time,
            direction: get("direction").and_then(Direction::parse),
            number: get("number").map(str::to_string),
            ext: get("ext").map(str::to_string),
            queue: get("queue").map(str::to_string),
            uniqueid: get("uniqueid").map(str::to_string),
            team: get("team").map(str::to_string),
            customer: get("customer").map(str::to_string),
            pattern: self.name.clone(),
        })
    }
}

/// Patterns tried in order; the first that matches gives the fields.
#[derive(Clone, Debug)]
pub struct NameRules {
    patterns: Vec<NamePattern>,
}

impl Default for NameRules {
    /// What callqa reads without being told: the `callqa` preset, then `freepbx`.
    fn default() -> Self {
        let mut patterns = callqa_patterns();
        patterns.extend(freepbx_patterns());
        NameRules { patterns }
    }
}

impl NameRules {
    pub fn new(patterns: Vec<NamePattern>) -> NameRules {
        NameRules { patterns }
    }

    /// From what a user typed (`--name-pattern`): each spec is a preset's name or a regular
    /// expression with named groups.
    pub fn from_specs<S: AsRef<str>>(specs: &[S]) -> Result<NameRules, NamingError> {
        let mut patterns = Vec::new();
        for spec in specs {
            let spec = spec.as_ref();
            match preset(spec) {
                Some(p) => patterns.extend(p),
                None if spec.contains("(?P<") || spec.contains("(?<") => {
                    patterns.push(NamePattern::new(spec, spec)?);
                }
                None => return Err(NamingError::UnknownPreset(spec.to_string())),
            }
        }
        Ok(NameRules { patterns })
    }

    /// The fields of the first pattern that matches `file_name`; `None` when none does.
    pub fn parse(&self, file_name: &str) -> Option<NameFields> {
        self.patterns.iter().find_map(|p| p.parse(file_name))
    }
}

/// A preset's patterns: `callqa`, `freepbx` (or `asterisk`).
pub fn preset(name: &str) -> Option<Vec<NamePattern>> {
    match name.to_ascii_lowercase().as_str() {
        "callqa" => Some(callqa_patterns()),
        "freepbx" | "asterisk" => Some(freepbx_patterns()),
        _ => None,
    }
}

const DATE_ISO: &str = r"\d{4}-\d{2}-\d{2}";
const TIME_SEP: &str = r"\d{2}[.:-]\d{2}[.:-]\d{2}";

#[allow(clippy::expect_used)] // the presets are constants, checked by the tests
fn fixed(name: &str, pattern: &str) -> NamePattern {
    NamePattern::new(name, pattern).expect("preset patterns compile")
}

/// `Agent NAME[ - DATE[ TIME][ anything]]`, then `NAME - DATE[ TIME][ anything]` (a valid
/// date required: without `Agent ` only a date says the first part is a name).
fn callqa_patterns() -> Vec<NamePattern> {
    vec![
        fixed(
            "callqa",
            &format!(r"(?i:agent )(?P<agent>.*?)(?: - (?P<date>{DATE_ISO})?(?:\s*(?P<time>{TIME_SEP}))?.*)?"),
        ),
        // The name: no " - " inside (the first " - " ends it).
        fixed(
            "callqa",
            &format!(
                r"(?P<agent>(?:[^ ]| [^-]| -[^ ])*) - (?P<date>{DATE_ISO})(?:\s*(?P<time>{TIME_SEP}))?.*"
            ),
        )
        .strict_date(),
    ]
}

fn freepbx_patterns() -> Vec<NamePattern> {
    let tail = r"-(?P<date>\d{8})-(?P<time>\d{6})-(?P<uniqueid>\d+(?:\.\d+)?)";
    vec![
        fixed("freepbx", &format!(r"(?P<direction>out)-(?P<number>[^-]*)-(?P<ext>[^-]*){tail}")),
        fixed(
            "freepbx",
            &format!(r"(?P<direction>in|external|exten)-(?P<ext>[^-]*)-(?P<number>[^-]*){tail}"),
        ),
        fixed("freepbx", &format!(r"(?P<direction>q|rg)-?(?P<queue>[^-]+)-(?P<number>[^-]*){tail}")),
    ]
}

/// The name without an audio extension.
fn stem(file_name: &str) -> &str {
    match file_name.rsplit_once('.') {
        Some((stem, ext)) if AUDIO_EXTENSIONS.iter().any(|a| ext.eq_ignore_ascii_case(a)) => stem,
        _ => file_name,
    }
}

/// `Agent Meena` → `Meena`; empty → `None`.
pub fn clean_agent(raw: &str) -> Option<String> {
    let t = raw.trim();
    let t = match t.get(..6) {
        Some(p) if p.eq_ignore_ascii_case("agent ") => t.get(6..).unwrap_or_default().trim(),
        _ => t,
    };
    (!t.is_empty()).then(|| t.to_string())
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        2 => 28,
        _ => 31,
    }
}

/// `2024-06-12`, `20240612`, `2024.06.12`, `2024_06_12` → `2024-06-12`; not a real day → `None`.
pub fn parse_date(s: &str) -> Option<String> {
    let digits: String = s.chars().filter(|c| !matches!(c, '-' | '.' | '_' | '/')).collect();
    let sep_ok = match s.len() {
        8 => true,
        10 => {
            let b = s.as_bytes();
            matches!(b.get(4), Some(b'-' | b'.' | b'_' | b'/')) && b.get(7) == b.get(4)
        }
        _ => false,
    };
    if !sep_ok || digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: u32 = digits.get(0..4)?.parse().ok()?;
    let month: u32 = digits.get(4..6)?.parse().ok()?;
    let day: u32 = digits.get(6..8)?.parse().ok()?;
    if year < 1900 || !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    Some(format!("{year:04}-{month:02}-{day:02}"))
}

/// `09.05.41`, `09:05:41`, `09-05-41`, `09_05_41`, `090541` → `09:05:41`; not a real time
/// (hour 24, minute 60; second 60 is a leap second) → `None`.
pub fn parse_time(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let (h, m, sec) = match b.len() {
        6 => (s.get(0..2)?, s.get(2..4)?, s.get(4..6)?),
        8 if matches!(b.get(2), Some(b'.' | b':' | b'-' | b'_')) && b.get(5) == b.get(2) => {
            (s.get(0..2)?, s.get(3..5)?, s.get(6..8)?)
        }
        _ => return None,
    };
    let all_digits = |x: &str| x.bytes().all(|c| c.is_ascii_digit());
    if !(all_digits(h) && all_digits(m) && all_digits(sec)) {
        return None;
    }
    let (h, m, sec): (u8, u8, u8) = (h.parse().ok()?, m.parse().ok()?, sec.parse().ok()?);
    (h < 24 && m < 60 && sec < 61).then(|| format!("{h:02}:{m:02}:{sec:02}"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// (file name, agent, recorded_at, direction, number, ext, queue, uniqueid)
    type Row = (
        &'static str,
        Option<&'static str>,
        Option<&'static str>,
        Option<Direction>,
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
    );

    #[test]
    fn default_rules_on_real_looking_recorder_names() {
        use Direction::*;
        let table: &[Row] = &[
            // Today's names (callqa preset).
            (
                "Agent Meena - 2024-06-12 09.05.41 (library hours).wav",
                Some("Meena"),
                Some("2024-06-12 09:05:41"),
                None,
                None,
                None,
                None,
                None,
            ),
            (
                "Agent Ravi Kumar - 2025-01-02 17:45:00.wav",
                Some("Ravi Kumar"),
                Some("2025-01-02 17:45:00"),
                None,
                None,
                None,
                None,
                None,
            ),
            (
                "AGENT Asha - 2024-02-29 23-59-59 (retry 2).WAV",
                Some("Asha"),
                Some("2024-02-29 23:59:59"),
                None,
                None,
                None,
                None,
                None,
            ),
            (
                "Ravi Kumar - 2025-01-02.wav",
                Some("Ravi Kumar"),
                Some("2025-01-02"),
                None,
                None,
                None,
                None,
                None,
            ),
            (
                "Mary-Jane O'Neil - 2025-03-04 08.00.00.wav",
                Some("Mary-Jane O'Neil"),
                Some("2025-03-04 08:00:00"),
                None,
                None,
                None,
                None,
                None,
            ),
            ("agent Asha.wav", Some("Asha"), None, None, None, None, None, None),
            (
                "Agent सुनीता - 2024-06-12 10.00.00.wav",
                Some("सुनीता"),
                Some("2024-06-12 10:00:00"),
                None,
                None,
                None,
                None,
                None,
            ),
            ("Agent Asha - 2024-13-40 10.00.00.wav", Some("Asha"), None, None, None, None, None, None),
            (
                "Agent Asha - 2024-06-12 25.00.00.wav",
                Some("Asha"),
                Some("2024-06-12"),
                None,
                None,
                None,
                None,
                None,
            ),
            ("Agent Asha - 2023-02-29 10.00.00.wav", Some("Asha"), None, None, None, None, None, None),
            ("Agent  - x.wav", None, None, None, None, None, None, None),
            // FreePBX / Asterisk: the extension is not an agent.
            (
                "out-9876543210-1001-20240612-090541-1718183141.42.wav",
                None,
                Some("2024-06-12 09:05:41"),
                Some(Outbound),
                Some("9876543210"),
                Some("1001"),
                None,
                Some("1718183141.42"),
            ),
            (
                "out-+919812345678-2003-20251231-235959-1767225599.7.WAV",
                None,
                Some("2025-12-31 23:59:59"),
                Some(Outbound),
                Some("+919812345678"),
                Some("2003"),
                None,
                Some("1767225599.7"),
            ),
            (
                "in-1001-9876543210-20240612-101500-1718187300.11.wav",
                None,
                Some("2024-06-12 10:15:00"),
                Some(Inbound),
                Some("9876543210"),
                Some("1001"),
                None,
                Some("1718187300.11"),
            ),
            (
                "external-1002-anonymous-20240612-101500-1718187300.12.wav",
                None,
                Some("2024-06-12 10:15:00"),
                Some(Inbound),
                Some("anonymous"),
                Some("1002"),
                None,
                Some("1718187300.12"),
            ),
            (
                "exten-1001-1002-20240612-111111-1718190671.5.wav",
                None,
                Some("2024-06-12 11:11:11"),
                Some(Internal),
                Some("1002"),
                Some("1001"),
                None,
                Some("1718190671.5"),
            ),
            (
                "q-5000-9876543210-20240612-120000-1718193600.1.wav",
                None,
                Some("2024-06-12 12:00:00"),
                Some(Inbound),
                Some("9876543210"),
                None,
                Some("5000"),
                Some("1718193600.1"),
            ),
            (
                "q5001-9876543210-20240612-120000-1718193600.2.wav",
                None,
                Some("2024-06-12 12:00:00"),
                Some(Inbound),
                Some("9876543210"),
                None,
                Some("5001"),
                Some("1718193600.2"),
            ),
            (
                "rg-600-9876543210-20240612-120000-1718193600.3.wav",
                None,
                Some("2024-06-12 12:00:00"),
                Some(Inbound),
                Some("9876543210"),
                None,
                Some("600"),
                Some("1718193600.3"),
            ),
            (
                "out--1001-20240612-090541-1718183141.42.wav",
                None,
                Some("2024-06-12 09:05:41"),
                Some(Outbound),
                None,
                Some("1001"),
                None,
                Some("1718183141.42"),
            ),
            // A bad date in an Asterisk name: the other fields stay, the date does not.
            (
                "out-9876543210-1001-20241332-090541-1718183141.42.wav",
                None,
                None,
                Some(Outbound),
                Some("9876543210"),
                Some("1001"),
                None,
                Some("1718183141.42"),
            ),
        ];
        let rules = NameRules::default();
        for (name, agent, at, dir, number, ext, queue, uid) in table {
            let f = rules.parse(name).unwrap_or_else(|| panic!("{name} should match"));
            assert_eq!(f.agent.as_deref(), *agent, "{name}: agent");
            assert_eq!(f.recorded_at().as_deref(), *at, "{name}: recorded_at");
            assert_eq!(f.direction, *dir, "{name}: direction");
            assert_eq!(f.number.as_deref(), *number, "{name}: number");
            assert_eq!(f.ext.as_deref(), *ext, "{name}: ext");
            assert_eq!(f.queue.as_deref(), *queue, "{name}: queue");
            assert_eq!(f.uniqueid.as_deref(), *uid, "{name}: uniqueid");
        }
    }

    #[test]
    fn names_that_match_nothing_give_nothing() {
        let rules = NameRules::default();
        for name in [
            "dev_a_courteous.wav",
            "ग्राहक_कॉल_17.wav",
            "recording.wav",
            "2024-06-12 09.05.41.wav",
            "Meena 2024-06-12.wav",
            "Ravi - 2024-13-40.wav", // no "Agent " and no real date: not a name
            "out-9876543210-1001-20240612-0905-1718183141.42.wav", // time too short
            "out-9876543210-20240612-090541-1718183141.42.wav", // no ext part
            "in-1001-9876543210-20240612-101500.wav", // no uniqueid
            "OUT_9876543210_1001_20240612_090541.wav",
            "",
            ".wav",
        ] {
            assert_eq!(rules.parse(name), None, "{name:?} should match nothing");
        }
    }

    #[test]
    fn same_answers_as_the_old_file_name_reader() {
        // The names `CallMeta::from_wav` read before the patterns existed, with its answers.
        let cases = [
            (
                "Agent Meena - 2024-06-12 09.05.41 (library hours).wav",
                Some("Meena"),
                Some("2024-06-12 09:05:41"),
            ),
            ("Ravi Kumar - 2025-01-02.wav", Some("Ravi Kumar"), Some("2025-01-02")),
            ("agent Asha.wav", Some("Asha"), None),
            ("Agent Asha - 2024-13-40 10.00.00.wav", Some("Asha"), None),
            ("Agent Asha - 2024-06-12 25.00.00.wav", Some("Asha"), Some("2024-06-12")),
            ("Agent  - x.wav", None, None),
            ("Agent A - B - 2024-06-12.wav", Some("A"), None),
            ("Agent Asha - 2024-06-12T09.05.41.wav", Some("Asha"), Some("2024-06-12")),
        ];
        let rules = NameRules::default();
        for (name, agent, at) in cases {
            let f = rules.parse(name).unwrap_or_default();
            assert_eq!((f.agent.as_deref(), f.recorded_at().as_deref()), (agent, at), "{name}");
        }
    }

    #[test]
    fn custom_patterns_and_presets_from_specs() {
        let rules = NameRules::from_specs(&[
            r"(?P<team>[A-Z]+)_(?P<agent>[^_]+)_(?P<date>\d{8})_(?P<time>\d{6})_(?P<customer>C\d+)",
            "freepbx",
        ])
        .unwrap();
        let f = rules.parse("BILLING_Priya Shah_20240612_090541_C778812.wav").unwrap();
        assert_eq!(f.team.as_deref(), Some("BILLING"));
        assert_eq!(f.agent.as_deref(), Some("Priya Shah"));
        assert_eq!(f.recorded_at().as_deref(), Some("2024-06-12 09:05:41"));
        assert_eq!(f.customer.as_deref(), Some("C778812"));
        assert_eq!(rules.parse("out-1-2-20240612-090541-3.wav").unwrap().pattern, "freepbx");
        // The callqa preset is not in these rules.
        assert_eq!(rules.parse("Agent Meena - 2024-06-12 09.05.41.wav"), None);
        assert!(matches!(NameRules::from_specs(&["(?P<agnt>.*)"]), Err(NamingError::UnknownGroup(_))));
        assert!(matches!(NameRules::from_specs(&["(?P<agent>[.*)"]), Err(NamingError::BadRegex(_))));
        assert!(matches!(NameRules::from_specs(&["genesys"]), Err(NamingError::UnknownPreset(_))));
        assert!(matches!(NamePattern::new("x", "(.*)"), Err(NamingError::NoGroup)));
        // Anchored: a pattern must match the whole name.
        let p = NamePattern::new("x", r"(?P<agent>[a-z]+)").unwrap();
        assert_eq!(p.parse("meena.wav").unwrap().agent.as_deref(), Some("meena"));
        assert_eq!(p.parse("meena-2.wav"), None);
    }

    #[test]
    fn dates_and_times() {
        assert_eq!(parse_date("20240229").as_deref(), Some("2024-02-29"));
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("2024.06.12").as_deref(), Some("2024-06-12"));
        assert_eq!(parse_date("2024-06.12"), None);
        assert_eq!(parse_date("2024-6-12"), None);
        assert_eq!(parse_time("235960").as_deref(), Some("23:59:60"));
        assert_eq!(parse_time("24:00:00"), None);
        assert_eq!(parse_time("09.05:41"), None);
    }
}
