//! Time expressions in English, Hindi and Hinglish: a table of phrases with the value each
//! must parse to (`TimeValue::text`), and phrases with numbers that must not parse as times.

use callqa::transcript::normalise::tokens;
use callqa::transcript::time_expr::find_time_expressions;

/// The values of all time expressions found in `text`.
fn values(text: &str) -> Vec<String> {
    let toks = tokens(text);
    find_time_expressions(&toks).into_iter().map(|(_, _, v)| v.text()).collect()
}

/// (text, the one expected value).
const POSITIVES: &[(&str, &str)] = &[
    // English: digits.
    ("tomorrow at 4 pm", "tomorrow 16:00"),
    ("I will call you at 4:30", "16:30"),
    ("around 4.30pm", "16:30"),
    ("at 10 am", "10:00"),
    ("at 10 a.m. tomorrow", "tomorrow 10:00"),
    ("by 16:00", "16:00"),
    ("at 09:15", "09:15"),
    ("at 7:45 p.m.", "19:45"),
    ("at 11 in the morning", "11:00"),
    ("4 o'clock", "16:00"),
    ("at 5, is that okay", "17:00"),
    ("at 12 noon", "12:00"),
    // English: words.
    ("at four", "16:00"),
    ("half past four", "16:30"),
    ("quarter past four", "16:15"),
    ("a quarter to five", "16:45"),
    ("twenty past three", "15:20"),
    ("ten minutes to six", "17:50"),
    ("at four thirty", "16:30"),
    ("at nine forty five", "09:45"),
    ("four o'clock", "16:00"),
    ("at six this evening", "today 18:00"),
    ("I will call you on Thursday at four in the afternoon", "thursday 16:00"),
    ("by six", "18:00"),
    ("at eleven at night", "23:00"),
    ("tomorrow morning at nine", "tomorrow 09:00"),
    ("next Monday at ten", "monday 10:00"),
    ("the day after tomorrow at two", "day after tomorrow 14:00"),
    ("tonight at eight", "today 20:00"),
    ("tomorrow at noon", "tomorrow 12:00"),
    ("Friday", "friday"),
    ("tomorrow", "tomorrow"),
    // English: delays.
    ("in two hours", "in 120 min"),
    ("in 30 minutes", "in 30 min"),
    ("in half an hour", "in 30 min"),
    ("in an hour", "in 60 min"),
    ("in an hour and a half", "in 90 min"),
    ("within twenty minutes", "in 20 min"),
    ("in two and a half hours", "in 150 min"),
    ("in forty five minutes", "in 45 min"),
    // Hindi: words and digits.
    ("कल चार बजे", "tomorrow 16:00"),
    ("कल सुबह दस बजे", "tomorrow 10:00"),
    ("साढ़े चार बजे", "16:30"),
    ("सवा चार", "16:15"),
    ("पौने पाँच", "16:45"),
    ("पौने पांच बजे", "16:45"),
    ("ढाई बजे", "14:30"),
    ("डेढ़ बजे", "13:30"),
    ("शाम 5 बजे", "17:00"),
    ("दोपहर दो बजे", "14:00"),
    ("रात आठ बजे", "20:00"),
    ("५ बजे", "17:00"),
    ("शाम ५ बजे", "17:00"),
    ("चार बजकर तीस मिनट पर", "16:30"),
    ("परसों", "day after tomorrow"),
    ("परसों सुबह ग्यारह बजे", "day after tomorrow 11:00"),
    ("शुक्रवार को तीन बजे", "friday 15:00"),
    ("आज शाम सात बजे", "today 19:00"),
    ("सुबह साढ़े नौ बजे", "09:30"),
    // Hindi: delays.
    ("दो घंटे में", "in 120 min"),
    ("आधे घंटे में", "in 30 min"),
    ("डेढ़ घंटे बाद", "in 90 min"),
    ("दस मिनट में", "in 10 min"),
    // Hinglish.
    ("kal 4 baje", "tomorrow 16:00"),
    ("shaam 5 baje", "17:00"),
    ("subah das baje", "10:00"),
    ("sadhe chaar baje", "16:30"),
    ("dhai baje", "14:30"),
    ("do ghante mein", "in 120 min"),
    ("parson", "day after tomorrow"),
    ("kal shaam 5 baje", "tomorrow 17:00"),
    ("sava paanch baje", "17:15"),
    ("paune char baje", "15:45"),
    ("aaj raat 9 baje", "today 21:00"),
    ("das minute mein", "in 10 min"),
    ("aadhe ghante mein", "in 30 min"),
    ("dopahar barah baje", "12:00"),
    ("somvar ko gyarah baje", "monday 11:00"),
    ("kal subah saade das baje", "tomorrow 10:30"),
];

/// Numbers and words that look like times but are not.
const NEGATIVES: &[&str] = &[
    "I have four questions",
    "there are two bills on my account",
    "it shows on channel five",
    "press one for billing",
    "the visit is five hundred rupees",
    "my reference is nine zero four four one",
    "you can collect it at one of our stores",
    "prices went up by two percent",
    "around ten people complained",
    "the bill is 4.50",
    "it is only eight months old",
    "मैंने दस दिन पहले एक ऑर्डर लौटाया था",
    "ऑर्डर नंबर है सात सात चार, दो दो एक",
    "साढ़े चार हज़ार रुपये लगेंगे",
    "ढाई सौ रुपये",
    "do you want the visit or not",
    "mujhe do din lagenge",
    "I waited for two hours",
    "in two days",
    "at least",
];

#[test]
fn table_of_time_expressions() {
    assert!(POSITIVES.len() >= 60, "the table keeps at least 60 expressions");
    let mut failures = Vec::new();
    for &(text, want) in POSITIVES {
        let got = values(text);
        if got != [want] {
            failures.push(format!("{text:?}: want [{want:?}], got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} wrong:\n{}", failures.len(), POSITIVES.len(), failures.join("\n"));
}

#[test]
fn numbers_that_are_not_times() {
    assert!(NEGATIVES.len() >= 10);
    let wrong: Vec<_> = NEGATIVES.iter().map(|t| (t, values(t))).filter(|(_, v)| !v.is_empty()).collect();
    assert!(wrong.is_empty(), "parsed as times: {wrong:?}");
}

#[test]
fn spans_cover_the_expression_only() {
    let toks = tokens("मैं कल सुबह दस बजे आपको फ़ोन करके पुष्टि करूँगा");
    let found = find_time_expressions(&toks);
    assert_eq!(found.len(), 1);
    let (start, end, value) = found[0];
    assert_eq!(toks[start..end].join(" "), "कल सुबह दस बजे");
    assert_eq!(value.text(), "tomorrow 10:00");
    assert_eq!(value.minutes_of_day, Some(600));
}

#[test]
fn several_expressions_in_one_turn() {
    let got = values("I will send it today, and call you on Thursday at four; if not, in two hours.");
    assert_eq!(got, ["today", "thursday 16:00", "in 120 min"]);
}

#[test]
fn spelling_variants_parse_alike() {
    // Nukta, chandrabindu and Devanagari digits are folded before parsing.
    assert_eq!(values("पाँच बजे"), values("पांच बजे"));
    assert_eq!(values("साढे चार बजे"), values("साढ़े चार बजे"));
    assert_eq!(values("५ बजे"), values("5 बजे"));
    assert_eq!(values("4:30 PM"), values("4.30pm"));
}
