//! The default card's phrase rules on transcripts built from the corpus' ground truth
//! (`tests/fixtures/corpus/dev_*.json`, the same files as `../shared/corpus/calls`) and by
//! hand: apologies, callbacks with their time, blaming; spelling variants; speakers; the
//! rules' validation.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::Instant;

use callqa::model::Speaker;
use callqa::model::scorecard::{DEFAULT_CARD_TOML, Scorecard, ScorecardError};
use callqa::transcript::phrases::{PhraseHit, PhraseMatcher, evidence_line, find_phrases, item_evidence};
use callqa::transcript::{Format, Label, Transcript, Word};
use serde_json::Value;

/// Words of one utterance: split at whitespace, times spread in proportion to length.
fn utterance_words(speaker: Option<Speaker>, start_s: f64, end_s: f64, text: &str) -> Vec<Word> {
    let parts: Vec<&str> = text.split_whitespace().collect();
    let total: usize = parts.iter().map(|p| p.chars().count()).sum();
    let mut t = start_s;
    parts
        .iter()
        .map(|p| {
            let len = (end_s - start_s) * p.chars().count() as f64 / total.max(1) as f64;
            let label = match speaker {
                Some(s) => Label::Speaker(s.label().to_string()),
                None => Label::Unknown,
            };
            let w = Word {
                text: p.to_string(),
                start_s: t,
                end_s: t + len,
                label,
                speaker,
                confidence: None,
                interpolated: true,
            };
            t += len;
            w
        })
        .collect()
}

/// A transcript of `(speaker, start_s, end_s, text)` utterances.
fn transcript(utterances: &[(Option<Speaker>, f64, f64, &str)]) -> Transcript {
    let words = utterances.iter().flat_map(|&(s, a, b, t)| utterance_words(s, a, b, t)).collect();
    Transcript { format: Format::Callqa, words }
}

/// The corpus call's ground-truth utterances as a transcript.
fn corpus(name: &str) -> Transcript {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus").join(format!("{name}.json"));
    let j: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let utterances: Vec<(Option<Speaker>, f64, f64, String)> = j["utterances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            let speaker = match u["speaker"].as_str().unwrap() {
                "agent" => Speaker::Agent,
                _ => Speaker::Customer,
            };
            (
                Some(speaker),
                u["start_s"].as_f64().unwrap(),
                u["end_s"].as_f64().unwrap(),
                u["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let borrowed: Vec<_> = utterances.iter().map(|(s, a, b, t)| (*s, *a, *b, t.as_str())).collect();
    transcript(&borrowed)
}

fn hits_for<'a>(hits: &'a [PhraseHit], item: &str) -> Vec<&'a PhraseHit> {
    hits.iter().filter(|h| h.item == item).collect()
}

fn default_hits(t: &Transcript) -> Vec<PhraseHit> {
    find_phrases(&Scorecard::default_card(), t)
}

/// The hit lies inside the utterance `[a, b]` (small slack for rounding).
fn within(hit: &PhraseHit, a: f64, b: f64) -> bool {
    hit.start_s >= a - 1e-6 && hit.end_s <= b + 1e-6 && hit.start_s <= hit.end_s
}

#[test]
fn dev_a_apology_and_callback_on_thursday_at_four() {
    let hits = default_hits(&corpus("dev_a_courteous"));
    let apologies = hits_for(&hits, "admitted_fault");
    assert!(!apologies.is_empty(), "{hits:#?}");
    let first = apologies[0];
    assert_eq!(first.speaker, Speaker::Agent);
    assert!(within(first, 28.186875, 34.055125), "{first:?}");
    assert!(first.text.contains("mistake was ours"), "{first:?}");
    // "sorry again for the trouble" at the end is a second apology.
    assert!(apologies.iter().any(|h| within(h, 46.210125, 49.30975)), "{apologies:?}");

    let callbacks = hits_for(&hits, "set_callback_time");
    assert_eq!(callbacks.len(), 1, "{callbacks:?}");
    let cb = callbacks[0];
    assert_eq!(cb.time_value.as_deref(), Some("thursday 16:00"));
    assert_eq!(cb.rule, "callback");
    assert!(within(cb, 36.632, 43.422375), "{cb:?}");
    assert!(cb.text.contains("Thursday at four in the afternoon"), "{cb:?}");

    assert!(hits_for(&hits, "no_arguing").is_empty(), "{hits:#?}");
}

