//! Time expressions in normalised tokens ("tomorrow at 4 pm", "कल सुबह दस बजे",
//! "kal shaam 5 baje", "in two hours") → a [`TimeValue`]: a day, a time of day, or a delay.
//!
//! Input is the output of [`crate::transcript::normalise::tokens`] (lowercase, nukta and
//! chandrabindu folded, digits ASCII, punctuation gone but "4:30" / "4.30" kept whole).
//! [`find_time_expressions`] scans left to right and returns non-overlapping matches as
//! half-open token ranges.
//!
//! What is recognised:
//! - **Clock times**: "4:30", "16:00", "4 pm", "4.30pm", "four o'clock", "half past four",
//!   "quarter past four", "quarter to five", "twenty past four", "four thirty" (after "at"),
//!   "noon"/"midnight" (after "at"/"by" or a day); Hindi/Hinglish "चार बजे" / "4 baje",
//!   "चार बजकर तीस मिनट", "साढ़े चार" / "sadhe chaar" (4:30), "सवा चार" (4:15), "पौने पाँच"
//!   (4:45), "ढाई बजे" (2:30), "डेढ़ बजे" (1:30).
//! - **Days**: today, tomorrow, day after tomorrow, weekdays ("on Thursday", "next Monday");
//!   आज, कल, परसों, सोमवार..रविवार; aaj, kal, parson, somvar... A day alone is an expression
//!   (`text()` "tomorrow"); a day followed or preceded by a clock joins it ("tomorrow 16:00").
//!   **"कल" / "kal" means both yesterday and tomorrow**: it is read as tomorrow, because these
//!   expressions are looked for next to callback promises, which are about the future.
//! - **Parts of the day**: morning / afternoon / evening / night, "this evening", "tonight",
//!   सुबह, दोपहर, शाम, रात (subah, dopahar, shaam, raat), am / pm.
//! - **Delays**: "in two hours", "in 30 minutes", "in half an hour", "in an hour and a half",
//!   "within 20 minutes", "after two hours"; "दो घंटे में", "आधे घंटे में", "डेढ़ घंटे बाद",
//!   "do ghante mein", "das minute mein".
//!
//! **Hours without am/pm or a part of the day** follow the business-hours rule: 1–7 are
//! afternoon/evening (4 → 16:00), 8–11 morning, 12 noon. A part of the day decides instead:
//! morning 1–11 as said (12 → 00), afternoon/evening +12, night 6–11 +12 and 1–5 as said
//! (रात दो बजे → 02:00). A two-digit hour with a leading zero ("07:30") or 13–23 is 24-hour.
//! The rule applies to the resulting clock hour: "quarter to eight" → 7:45 → 19:45.
//!
//! Avoiding numbers that are not times: a bare number is a time only with a marker (am/pm,
//! o'clock, बजे/baje), a part of the day, or after at/by/around/until/till/before/after —
//! and then only when the next word could follow a time ("at four is fine", "at six if…"),
//! not "at one of our stores" or "by two percent". "साढ़े चार" is refused before a number or
//! unit ("साढ़े चार हज़ार रुपये"); "ढाई"/"डेढ़" need बजे or a part of the day ("ढाई सौ" is 250).

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;

use super::normalise;

/// A day of the week.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    /// The full English name, lowercase: "thursday".
    pub fn name(self) -> &'static str {
        match self {
            Weekday::Mon => "monday",
            Weekday::Tue => "tuesday",
            Weekday::Wed => "wednesday",
            Weekday::Thu => "thursday",
            Weekday::Fri => "friday",
            Weekday::Sat => "saturday",
            Weekday::Sun => "sunday",
        }
    }
}

/// A day named relative to the call, or a weekday.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayRef {
    Today,
    Tomorrow,
    DayAfterTomorrow,
    Weekday(Weekday),
}

impl DayRef {
    /// "today", "tomorrow", "day after tomorrow", "thursday".
    pub fn text(self) -> &'static str {
        match self {
            DayRef::Today => "today",
            DayRef::Tomorrow => "tomorrow",
            DayRef::DayAfterTomorrow => "day after tomorrow",
            DayRef::Weekday(w) => w.name(),
        }
    }
}

