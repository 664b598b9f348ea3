//! WebVTT and SRT: cues with a start and an end time and a few lines of text.
//!
//! One reader serves both. A cue is a block of non-blank lines holding a time line
//! (`00:00:01,000 --> 00:00:04,000`; `hh:` optional, `.` or `,` before the milliseconds,
//! WebVTT cue settings after the end time ignored); lines before it are an index or an
//! identifier. A second time line inside a block starts a new cue (SRT files that lost a
//! blank line), dropping a bare index line before it. WebVTT `NOTE`, `STYLE` and `REGION`
//! blocks and the header are skipped.
//!
//! Text: `<v Name>` / `<v.class Name>` sets the speaker, as does a `Name:` prefix at the
//! start of a line (after an optional dialogue dash `- `; 1–3 words, starting with a
//! letter, no sentence punctuation, followed by a space: `Agent: Hello`,
//! `SPEAKER_00: …`); other tags (`<c>`, `<i>`, `<b>`, `<font …>`) and
//! SRT `{\an8}` overrides are removed; `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&nbsp;`
//! are decoded. A cue without a speaker gets [`Label::Unknown`] (labels do not carry over
//! from one cue to the next).
//!
//! Times: inline timestamp tags (`<00:01.500>`) give the next word its start time. Words
//! between two known times (cue start, timestamp tags, cue end) are spread over that stretch
//! in proportion to their length ([`super::words::spread`]) and marked `interpolated`; a
//! word alone in its stretch has exact times and is not. Timestamp tags outside the cue or
//! going backwards are ignored. A cue whose times are unusable (end before start, too large)
//! is skipped and counted.

use super::words::{RawWord, WordSink, spread, times_ok};
use super::{Parsed, TranscriptError};
use crate::transcript::{Format, Label};

/// True when the first line is a WebVTT header (`WEBVTT`, optionally followed by text).
pub(crate) fn has_vtt_header(text: &str) -> bool {
    let first = text.lines().next().unwrap_or("");
    first == "WEBVTT"
        || first.trim_end() == "WEBVTT"
        || first.starts_with("WEBVTT ")
        || first.starts_with("WEBVTT\t")
}

/// True when one of the first non-blank lines is a cue time line.
pub(crate) fn looks_like_cues(text: &str) -> bool {
    split_lines(text).filter(|l| !l.trim().is_empty()).take(20).any(|l| parse_timing(l).is_some())
}

/// Reads a WebVTT file.
pub fn parse_vtt(text: &str) -> Result<Parsed, TranscriptError> {
    parse_cues(text, Format::WebVtt)
}

/// Reads an SRT file.
pub fn parse_srt(text: &str) -> Result<Parsed, TranscriptError> {
    parse_cues(text, Format::Srt)
}

/// Lines split on LF (CR LF and lone CR files too), without their line endings.
fn split_lines(text: &str) -> impl Iterator<Item = &str> {
    let lone_cr = !text.contains('\n') && text.contains('\r');
    let sep = if lone_cr { '\r' } else { '\n' };
    text.split(sep).map(|l| l.strip_suffix('\r').unwrap_or(l))
}

/// One cue: its times and its text lines.
struct Cue<'a> {
    start_s: f64,
    end_s: f64,
    lines: Vec<&'a str>,
}

fn parse_cues(text: &str, format: Format) -> Result<Parsed, TranscriptError> {
    let mut sink = WordSink::new(format);
    let mut block: Vec<&str> = Vec::new();
    for line in split_lines(text).chain(std::iter::once("")) {
        if line.trim().is_empty() {
            if !block.is_empty() {
                read_block(&block, format, &mut sink)?;
                block.clear();
            }
        } else {
            block.push(line);
        }
    }
    sink.finish()
}