#[test]
fn dev_e_hindi_apology_fault_and_callback_tomorrow_at_ten() {
    let hits = default_hits(&corpus("dev_e_hindi_refund"));
    let apologies = hits_for(&hits, "admitted_fault");
    assert!(
        apologies.iter().any(|h| within(h, 13.1775, 17.55675) && h.text.contains("माफ़ी")),
        "{apologies:?}"
    );
    assert!(apologies.iter().any(|h| within(h, 23.92775, 29.765625) && h.text.contains("हमारी गलती")));

    let callbacks = hits_for(&hits, "set_callback_time");
    assert_eq!(callbacks.len(), 1, "{callbacks:?}");
    assert_eq!(callbacks[0].time_value.as_deref(), Some("tomorrow 10:00"));
    assert!(within(callbacks[0], 31.102375, 37.00125));
    assert_eq!(callbacks[0].phrase, "फ़ोन करके");
    assert!(hits_for(&hits, "no_arguing").is_empty());
}

#[test]
fn dev_d_sorry_to_hear_and_callback_at_six() {
    let hits = default_hits(&corpus("dev_d_long_hold"));
    let apologies = hits_for(&hits, "admitted_fault");
    assert_eq!(apologies.len(), 1, "{apologies:?}");
    assert!(within(apologies[0], 8.78725, 11.46975));

    let callbacks = hits_for(&hits, "set_callback_time");
    assert_eq!(callbacks.len(), 1, "{callbacks:?}");
    assert_eq!(callbacks[0].time_value.as_deref(), Some("18:00"));
    assert!(within(callbacks[0], 81.426125, 84.485375));
}

#[test]
fn dev_c_blaming_is_evidence_against_no_arguing() {
    let hits = default_hits(&corpus("dev_c_dispute"));
    let blame = hits_for(&hits, "no_arguing");
    let turns = [(5.785375, 7.395), (10.65375, 13.29475), (14.90525, 16.435)];
    for (a, b) in turns {
        assert!(blame.iter().any(|h| within(h, a, b)), "no blame hit in {a}..{b}: {blame:#?}");
    }
    assert!(blame.iter().all(|h| h.speaker == Speaker::Agent && h.rule == "blame"));
    assert!(blame.iter().any(|h| h.text.contains("your bank, not us")));
    assert!(blame.iter().any(|h| h.text.contains("calm down, shouting will not help")));
    assert!(blame.iter().any(|h| h.text.contains("end this call")));
    // The customer's "Your screen is wrong" is not the agent's.
    assert!(blame.iter().all(|h| !h.text.contains("screen is wrong")));
    assert!(hits_for(&hits, "admitted_fault").is_empty());
    assert!(hits_for(&hits, "set_callback_time").is_empty());
}

#[test]
fn dev_b_and_dev_f_have_no_apology_or_callback() {
    let card = Scorecard::default_card();
    for name in ["dev_b_cutoff", "dev_f_brief"] {
        let hits = find_phrases(&card, &corpus(name));
        assert!(hits_for(&hits, "admitted_fault").is_empty(), "{name}: {hits:#?}");
        assert!(hits_for(&hits, "set_callback_time").is_empty(), "{name}: {hits:#?}");
        let evidence = item_evidence(&card, &hits);
        let fault = evidence.iter().find(|e| e.item == "admitted_fault").unwrap();
        assert!(!fault.found);
        assert_eq!(fault.lines, ["no apology or admission of fault found in the transcript"]);
        let callback = evidence.iter().find(|e| e.item == "set_callback_time").unwrap();
        assert_eq!(callback.lines, ["no callback with a time found in the transcript"]);
        // let_customer_finish has no phrase rules: audio evidence covers it.
        assert!(evidence.iter().all(|e| e.item != "let_customer_finish"));
    }
}

#[test]
fn hinglish_apology_and_callback_tomorrow_evening() {
    let t = transcript(&[(
        Some(Speaker::Agent),
        10.0,
        16.0,
        "sorry sir, galti hamari hai, main aapko kal shaam 5 baje call karunga",
    )]);
    let hits = default_hits(&t);
    let apologies = hits_for(&hits, "admitted_fault");
    assert_eq!(apologies.len(), 1, "one apology for one sentence: {apologies:?}");
    let callbacks = hits_for(&hits, "set_callback_time");
    assert_eq!(callbacks.len(), 1, "{hits:?}");
    assert_eq!(callbacks[0].time_value.as_deref(), Some("tomorrow 17:00"));
    assert_eq!(callbacks[0].phrase, "call karunga");
    assert!(within(callbacks[0], 10.0, 16.0));
}

#[test]
fn the_customer_saying_sorry_does_not_count_for_the_agent() {
    let t = transcript(&[
        (Some(Speaker::Customer), 0.0, 3.0, "Sorry, I am so sorry, my mistake."),
        (Some(Speaker::Agent), 3.5, 5.0, "No problem at all."),
        (Some(Speaker::Customer), 5.5, 8.0, "Call you back tomorrow at 4 pm?"),
    ]);
    let hits = default_hits(&t);
    assert!(hits.is_empty(), "{hits:#?}");
}