/// What a time expression means. At least one field is set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct TimeValue {
    /// The day, when one was said.
    pub day: Option<DayRef>,
    /// Minutes after midnight (16:00 → 960), when a clock time was said.
    pub minutes_of_day: Option<u32>,
    /// A delay from now in minutes ("in two hours" → 120).
    pub relative_minutes: Option<u32>,
}

impl TimeValue {
    /// For people and tests: "tomorrow 16:00", "thursday 16:00", "18:00", "tomorrow",
    /// "in 120 min".
    pub fn text(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if let Some(d) = self.day {
            parts.push(d.text().to_string());
        }
        if let Some(m) = self.minutes_of_day {
            parts.push(format!("{:02}:{:02}", m / 60, m % 60));
        }
        if let Some(r) = self.relative_minutes {
            parts.push(format!("in {r} min"));
        }
        parts.join(" ")
    }

    /// True when the value names a time (a clock time or a delay), not only a day.
    pub fn has_time(&self) -> bool {
        self.minutes_of_day.is_some() || self.relative_minutes.is_some()
    }
}

/// Time expressions in `tokens` (normalised, see the module docs): `(start, end, value)` with
/// `start..end` the half-open token range, in order, not overlapping.
pub fn find_time_expressions<S: AsRef<str>>(tokens: &[S]) -> Vec<(usize, usize, TimeValue)> {
    let parser = Parser::new(tokens);
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match parser.parse_at(i) {
            Some((end, value)) if end > i => {
                out.push((i, end, value));
                i = end;
            }
            _ => i += 1,
        }
    }
    out
}

/// A part of the day, or am / pm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Morning,
    Afternoon,
    Evening,
    Night,
    Am,
    Pm,
}

/// What one token can mean here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Lex {
    /// A number, from digits or a word (English, Hindi, Hinglish).
    Num {
        n: u32,
        digits: bool,
    },
    /// "4:30" (colon) or "4.30" (dot); `h24`: a leading zero or an hour above 12.
    Clock {
        h: u32,
        m: u32,
        dot: bool,
        h24: bool,
    },
    Day(DayRef),
    Part(Part),
    Tonight,
    Noon,
    Midnight,
    /// o'clock, बजे / baje.
    Marker,
    /// बजकर / bajkar: minutes follow.
    Bajkar,
    /// at, by, around, before, until, till, after.
    Trigger,
    On,
    This,
    Next,
    In,
    Within,
    The,
    /// a, an.
    A,
    And,
    Couple,
    Of,
    Half,
    Quarter,
    Past,
    To,
    DayWord,
    Hour,
    Minute,
    /// में / mein, बाद / baad: "in" / "after" after a delay.
    Mein,
    /// के / ke (के अंदर: within).
    Ke,
    Andar,
    /// को / ko after a day or part of the day.
    Ko,
    /// sharp, तक / tak: ignorable after a clock.
    Sharp,
    Sadhe,
    Sava,
    Paune,
    Dhai,
    Dedh,
    Aadha,
}

/// How much context a clock needs before we believe it is a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Strength {
    /// "4:30", "half past four": always a time.
    Strong,
    /// "साढ़े चार": a time unless a number or unit follows.
    Fraction,
    /// "ढाई", "डेढ़": needs बजे or a part of the day.
    NeedsMarker,
    /// "noon": needs at/by or a day.
    Noon,
    /// A bare number ("four", "4", "four thirty"): see the module docs.
    Weak,
}

/// A clock as said, before am/pm is decided.
#[derive(Clone, Copy, Debug)]
struct RawClock {
    h: u32,
    m: u32,
    h24: bool,
    strength: Strength,
}

/// Context collected around a clock.
#[derive(Clone, Copy, Debug, Default)]
struct Ctx {
    day: Option<DayRef>,
    part: Option<Part>,
    trigger: bool,
    marker: bool,
}

struct Parser<'a, S> {
    tokens: &'a [S],
    lex: Vec<Option<Lex>>,
}

impl<'a, S: AsRef<str>> Parser<'a, S> {
    fn new(tokens: &'a [S]) -> Self {
        let lex = tokens.iter().map(|t| lex_token(t.as_ref())).collect();
        Parser { tokens, lex }
    }

    fn lex(&self, i: usize) -> Option<Lex> {
        self.lex.get(i).copied().flatten()
    }

    fn text(&self, i: usize) -> &str {
        self.tokens.get(i).map_or("", |t| t.as_ref())
    }

    fn is(&self, i: usize, want: Lex) -> bool {
        self.lex(i) == Some(want)
    }