/// True for a WebVTT block that holds no cue.
fn is_vtt_meta(first: &str) -> bool {
    ["WEBVTT", "NOTE", "STYLE", "REGION"]
        .iter()
        .any(|kw| first.strip_prefix(kw).is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t'])))
}

/// Reads the cues of one block of non-blank lines.
fn read_block(block: &[&str], format: Format, sink: &mut WordSink) -> Result<(), TranscriptError> {
    let Some(first) = block.first() else {
        return Ok(());
    };
    if format == Format::WebVtt && is_vtt_meta(first) {
        return Ok(());
    }
    let mut cues: Vec<Cue> = Vec::new();
    for line in block {
        if let Some((start_s, end_s)) = parse_timing(line) {
            if let Some(prev) = cues.last_mut()
                && prev
                    .lines
                    .last()
                    .is_some_and(|l| !l.is_empty() && l.trim().bytes().all(|b| b.is_ascii_digit()))
            {
                prev.lines.pop();
            }
            cues.push(Cue { start_s, end_s, lines: Vec::new() });
        } else if let Some(cue) = cues.last_mut() {
            cue.lines.push(line);
        }
    }
    for cue in &cues {
        read_cue(cue, sink)?;
    }
    Ok(())
}

/// A word of a cue before timing: its text, an inline start time, its speaker.
struct CueWord {
    text: String,
    start_s: Option<f64>,
    label: Label,
}

/// Turns one cue into timed words.
fn read_cue(cue: &Cue, sink: &mut WordSink) -> Result<(), TranscriptError> {
    let words = cue_words(&cue.lines);
    if words.is_empty() {
        return Ok(());
    }
    if !times_ok(cue.start_s, cue.end_s) {
        sink.skip();
        return Ok(());
    }
    // Anchors: indices whose start is known, in order and inside the cue.
    let mut anchors: Vec<(usize, f64)> = vec![(0, cue.start_s)];
    for (i, w) in words.iter().enumerate() {
        let last = anchors.last().map_or(cue.start_s, |a| a.1);
        if let Some(t) = w.start_s
            && t >= last
            && t <= cue.end_s
        {
            if i == 0 {
                anchors[0] = (0, t);
            } else {
                anchors.push((i, t));
            }
        }
    }
    for (n, &(from, t0)) in anchors.iter().enumerate() {
        let (to, t1) = anchors.get(n + 1).copied().unwrap_or((words.len(), cue.end_s));
        let run = words.get(from..to).unwrap_or(&[]);
        let texts: Vec<&str> = run.iter().map(|w| w.text.as_str()).collect();
        for (w, (a, b)) in run.iter().zip(spread(&texts, t0, t1)) {
            sink.push(RawWord {
                text: w.text.clone(),
                start_s: a,
                end_s: b,
                label: w.label.clone(),
                confidence: None,
                interpolated: run.len() > 1,
            })?;
        }
    }
    Ok(())
}

/// Collects a cue's words with their speakers and inline times (see the module docs).
fn cue_words(lines: &[&str]) -> Vec<CueWord> {
    let mut t = Tokens::default();
    for line in lines {
        t.line(line);
        t.flush();
    }
    t.words
}

/// The state of reading a cue's text.
#[derive(Default)]
struct Tokens {
    words: Vec<CueWord>,
    label: Option<String>,
    current: String,
    current_start: Option<f64>,
    pending_time: Option<f64>,
}

impl Tokens {
    /// Reads one text line.
    fn line(&mut self, line: &str) {
        let mut rest = line;
        let mut at_line_start = true;
        // Once no `>` (or `}`) is left, stop looking for one: linear even on `<<<<…`.
        let (mut gt_left, mut brace_left) = (true, true);
        while let Some(c) = rest.chars().next() {
            if c == '<' && gt_left {
                match rest.find('>') {
                    Some(close) => {
                        self.tag(rest.get(1..close).unwrap_or(""));
                        rest = rest.get(close + 1..).unwrap_or("");
                    }
                    None => gt_left = false,
                }
                continue;
            }
            if c == '{' && brace_left && rest.starts_with("{\\") {
                match rest.find('}') {
                    Some(close) => rest = rest.get(close + 1..).unwrap_or(""),
                    None => brace_left = false,
                }
                continue;
            }
            if at_line_start && !c.is_whitespace() {
                at_line_start = false;
                if let Some(after) = rest.strip_prefix("- ").or_else(|| rest.strip_prefix("– ")) {
                    rest = after.trim_start();
                    at_line_start = true;
                    continue;
                }
                let upto = rest.find('<').unwrap_or(rest.len());
                if let Some((name, used)) = speaker_prefix(rest.get(..upto).unwrap_or("")) {
                    self.flush();
                    self.label = Some(name.to_string());
                    rest = rest.get(used..).unwrap_or("");
                    continue;
                }
            }
            if c == '&'
                && let Some((decoded, used)) = entity(rest)
            {
                match decoded {
                    Some(' ') => self.flush(),
                    Some(ch) => self.push_char(ch),
                    None => {}
                }
                rest = rest.get(used..).unwrap_or("");
                continue;
            }
            if c.is_whitespace() {
                self.flush();
            } else {
                self.push_char(c);
            }
            rest = rest.get(c.len_utf8()..).unwrap_or("");
        }
    }

    fn push_char(&mut self, c: char) {
        if self.current.is_empty() {
            self.current_start = self.pending_time.take();
        }
        self.current.push(c);
    }

    /// Ends the word being read, if any.
    fn flush(&mut self) {
        if self.current.is_empty() {
            return;
        }
        let label = match &self.label {
            Some(name) => Label::Speaker(name.clone()),
            None => Label::Unknown,
        };
        self.words.push(CueWord {
            text: std::mem::take(&mut self.current),
            start_s: self.current_start.take(),
            label,
        });
    }

    /// Applies a tag's content (between `<` and `>`).
    fn tag(&mut self, tag: &str) {
        let tag = tag.trim();
        if let Some(rest) = tag.strip_prefix('v')
            && (rest.is_empty() || rest.starts_with(['.', ' ', '\t']))
        {
            self.flush();
            let name = rest.split_once([' ', '\t']).map(|(_, n)| n.trim()).unwrap_or("");
            if !name.is_empty() {
                self.label = Some(name.to_string());
            }
        } else if let Some(t) = parse_timestamp(tag) {
            self.flush();
            self.pending_time = Some(t);
        }
    }
}

/// A `Name:` speaker prefix at the start of `s`: the name and the bytes it takes.
fn speaker_prefix(s: &str) -> Option<(&str, usize)> {
    let colon = s.find(':')?;
    let name = s.get(..colon)?;
    let after = s.get(colon + 1..)?;
    if !(after.is_empty() || after.starts_with(char::is_whitespace)) {
        return None;
    }
    let ok_len = (1..=32).contains(&name.chars().count());
    let first_letter = name.chars().next().is_some_and(char::is_alphabetic);
    let clean = name.chars().all(|c| !c.is_control() && !",;!?\"()[]{}…।|/\\".contains(c));
    let words = name.split_whitespace().count();
    let trimmed = name.trim_end() == name;
    (ok_len && first_letter && clean && (1..=3).contains(&words) && trimmed).then_some((name, colon + 1))
}

/// A character entity at the start of `s`: the character (`None` for invisible marks) and
/// its length in bytes.
fn entity(s: &str) -> Option<(Option<char>, usize)> {
    let semi = s.get(..s.len().min(8))?.find(';')?;
    let decoded = match s.get(1..semi)? {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        "lrm" | "rlm" => None,
        _ => return None,
    };
    Some((decoded, semi + 1))
}

/// A time line's start and end; `None` when the line is not one.
fn parse_timing(line: &str) -> Option<(f64, f64)> {
    let (a, b) = line.split_once("-->")?;
    let start = parse_timestamp(a.trim())?;
    let end = parse_timestamp(b.split_whitespace().next()?)?;
    Some((start, end))
}

/// `[hh:]mm:ss[.,]fff` in seconds (the fraction optional, 1–9 digits).
pub(crate) fn parse_timestamp(s: &str) -> Option<f64> {
    let (clock, frac) = match s.split_once(['.', ',']) {
        Some((c, f)) => (c, Some(f)),
        None => (s, None),
    };
    let parts: Vec<&str> = clock.split(':').collect();
    let (h, m, sec) = match parts.as_slice() {
        [m, s] => ("0", *m, *s),
        [h, m, s] => (*h, *m, *s),
        _ => return None,
    };
    let digits = |x: &str, max_len: usize| -> Option<u64> {
        if x.is_empty() || x.len() > max_len || !x.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        x.parse().ok()
    };
    let h = digits(h, 6)?;
    let m = digits(m, 2)?;
    let sec = digits(sec, 2)?;
    if m >= 60 || sec >= 60 {
        return None;
    }
    let frac = match frac {
        Some(f) => {
            let n = digits(f, 9)?;
            n as f64 / 10f64.powi(f.len() as i32)
        }
        None => 0.0,
    };
    Some((h * 3600 + m * 60 + sec) as f64 + frac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        assert_eq!(parse_timestamp("00:01.500"), Some(1.5));
        assert_eq!(parse_timestamp("01:00:01,250"), Some(3601.25));
        assert_eq!(parse_timestamp("1:02"), Some(62.0));
        assert_eq!(parse_timestamp("00:61.000"), None);
        assert_eq!(parse_timestamp("aa:00.000"), None);
        assert_eq!(parse_timestamp(""), None);
    }

    #[test]
    fn prefixes() {
        assert_eq!(speaker_prefix("Agent: Hello"), Some(("Agent", 6)));
        assert_eq!(speaker_prefix("SPEAKER_00: hi"), Some(("SPEAKER_00", 11)));
        assert_eq!(speaker_prefix("ग्राहक: नमस्ते"), Some(("ग्राहक", "ग्राहक:".len())));
        assert_eq!(speaker_prefix("Sir, please: no"), None);
        assert_eq!(speaker_prefix("10:30 tomorrow"), None);
        assert_eq!(speaker_prefix("see http://x"), None);
    }

    #[test]
    fn voice_tags_and_inline_times() {
        let words = cue_words(&["<v.loud Kavita>Hello <00:01.500><c>there</c>"]);
        assert_eq!(words.len(), 2);
        assert_eq!(words[1].text, "there");
        assert_eq!(words[1].start_s, Some(1.5));
        assert_eq!(words[0].label, Label::Speaker("Kavita".into()));
    }
}
