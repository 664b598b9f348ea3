//! Normalising text for matching: what a scorecard's phrase and a transcript's words are both
//! turned into before they are compared, so that spellings that mean the same match.
//!
//! [`tokens`] (and [`normalise`], its tokens joined by one space) does, in order:
//! - Unicode normalisation (decompose, fold, recompose to NFC), so precomposed and decomposed
//!   input give the same text;
//! - **nukta folded**: every consonant with a nukta becomes its base consonant, precomposed
//!   (U+0958..U+095F, ऩ ऱ ऴ) or written as consonant + U+093C: "माफ़ी" = "माफी",
//!   "ग़लती" = "गलती", "पढ़" = "पढ". Transcripts and typists drop or add the nukta freely;
//!   no phrase we match depends on it;
//! - **chandrabindu folded** to anusvara (ँ → ं): "करूँगा" = "करूंगा", "पाँच" = "पांच";
//! - lowercase;
//! - **digits** of any common script (Devanagari ०-९, Arabic-Indic, Bengali, Gujarati,
//!   Gurmukhi, Tamil, Telugu, Kannada, Malayalam, Oriya, full-width) → ASCII `0-9`;
//! - **apostrophes** (`'` `’` `‘` `ʼ` `` ` ``) removed *inside* a token: "I'm" = "I’m" = "im",
//!   "o'clock" = "oclock" (write rules the same way: they are normalised alike);
//! - everything that is not a letter, digit or combining mark separates tokens: punctuation,
//!   the danda । and double danda ॥, hyphens, quotes, whitespace. Zero-width joiners are
//!   dropped. One exception: `:` or `.` between two digits stays, so "4:30" and "4.30" are one
//!   token each (the time parser tells a clock from a price);
//! - a token is split where digits meet letters: "4pm" → "4" "pm", "५बजे" → "5" "बजे".
//!
//! Matching on these tokens is whole-word by construction.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// One normalised token and the index of the word it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// The normalised token text.
    pub text: String,
    /// Index of the source word (into the list given to [`word_tokens`]).
    pub word: usize,
}

/// The normalised text: [`tokens`] joined by single spaces.
pub fn normalise(text: &str) -> String {
    tokens(text).join(" ")
}

/// The normalised tokens of `text` (see the module docs for the rules).
pub fn tokens(text: &str) -> Vec<String> {
    let chars = folded_chars(text);
    let mut out = Vec::new();
    let mut current = String::new();
    let mut last: Option<char> = None;
    for (i, &c) in chars.iter().enumerate() {
        if is_apostrophe(c) {
            continue;
        }
        if c.is_alphanumeric() || is_combining_mark(c) {
            if let Some(prev) = last
                && prev != ':'
                && prev != '.'
                && prev.is_ascii_digit() != c.is_ascii_digit()
                && !is_combining_mark(c)
            {
                flush(&mut current, &mut out);
            }
            current.push(c);
            last = Some(c);
            continue;
        }
        let between_digits = (c == ':' || c == '.')
            && last.is_some_and(|p| p.is_ascii_digit())
            && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if between_digits {
            current.push(c);
            last = Some(c);
        } else {
            flush(&mut current, &mut out);
            last = None;
        }
    }
    flush(&mut current, &mut out);
    out
}

/// The tokens of each word, tagged with the word's index. A word may give no token
/// ("—", "।") or several ("4pm", "sorry,that").
pub fn word_tokens<'a, I>(words: I) -> Vec<Token>
where
    I: IntoIterator<Item = &'a str>,
{
    let mut out = Vec::new();
    for (word, text) in words.into_iter().enumerate() {
        out.extend(tokens(text).into_iter().map(|text| Token { text, word }));
    }
    out
}

fn flush(current: &mut String, out: &mut Vec<String>) {
    if !current.is_empty() {
        out.push(std::mem::take(current));
    }
}