    fn parse_at(&self, i: usize) -> Option<(usize, TimeValue)> {
        self.relative(i).or_else(|| self.absolute(i))
    }

    // ---- delays -------------------------------------------------------------------------

    /// "in two hours", "within 20 minutes", "दो घंटे में", "do ghante baad".
    fn relative(&self, i: usize) -> Option<(usize, TimeValue)> {
        let english = matches!(self.lex(i), Some(Lex::In | Lex::Within)) || self.text(i) == "after";
        let (start_qty, needs_post) = if english { (i + 1, false) } else { (i, true) };
        let (mut j, quarters) = self.quantity(start_qty)?;
        let mut minutes = match self.lex(j)? {
            Lex::Hour => quarters * 15,
            Lex::Minute => quarters / 4,
            _ => return None,
        };
        j += 1;
        if self.is(j - 1, Lex::Hour)
            && self.is(j, Lex::And)
            && self.is(j + 1, Lex::A)
            && self.is(j + 2, Lex::Half)
        {
            minutes += 30;
            j += 3;
        }
        if needs_post {
            if self.is(j, Lex::Mein) {
                j += 1;
            } else if self.is(j, Lex::Ke) && self.is(j + 1, Lex::Andar) {
                j += 2;
            } else {
                return None;
            }
        }
        (1..=48 * 60)
            .contains(&minutes)
            .then_some((j, TimeValue { relative_minutes: Some(minutes), ..TimeValue::default() }))
    }

    /// An amount in quarters: "two" → 8, "an" → 4, "half an" → 2, "साढ़े चार" → 18,
    /// "ढाई" → 10, "a couple of" → 8, "two and a half" → 10.
    fn quantity(&self, i: usize) -> Option<(usize, u32)> {
        match self.lex(i)? {
            Lex::A if self.is(i + 1, Lex::Couple) && self.is(i + 2, Lex::Of) => Some((i + 3, 8)),
            Lex::A => Some((i + 1, 4)),
            Lex::Couple if self.is(i + 1, Lex::Of) => Some((i + 2, 8)),
            Lex::Half if self.is(i + 1, Lex::A) => Some((i + 2, 2)),
            Lex::Half => Some((i + 1, 2)),
            Lex::Aadha => Some((i + 1, 2)),
            Lex::Dhai => Some((i + 1, 10)),
            Lex::Dedh => Some((i + 1, 6)),
            Lex::Sadhe | Lex::Sava | Lex::Paune => {
                let (end, n, _) = self.number(i + 1)?;
                let q = fraction_quarters(self.lex(i)?, n)?;
                Some((end, q))
            }
            Lex::Num { .. } => {
                let (end, n, _) = self.number(i)?;
                if self.is(end, Lex::And) && self.is(end + 1, Lex::A) && self.is(end + 2, Lex::Half) {
                    Some((end + 3, n.checked_mul(4)? + 2))
                } else {
                    Some((end, n.checked_mul(4)?))
                }
            }
            _ => None,
        }
    }

    /// A number, joining "forty five" (tens word + unit word): `(end, n, from digits)`.
    fn number(&self, i: usize) -> Option<(usize, u32, bool)> {
        let Lex::Num { n, digits } = self.lex(i)? else { return None };
        if !digits
            && matches!(n, 20 | 30 | 40 | 50)
            && let Some(Lex::Num { n: unit @ 1..=9, digits: false }) = self.lex(i + 1)
        {
            return Some((i + 2, n + unit, false));
        }
        Some((i + 1, n, digits))
    }

    // ---- days, parts and clocks ------------------------------------------------------------

