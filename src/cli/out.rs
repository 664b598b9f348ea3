//! Standard output for every headless command, and text made safe for a terminal.
//!
//! Output goes through [`Stdout`] (or [`text`] and the `outln!` macro): when the reader goes away
//! (`callqa probe *.wav | head -1`) the rest of the output is dropped quietly and the command's
//! work goes on, ending with its usual exit code (0 when the work succeeded). Any other
//! write error is reported once at the end by [`finish`] (exit 1).
//!
//! Text that comes from the database or from files (notes, set names, reviewer names,
//! comments, file names) goes through [`term`] before it is printed as text, so control
//! characters (an escape sequence in a note) are shown, not obeyed. JSON output is escaped
//! by serde already.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::Write;
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once standard output's reader has gone away.
static CLOSED: AtomicBool = AtomicBool::new(false);
/// The first write error other than a closed pipe.
static FAILED: Mutex<Option<String>> = Mutex::new(None);

/// Standard output that treats a closed pipe as "stop printing" (see the module docs).
#[derive(Debug, Default, Clone, Copy)]
pub struct Stdout;

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if CLOSED.load(Ordering::Relaxed) {
            return Ok(buf.len());
        }
        match std::io::stdout().write(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                CLOSED.store(true, Ordering::Relaxed);
                Ok(buf.len())
            }
            other => other,
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if CLOSED.load(Ordering::Relaxed) {
            return Ok(());
        }
        match std::io::stdout().flush() {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                CLOSED.store(true, Ordering::Relaxed);
                Ok(())
            }
            other => other,
        }
    }
}

/// Prints `text` as it is (already made safe with [`term`] where needed).
pub fn text(text: &str) {
    print(format_args!("{text}"));
}

/// Prints formatted text (the `outln!` macro calls this).
pub fn print(text: std::fmt::Arguments<'_>) {
    let mut out = Stdout;
    if let Err(e) = out.write_fmt(text).and_then(|()| out.flush()) {
        let mut failed = FAILED.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        failed.get_or_insert_with(|| e.to_string());
    }
}

/// The exit code once the command is done: `code`, unless printing failed for a reason other
/// than a closed pipe (then the error is reported and the code is 1).
pub fn finish(cmd: &str, code: ExitCode) -> ExitCode {
    let failed = FAILED.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
    match failed {
        Some(e) => {
            eprintln!("callqa {cmd}: cannot write to standard output: {e}");
            ExitCode::FAILURE
        }
        None => code,
    }
}

/// `println!` through [`Stdout`].
macro_rules! outln {
    () => { $crate::cli::out::print(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::cli::out::print(format_args!("{}\n", format_args!($($arg)*))) };
}

pub(crate) use outln;

/// Whether `c` must not reach a terminal as it is: control characters (C0, DEL, C1) and the
/// bidirectional overrides and isolates, which reorder what is shown.
fn hostile(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `s` with control characters written as escapes (`\n`, `\t`, `\r`, `\u{1b}`); other text,
/// Hindi included, unchanged.
pub fn term(s: &str) -> Cow<'_, str> {
    if !s.chars().any(hostile) {
        return Cow::Borrowed(s);
    }
    let mut t = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => t.push_str("\\n"),
            '\t' => t.push_str("\\t"),
            '\r' => t.push_str("\\r"),
            c if hostile(c) => {
                let _ = write!(t, "\\u{{{:x}}}", u32::from(c));
            }
            c => t.push(c),
        }
    }
    Cow::Owned(t)
}

/// A path's text for a terminal.
pub fn term_path(p: &std::path::Path) -> String {
    term(&p.display().to_string()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(term("plain ग्राहक"), "plain ग्राहक");
        assert_eq!(term("\x1b[31mred\x1b]0;t\x07"), "\\u{1b}[31mred\\u{1b}]0;t\\u{7}");
        assert_eq!(term("a\nb\tc\r"), "a\\nb\\tc\\r");
        assert_eq!(term("\u{9b}2J \u{202E}abc"), "\\u{9b}2J \\u{202e}abc");
        // Joiners that Devanagari needs are kept.
        assert_eq!(term("क्\u{200D}ष"), "क्\u{200D}ष");
    }
}
