//! Normalising text for matching. (Being written: see issue 16.)

/// Lowercase words without punctuation, separated by single spaces. (Placeholder until the
/// full rules land.)
pub fn normalise(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || (c.is_ascii_punctuation() && c != '\'') || c == '।')
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}