    /// A clock time with its day and part of the day, or a day alone.
    fn absolute(&self, i: usize) -> Option<(usize, TimeValue)> {
        let mut ctx = Ctx::default();
        let mut j = i;
        let mut day_end = None;
        loop {
            if let Some((end, day, part)) = self.day_phrase(j) {
                ctx.day = ctx.day.or(Some(day));
                ctx.part = part.or(ctx.part);
                j = end;
                day_end = Some(j);
            } else if let Some((end, part, day)) = self.part_phrase(j) {
                ctx.part = Some(part);
                if day.is_some() {
                    ctx.day = ctx.day.or(day);
                    day_end = Some(end);
                }
                j = end;
            } else if self.is(j, Lex::Trigger) {
                ctx.trigger = true;
                j += 1;
            } else {
                break;
            }
        }
        let prefix_day = ctx.day;
        let day_only = move || {
            let day = prefix_day?;
            Some((day_end?, TimeValue { day: Some(day), ..TimeValue::default() }))
        };
        let Some((after_clock, mut clock)) = self.clock(j) else { return day_only() };
        j = after_clock;
        let mut suffix = false;
        loop {
            if let Some((end, part)) = self.meridiem(j) {
                ctx.part = Some(part);
                ctx.marker = true;
                j = end;
            } else if self.is(j, Lex::Marker) {
                ctx.marker = true;
                j += 1;
            } else if clock.h == 12 && matches!(self.lex(j), Some(Lex::Noon | Lex::Midnight)) {
                // "12 noon" is 12 pm, "12 midnight" 12 am.
                let noon = self.is(j, Lex::Noon);
                ctx.part = Some(if noon { Part::Pm } else { Part::Am });
                ctx.marker = true;
                j += 1;
            } else if self.is(j, Lex::Bajkar) {
                ctx.marker = true;
                j += 1;
                if let Some((end, m, _)) = self.number(j).filter(|&(_, m, _)| m < 60) {
                    clock.m = m;
                    j = if self.is(end, Lex::Minute) { end + 1 } else { end };
                }
            } else if let Some((end, part, day)) = self.part_phrase(j) {
                ctx.part = Some(part);
                ctx.day = ctx.day.or(day);
                j = end;
            } else if let Some((end, day, part)) = self.day_phrase(j) {
                ctx.day = ctx.day.or(Some(day));
                ctx.part = part.or(ctx.part);
                j = end;
            } else if self.is(j, Lex::Sharp) {
                j += 1;
            } else {
                break;
            }
            suffix = true;
        }
        let believed = match clock.strength {
            Strength::Strong => true,
            Strength::Fraction => ctx.marker || ctx.part.is_some() || !self.blocks_fraction(j),
            Strength::NeedsMarker => ctx.marker || ctx.part.is_some(),
            Strength::Noon => ctx.trigger || ctx.day.is_some(),
            Strength::Weak => {
                ctx.marker || ctx.part.is_some() || (ctx.trigger && (suffix || self.may_follow_time(j)))
            }
        };
        let minutes = if believed { resolve(clock, ctx.part) } else { None };
        match minutes {
            Some(m) => Some((j, TimeValue { day: ctx.day, minutes_of_day: Some(m), relative_minutes: None })),
            None => day_only(),
        }
    }

    /// "tomorrow", "on thursday", "next monday", "day after tomorrow", "tonight", "कल (को)".
    fn day_phrase(&self, i: usize) -> Option<(usize, DayRef, Option<Part>)> {
        let with_ko = |end: usize| if self.is(end, Lex::Ko) { end + 1 } else { end };
        match self.lex(i)? {
            Lex::Day(d) => Some((with_ko(i + 1), d, None)),
            Lex::Tonight => Some((i + 1, DayRef::Today, Some(Part::Night))),
            Lex::On | Lex::Next | Lex::This => match self.lex(i + 1)? {
                Lex::Day(d @ DayRef::Weekday(_)) => Some((i + 2, d, None)),
                Lex::Day(d) if self.is(i, Lex::On) => Some((i + 2, d, None)),
                _ => None,
            },
            Lex::DayWord if self.text(i + 1) == "after" && self.is(i + 2, Lex::Day(DayRef::Tomorrow)) => {
                Some((i + 3, DayRef::DayAfterTomorrow, None))
            }
            _ => None,
        }
    }

    /// "morning", "in the afternoon", "this evening" (today), "at night", "शाम (को)".
    fn part_phrase(&self, i: usize) -> Option<(usize, Part, Option<DayRef>)> {
        let part_at = |j: usize| match self.lex(j) {
            Some(Lex::Part(p @ (Part::Morning | Part::Afternoon | Part::Evening | Part::Night))) => Some(p),
            _ => None,
        };
        let with_ko = |end: usize| if self.is(end, Lex::Ko) { end + 1 } else { end };
        if let Some(p) = part_at(i) {
            return Some((with_ko(i + 1), p, None));
        }
        if self.is(i, Lex::In) && self.is(i + 1, Lex::The) {
            return part_at(i + 2).map(|p| (i + 3, p, None));
        }
        if self.is(i, Lex::This) {
            return part_at(i + 1).map(|p| (i + 2, p, Some(DayRef::Today)));
        }
        if self.text(i) == "at" {
            return part_at(i + 1).filter(|&p| p == Part::Night).map(|p| (i + 2, p, None));
        }
        None
    }