/// Decomposes, drops nuktas and zero-width characters, folds chandrabindu and digits,
/// recomposes (NFC) and lowercases.
fn folded_chars(text: &str) -> Vec<char> {
    let folded = text.nfd().filter_map(fold_char).nfc();
    let mut out = Vec::with_capacity(text.len());
    for c in folded {
        out.extend(c.to_lowercase());
    }
    out
}

/// One decomposed character → what matching sees (`None`: drop it).
fn fold_char(c: char) -> Option<char> {
    match c {
        '\u{093C}' => None,                                                     // Devanagari nukta
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{00AD}' | '\u{FEFF}' => None, // zero-width, soft hyphen
        '\u{0901}' => Some('\u{0902}'),                                         // chandrabindu → anusvara
        _ => Some(ascii_digit(c).unwrap_or(c)),
    }
}

/// The first code point (zero) of each script's decimal digits that we fold to ASCII.
const DIGIT_ZEROS: [u32; 13] = [
    0x0660, // Arabic-Indic
    0x06F0, // Extended Arabic-Indic
    0x0966, // Devanagari
    0x09E6, // Bengali
    0x0A66, // Gurmukhi
    0x0AE6, // Gujarati
    0x0B66, // Oriya
    0x0BE6, // Tamil
    0x0C66, // Telugu
    0x0CE6, // Kannada
    0x0D66, // Malayalam
    0x0E50, // Thai
    0xFF10, // Full-width
];

/// The ASCII digit for a decimal digit of another script, if `c` is one.
fn ascii_digit(c: char) -> Option<char> {
    let code = u32::from(c);
    DIGIT_ZEROS
        .iter()
        .find(|&&zero| (zero..zero + 10).contains(&code))
        .and_then(|&zero| char::from_digit(code - zero, 10))
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`' | '\u{00B4}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn punctuation_case_and_space() {
        assert_eq!(normalise("  Sorry,   THAT was our mistake!! "), "sorry that was our mistake");
        assert_eq!(normalise("यह हमारी गलती है। ठीक है॥"), "यह हमारी गलती है ठीक है");
        assert_eq!(tokens("—"), Vec::<String>::new());
    }

    #[test]
    fn nukta_precomposed_decomposed_and_plain_are_one() {
        let precomposed = "\u{092E}\u{093E}\u{095E}\u{0940}"; // मा + फ़ (U+095E) + ी
        let decomposed = "\u{092E}\u{093E}\u{092B}\u{093C}\u{0940}"; // मा + फ + ़ + ी
        let plain = "माफी";
        assert_eq!(normalise(precomposed), plain);
        assert_eq!(normalise(decomposed), plain);
        assert_eq!(normalise("ग़लती"), normalise("गलती"));
        assert_eq!(normalise("पढ़"), normalise("पढ"));
    }

    #[test]
    fn chandrabindu_folds_to_anusvara() {
        assert_eq!(normalise("करूँगा"), normalise("करूंगा"));
        assert_eq!(normalise("पाँच"), "पांच");
    }

    #[test]
    fn digits_of_any_script_become_ascii() {
        assert_eq!(normalise("५ बजे"), "5 बजे");
        assert_eq!(normalise("٣٠ minutes"), "30 minutes");
        assert_eq!(normalise("１２"), "12");
        assert_eq!(normalise("५बजे"), "5 बजे");
    }

    #[test]
    fn apostrophes_join_and_clocks_stay_whole() {
        assert_eq!(normalise("I'm"), normalise("I’m"));
        assert_eq!(normalise("four o'clock"), "four oclock");
        assert_eq!(tokens("at 4:30, or 4.30pm."), ["at", "4:30", "or", "4.30", "pm"]);
        assert_eq!(tokens("end."), ["end"]);
        assert_eq!(tokens("4pm"), ["4", "pm"]);
    }

    #[test]
    fn word_tokens_keep_their_word() {
        let t = word_tokens(["Sorry,", "—", "4pm"]);
        let got: Vec<_> = t.iter().map(|t| (t.text.as_str(), t.word)).collect();
        assert_eq!(got, [("sorry", 0), ("4", 2), ("pm", 2)]);
    }
}