#[test]
fn words_without_a_speaker_do_not_count() {
    let t = transcript(&[(None, 0.0, 4.0, "I am sorry, I will call you tomorrow at 4 pm")]);
    assert!(default_hits(&t).is_empty());
}

#[test]
fn nukta_chandrabindu_and_digit_variants_match() {
    // No nukta, anusvara for chandrabindu, Devanagari digits.
    let plain = transcript(&[(Some(Speaker::Agent), 0.0, 5.0, "माफी चाहता हूं। मैं कल शाम ५ बजे फोन करूंगा।")]);
    // Nukta written as consonant + U+093C.
    let decomposed = "\u{092E}\u{093E}\u{092B}\u{093C}\u{0940} \u{091A}\u{093E}\u{0939}\u{0924}\u{093E} \u{0939}\u{0942}\u{0901}";
    let decomposed = transcript(&[(Some(Speaker::Agent), 0.0, 2.0, decomposed)]);
    for t in [&plain, &decomposed] {
        assert_eq!(hits_for(&default_hits(t), "admitted_fault").len(), 1, "{:?}", t.text());
    }
    let callbacks =
        default_hits(&plain).into_iter().filter(|h| h.item == "set_callback_time").collect::<Vec<_>>();
    assert_eq!(callbacks.len(), 1);
    assert_eq!(callbacks[0].time_value.as_deref(), Some("tomorrow 17:00"));
    // Curly and straight apostrophes.
    for text in ["I’ll call you at 4 pm", "I'll call you at 4 pm"] {
        let t = transcript(&[(Some(Speaker::Agent), 0.0, 3.0, text)]);
        let hits = default_hits(&t);
        assert_eq!(hits.len(), 1, "{text}: {hits:?}");
        assert_eq!(hits[0].time_value.as_deref(), Some("16:00"));
    }
}

#[test]
fn whole_words_only() {
    let t = transcript(&[(
        Some(Speaker::Agent),
        0.0,
        6.0,
        "I called you yesterday at 4 pm and the recall yourself sorryish notice",
    )]);
    let hits = default_hits(&t);
    assert!(hits.is_empty(), "{hits:#?}");
}

#[test]
fn a_callback_needs_a_time_within_ten_seconds() {
    // No time at all.
    let t = transcript(&[(Some(Speaker::Agent), 0.0, 3.0, "I will call you back.")]);
    assert!(hits_for(&default_hits(&t), "set_callback_time").is_empty());
    // A time 20 s later is too far.
    let t = transcript(&[
        (Some(Speaker::Agent), 0.0, 2.0, "I will call you back."),
        (
            Some(Speaker::Customer),
            2.5,
            20.0,
            "Okay, I have a few more questions about my bill and the charges on it.",
        ),
        (Some(Speaker::Agent), 22.0, 24.0, "It will be fixed by 4 pm."),
    ]);
    assert!(hits_for(&default_hits(&t), "set_callback_time").is_empty());
    // The customer's time right after counts.
    let t = transcript(&[
        (Some(Speaker::Agent), 0.0, 2.0, "I will call you back."),
        (Some(Speaker::Customer), 2.5, 4.0, "Tomorrow at 10 am, please."),
    ]);
    let hits = default_hits(&t);
    let cb = hits_for(&hits, "set_callback_time");
    assert_eq!(cb.len(), 1);
    assert_eq!(cb[0].time_value.as_deref(), Some("tomorrow 10:00"));
    assert!(within(cb[0], 0.0, 2.0));
}

#[test]
fn evidence_lines_name_speaker_time_and_words() {
    for name in ["dev_a_courteous", "dev_c_dispute", "dev_d_long_hold", "dev_e_hindi_refund"] {
        for hit in default_hits(&corpus(name)) {
            eprintln!("{name} {}: {}", hit.item, evidence_line(&hit));
        }
    }
    let hits = default_hits(&corpus("dev_a_courteous"));
    let cb = hits_for(&hits, "set_callback_time")[0];
    let line = evidence_line(cb);
    assert!(line.starts_with("Agent at 0:3"), "{line}");
    assert!(line.ends_with("(time: thursday 16:00)"), "{line}");
    let evidence = item_evidence(&Scorecard::default_card(), &hits);
    let fault = evidence.iter().find(|e| e.item == "admitted_fault").unwrap();
    assert!(fault.found && fault.kind == "apology" && fault.lines.len() == 2, "{fault:?}");
}