    /// "am", "pm", "a m", "p m".
    fn meridiem(&self, i: usize) -> Option<(usize, Part)> {
        match (self.text(i), self.text(i + 1)) {
            ("a", "m") => Some((i + 2, Part::Am)),
            ("p", "m") => Some((i + 2, Part::Pm)),
            _ => match self.lex(i)? {
                Lex::Part(p @ (Part::Am | Part::Pm)) => Some((i + 1, p)),
                _ => None,
            },
        }
    }

    /// The clock itself, before its suffix: "4:30", "half past four", "साढ़े चार", "four".
    fn clock(&self, i: usize) -> Option<(usize, RawClock)> {
        let strong = |h, m| RawClock { h, m, h24: false, strength: Strength::Strong };
        let hour = |j: usize| self.number(j).filter(|&(_, h, _)| (1..=12).contains(&h));
        match self.lex(i)? {
            Lex::Clock { h, m, dot, h24 } => {
                let strength = if dot { Strength::Weak } else { Strength::Strong };
                Some((i + 1, RawClock { h, m, h24, strength }))
            }
            Lex::Noon => Some((i + 1, RawClock { h: 12, m: 0, h24: true, strength: Strength::Noon })),
            Lex::Midnight => Some((i + 1, RawClock { h: 0, m: 0, h24: true, strength: Strength::Noon })),
            Lex::A if self.is(i + 1, Lex::Quarter) => self.clock(i + 1),
            Lex::Half if self.is(i + 1, Lex::Past) => hour(i + 2).map(|(e, h, _)| (e, strong(h, 30))),
            Lex::Quarter if self.is(i + 1, Lex::Past) => hour(i + 2).map(|(e, h, _)| (e, strong(h, 15))),
            Lex::Quarter if self.is(i + 1, Lex::To) => {
                hour(i + 2).map(|(e, h, _)| (e, strong(prev_hour(h), 45)))
            }
            Lex::Sadhe | Lex::Sava | Lex::Paune => {
                let (end, h, _) = hour(i + 1)?;
                let q = fraction_quarters(self.lex(i)?, h)?;
                let clock = RawClock {
                    h: clock_hour(q / 4),
                    m: (q % 4) * 15,
                    h24: false,
                    strength: Strength::Fraction,
                };
                Some((end, clock))
            }
            Lex::Dhai => Some((i + 1, RawClock { h: 2, m: 30, h24: false, strength: Strength::NeedsMarker })),
            Lex::Dedh => Some((i + 1, RawClock { h: 1, m: 30, h24: false, strength: Strength::NeedsMarker })),
            Lex::Num { .. } => self.number_clock(i),
            _ => None,
        }
    }

    /// "twenty past four", "ten minutes to five", "four thirty", "four", "16".
    fn number_clock(&self, i: usize) -> Option<(usize, RawClock)> {
        let (end, n, digits) = self.number(i)?;
        let strong = |h, m| RawClock { h, m, h24: false, strength: Strength::Strong };
        let hour = |j: usize| self.number(j).filter(|&(_, h, _)| (1..=12).contains(&h));
        let after_minute = if self.is(end, Lex::Minute) { end + 1 } else { end };
        if (1..=30).contains(&n) {
            if self.is(after_minute, Lex::Past) {
                return hour(after_minute + 1).map(|(e, h, _)| (e, strong(h, n)));
            }
            if after_minute > end && self.is(after_minute, Lex::To) {
                return hour(after_minute + 1).map(|(e, h, _)| (e, strong(prev_hour(h), 60 - n)));
            }
        }
        let h24 = digits && (13..=23).contains(&n);
        if !((1..=12).contains(&n) || h24) {
            return None;
        }
        let weak = |e, m| (e, RawClock { h: n, m, h24, strength: Strength::Weak });
        if !h24 && let Some((e, m, _)) = self.number(end).filter(|&(_, m, _)| (10..=59).contains(&m)) {
            return Some(weak(e, m));
        }
        Some(weak(end, 0))
    }

    /// True when the token at `i` may follow a bare time ("at four is fine", "at six if…"):
    /// the end, or a word from a short list. Anything else ("of", "percent", "people") means
    /// the number counted something.
    fn may_follow_time(&self, i: usize) -> bool {
        const FOLLOW: &[&str] = &[
            "if", "and", "or", "then", "so", "please", "sir", "madam", "maam", "ji", "is", "works", "suits",
            "ok", "okay", "to", "with", "when", "but", "because", "for", "i", "we", "you", "it", "that",
            "thats", "exactly", "latest", "as", "again", "yes", "right", "thank", "thanks", "will", "would",
            "shall", "once", "your", "our", "from", "should", "can", "could",
        ];
        i >= self.tokens.len() || FOLLOW.contains(&self.text(i))
    }

    /// True when the token at `i` shows that "साढ़े चार" counted something: a number, a
    /// magnitude or a unit.
    fn blocks_fraction(&self, i: usize) -> bool {
        matches!(self.lex(i), Some(Lex::Num { .. } | Lex::Hour | Lex::Minute)) || {
            let t = self.text(i);
            not_after_fraction().iter().any(|w| w == t)
        }
    }
}

/// The hour before `h` on a 12-hour face (1 → 12).
fn prev_hour(h: u32) -> u32 {
    if h <= 1 { 12 } else { h - 1 }
}

/// Hour 0 on a 12-hour face is 12 ("पौने एक" = 12:45).
fn clock_hour(h: u32) -> u32 {
    if h == 0 { 12 } else { h }
}

/// साढ़े / सवा / पौने `n` in quarters (4n + 2, 4n + 1, 4n − 1).
fn fraction_quarters(kind: Lex, n: u32) -> Option<u32> {
    let base = n.checked_mul(4)?;
    match kind {
        Lex::Sadhe => base.checked_add(2),
        Lex::Sava => base.checked_add(1),
        Lex::Paune => base.checked_sub(1),
        _ => None,
    }
}

/// Minutes after midnight for a clock and a part of the day (see the module docs).
fn resolve(clock: RawClock, part: Option<Part>) -> Option<u32> {
    let RawClock { h, m, h24, .. } = clock;
    if h > 23 || m > 59 {
        return None;
    }
    let hour = if h >= 13 || h == 0 {
        h
    } else {
        match part {
            Some(Part::Am) => h % 12,
            Some(Part::Pm) => h % 12 + 12,
            _ if h24 => h,
            Some(Part::Morning) => h % 12,
            Some(Part::Afternoon | Part::Evening) => h % 12 + 12,
            Some(Part::Night) if h == 12 => 0,
            Some(Part::Night) if h >= 6 => h + 12,
            Some(Part::Night) => h,
            None if h <= 7 => h + 12,
            None => h,
        }
    };
    Some(hour * 60 + m)
}

/// Lexes one normalised token.
fn lex_token(t: &str) -> Option<Lex> {
    if let Some(clock) = clock_token(t) {
        return Some(clock);
    }
    if !t.is_empty() && t.len() <= 4 && t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse().ok().map(|n| Lex::Num { n, digits: true });
    }
    lexicon().get(t).copied()
}

/// "4:30", "16:00", "4.30", "07:30" → a clock; anything else → `None`.
fn clock_token(t: &str) -> Option<Lex> {
    let (sep_at, sep) = t.char_indices().find(|&(_, c)| c == ':' || c == '.')?;
    let (hs, ms) = (t.get(..sep_at)?, t.get(sep_at + 1..)?);
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(hs) && digits(ms) && hs.len() <= 2 && ms.len() == 2) {
        return None;
    }
    let (h, m): (u32, u32) = (hs.parse().ok()?, ms.parse().ok()?);
    if h > 23 || m > 59 {
        return None;
    }
    let h24 = h >= 13 || (hs.len() == 2 && hs.starts_with('0'));
    Some(Lex::Clock { h, m, dot: sep == '.', h24 })
}