#[test]
fn hits_serialise_with_the_agreed_names() {
    let hits = default_hits(&corpus("dev_e_hindi_refund"));
    let cb = hits_for(&hits, "set_callback_time")[0];
    let json = serde_json::to_value(cb).unwrap();
    let mut keys: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, ["end_s", "item", "phrase", "rule", "speaker", "start_s", "text", "time_value"]);
    assert_eq!(json["speaker"], "agent");
    let apology = serde_json::to_value(hits_for(&hits, "admitted_fault")[0]).unwrap();
    assert!(apology.get("time_value").is_none());
}

#[test]
fn the_shipped_card_loads_with_rules_for_three_items() {
    let card = Scorecard::from_toml_str(DEFAULT_CARD_TOML).unwrap();
    card.validate().unwrap();
    let with_rules: Vec<_> = card.items().filter(|i| i.phrases.is_some()).map(|i| i.key.as_str()).collect();
    assert_eq!(with_rules, ["no_arguing", "admitted_fault", "set_callback_time"]);
    let cb = card.item("set_callback_time").unwrap().phrases.as_ref().unwrap();
    assert_eq!(cb.time_within_s, Some(10.0));
    // The JSON form round-trips with the rules.
    assert_eq!(Scorecard::from_json_str(&card.canonical_json()).unwrap(), card);
}

#[test]
fn cards_without_rules_keep_their_canonical_json() {
    let mut card = Scorecard::default_card();
    for s in &mut card.sections {
        for i in &mut s.items {
            i.phrases = None;
        }
    }
    assert!(!card.canonical_json().contains("phrases"));
    assert!(find_phrases(&card, &corpus("dev_a_courteous")).is_empty());
    assert!(PhraseMatcher::new(&card).is_empty());
}

const CARD_WITH_RULE: &str = r#"name = "x"
[[sections]]
title = "s"
[[sections.items]]
key = "apology"
title = "Apologised"
[sections.items.phrases]
speaker = "agent"
kind = "apology"
any = ["sorry"]
time_within_s = 5
"#;

#[test]
fn bad_rules_are_refused_with_a_clear_error() {
    assert!(Scorecard::from_toml_str(CARD_WITH_RULE).is_ok());
    let cases = [
        (CARD_WITH_RULE.replace("\"agent\"", "\"agnet\""), "agnet"),
        (CARD_WITH_RULE.replace("[\"sorry\"]", "[\"sorry\", \" ।! \"]"), "empty phrase"),
        (CARD_WITH_RULE.replace("[\"sorry\"]", "[]"), "no phrases"),
        (CARD_WITH_RULE.replace("time_within_s = 5", "time_within_s = -5"), "time_within_s = -5"),
        (CARD_WITH_RULE.replace("kind = \"apology\"", "kind = \"\""), "no kind"),
    ];
    for (toml, needle) in cases {
        let err = Scorecard::from_toml_str(&toml).unwrap_err();
        assert!(matches!(&err, ScorecardError::BadPhraseRule { key, .. } if key == "apology"), "{err:?}");
        let msg = err.to_string();
        assert!(msg.contains(needle) && msg.contains("\"apology\""), "{msg}");
    }
    // A misspelt field is refused by the parser.
    let typo = CARD_WITH_RULE.replace("time_within_s", "time_within");
    assert!(matches!(Scorecard::from_toml_str(&typo), Err(ScorecardError::Toml(_))));
}

#[test]
fn an_hour_of_words_is_matched_quickly() {
    // ~10,000 words: the corpus calls' utterances repeated, alternating speakers.
    let base = [
        "corpus filler words about the bill and the meter reading that was entered wrongly",
        "I am sorry, that was our mistake, I will call you tomorrow at 4 pm to confirm",
        "okay thank you so much for your help today with this problem",
        "मैं कल सुबह दस बजे आपको फ़ोन करके पुष्टि करूँगा, यह हमारी गलती है",
    ];
    let mut utterances = Vec::new();
    let (mut t, mut n, mut words) = (0.0, 0, 0);
    while words < 10_000 {
        let speaker = if n % 3 == 2 { Speaker::Customer } else { Speaker::Agent };
        let text = base[n % base.len()];
        utterances.push((Some(speaker), t, t + 4.0, text));
        words += text.split_whitespace().count();
        t += 4.5;
        n += 1;
    }
    let transcript = transcript(&utterances);
    let card = Scorecard::default_card();
    let started = Instant::now();
    let hits = find_phrases(&card, &transcript);
    let took = started.elapsed();
    assert!(hits.len() > 200, "{}", hits.len());
    // 50 ms is the release-build target; a debug build of our code is ~10× slower.
    assert!(took.as_millis() < 1500, "took {took:?} for {} words", transcript.words.len());
    eprintln!("{} words, {} hits in {took:?} (debug build)", transcript.words.len(), hits.len());
}