/// Words after "साढ़े चार" that show it counted something (normalised).
fn not_after_fraction() -> &'static [String] {
    static WORDS: OnceLock<Vec<String>> = OnceLock::new();
    WORDS.get_or_init(|| {
        [
            "सौ",
            "हज़ार",
            "हजार",
            "लाख",
            "करोड़",
            "रुपये",
            "रुपए",
            "रुपया",
            "रु",
            "किलो",
            "लीटर",
            "दिन",
            "साल",
            "महीने",
            "हफ़्ते",
            "प्रतिशत",
            "गुना",
            "sau",
            "hazaar",
            "hazar",
            "hajar",
            "lakh",
            "crore",
            "karod",
            "rupees",
            "rupaye",
            "rupay",
            "rs",
            "kilo",
            "kg",
            "litre",
            "liter",
            "din",
            "saal",
            "mahine",
            "hafte",
            "percent",
            "guna",
        ]
        .iter()
        .map(|w| normalise::normalise(w))
        .collect()
    })
}

/// Every word we know, normalised like the transcript, → its meaning.
fn lexicon() -> &'static HashMap<String, Lex> {
    static LEXICON: OnceLock<HashMap<String, Lex>> = OnceLock::new();
    LEXICON.get_or_init(|| {
        let mut map = HashMap::new();
        for &(words, lex) in LEXICON_ENTRIES {
            for word in words.split_whitespace() {
                map.insert(normalise::normalise(word), lex);
            }
        }
        map
    })
}

const fn num(n: u32) -> Lex {
    Lex::Num { n, digits: false }
}

const fn wd(w: Weekday) -> Lex {
    Lex::Day(DayRef::Weekday(w))
}

/// Words (space-separated, written naturally; normalised when the table is built) and what
/// they mean. Hinglish spellings follow what recognisers and agents write most often.
const LEXICON_ENTRIES: &[(&str, Lex)] = &[
    // English numbers.
    ("one", num(1)),
    ("two", num(2)),
    ("three", num(3)),
    ("four", num(4)),
    ("five", num(5)),
    ("six", num(6)),
    ("seven", num(7)),
    ("eight", num(8)),
    ("nine", num(9)),
    ("ten", num(10)),
    ("eleven", num(11)),
    ("twelve", num(12)),
    ("thirteen", num(13)),
    ("fourteen", num(14)),
    ("fifteen", num(15)),
    ("sixteen", num(16)),
    ("seventeen", num(17)),
    ("eighteen", num(18)),
    ("nineteen", num(19)),
    ("twenty", num(20)),
    ("thirty", num(30)),
    ("forty fourty", num(40)),
    ("fifty", num(50)),
    // Hindi numbers.
    ("एक", num(1)),
    ("दो", num(2)),
    ("तीन", num(3)),
    ("चार", num(4)),
    ("पाँच पांच", num(5)),
    ("छह छः छे छ", num(6)),
    ("सात", num(7)),
    ("आठ", num(8)),
    ("नौ", num(9)),
    ("दस", num(10)),
    ("ग्यारह", num(11)),
    ("बारह", num(12)),
    ("तेरह", num(13)),
    ("चौदह", num(14)),
    ("पंद्रह पन्द्रह", num(15)),
    ("सोलह", num(16)),
    ("सत्रह", num(17)),
    ("अठारह", num(18)),
    ("उन्नीस", num(19)),
    ("बीस", num(20)),
    ("पच्चीस", num(25)),
    ("तीस", num(30)),
    ("पैंतीस", num(35)),
    ("चालीस", num(40)),
    ("पैंतालीस", num(45)),
    ("पचास", num(50)),
    ("पचपन", num(55)),
    // Hinglish numbers.
    ("ek", num(1)),
    ("do", num(2)),
    ("teen tin", num(3)),
    ("char chaar", num(4)),
    ("panch paanch paach", num(5)),
    ("chhe chhah chah chhey", num(6)),
    ("saat sat", num(7)),
    ("aath ath", num(8)),
    ("nau", num(9)),
    ("das dus", num(10)),
    ("gyarah gyara gyaarah gyarha", num(11)),
    ("barah bara baarah barha", num(12)),
    ("pandrah pandra", num(15)),
    ("bees", num(20)),
    ("pachees pachchis", num(25)),
    ("tees", num(30)),
    ("paintalis paintalees", num(45)),
    // Days.
    ("today aaj aj आज", Lex::Day(DayRef::Today)),
    ("tomorrow tmrw kal कल", Lex::Day(DayRef::Tomorrow)),
    ("parson parso parsoon परसों", Lex::Day(DayRef::DayAfterTomorrow)),
    ("monday सोमवार somvar somwar", wd(Weekday::Mon)),
    ("tuesday मंगलवार mangalvar mangalwar", wd(Weekday::Tue)),
    ("wednesday बुधवार budhvar budhwar", wd(Weekday::Wed)),
    ("thursday गुरुवार बृहस्पतिवार वीरवार guruvar guruwar brihaspativar veervar", wd(Weekday::Thu)),
    ("friday शुक्रवार shukravar shukrawar", wd(Weekday::Fri)),
    ("saturday शनिवार shanivar shaniwar", wd(Weekday::Sat)),
    ("sunday रविवार इतवार ravivar raviwar itwar itvar", wd(Weekday::Sun)),
    ("tonight", Lex::Tonight),
    ("day", Lex::DayWord),
    // Parts of the day.
    ("morning सुबह सवेरे subah subha savere sawere", Lex::Part(Part::Morning)),
    ("afternoon दोपहर dopahar dopehar dophar dupahar", Lex::Part(Part::Afternoon)),
    ("evening शाम shaam sham", Lex::Part(Part::Evening)),
    ("night रात raat", Lex::Part(Part::Night)),
    ("am", Lex::Part(Part::Am)),
    ("pm", Lex::Part(Part::Pm)),
    ("noon midday", Lex::Noon),
    ("midnight", Lex::Midnight),
    // Clock words.
    ("o'clock बजे baje bajey bje", Lex::Marker),
    ("बजकर बजके bajkar bajke", Lex::Bajkar),
    ("half", Lex::Half),
    ("quarter", Lex::Quarter),
    ("past", Lex::Past),
    ("to", Lex::To),
    ("साढ़े sadhe saadhe sade saade", Lex::Sadhe),
    ("सवा sava sawa", Lex::Sava),
    ("पौने paune pone", Lex::Paune),
    ("ढाई dhai dhaai", Lex::Dhai),
    ("डेढ़ dedh derh", Lex::Dedh),
    ("आधा आधे aadha aadhe adha adhe", Lex::Aadha),
    // Little words.
    ("at by around before until till after", Lex::Trigger),
    ("on", Lex::On),
    ("this", Lex::This),
    ("next", Lex::Next),
    ("in", Lex::In),
    ("within", Lex::Within),
    ("the", Lex::The),
    ("a an", Lex::A),
    ("and", Lex::And),
    ("couple", Lex::Couple),
    ("of", Lex::Of),
    ("को ko", Lex::Ko),
    ("sharp तक tak", Lex::Sharp),
    ("में mein me main mai बाद baad", Lex::Mein),
    ("के ke", Lex::Ke),
    ("अंदर अन्दर andar", Lex::Andar),
    // Units.
    ("hour hours hr hrs घंटे घंटा घंटों ghante ghanta ghanton ghantey", Lex::Hour),
    ("minute minutes min mins मिनट मिनिट minat", Lex::Minute),
];

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn parse(text: &str) -> Vec<String> {
        let toks = normalise::tokens(text);
        find_time_expressions(&toks).into_iter().map(|(_, _, v)| v.text()).collect()
    }

    #[test]
    fn every_lexicon_word_is_one_token() {
        for &(words, _) in LEXICON_ENTRIES {
            for w in words.split_whitespace() {
                assert_eq!(normalise::tokens(w).len(), 1, "{w}");
            }
        }
    }

    #[test]
    fn spans_are_token_ranges() {
        let toks = normalise::tokens("I will call you tomorrow at 4 pm, thanks");
        let found = find_time_expressions(&toks);
        assert_eq!(found.len(), 1);
        let (s, e, v) = found[0];
        assert_eq!(toks[s..e].join(" "), "tomorrow at 4 pm");
        assert_eq!(v.text(), "tomorrow 16:00");
    }

    #[test]
    fn business_hours_rule_and_parts() {
        assert_eq!(parse("at 7"), ["19:00"]);
        assert_eq!(parse("at 8"), ["08:00"]);
        assert_eq!(parse("at 12"), ["12:00"]);
        assert_eq!(parse("रात दो बजे"), ["02:00"]);
        assert_eq!(parse("07:30"), ["07:30"]);
        assert_eq!(parse("4:30"), ["16:30"]);
    }

    #[test]
    fn no_panic_on_odd_input() {
        for t in ["", "at", "quarter to", "साढ़े", "in an", "99:99", "at 9999", "पौने 0 बजे", "day after"]
        {
            let _ = parse(t);
        }
    }
}
