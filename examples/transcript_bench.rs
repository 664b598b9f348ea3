//! Transcript speed (issue 16), in release: `cargo run --release --example transcript_bench`
//! (or `scripts/bench.sh`, which runs it after the audio benchmark).
//!
//! 1. A 1-hour call's transcript (AWS Transcribe JSON, ~10,000 words, both speakers, built
//!    from the development corpus' sentences): read, speakers mapped and the default card's
//!    phrase rules matched; median of 15 runs.
//! 2. `search` over 10,000 stored transcripts of 5-minute calls (~7 million words; generated
//!    once into `$CALLQA_BENCH_DIR`, default `/tmp/callqa_bench`, and kept): median of 25
//!    runs for a rare phrase, a rare phrase by the agent, and a common one (first 200 hits).
//!
//! Prints one line per figure. Generated material only; nothing here is committed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use callqa::model::Speaker;
use callqa::model::scorecard::Scorecard;
use callqa::store::Store;
use callqa::transcript::formats::parse;
use callqa::transcript::phrases::find_phrases;
use callqa::transcript::{Format, Label, SpeakerMap, Transcript, Word};

/// SplitMix64: reproducible material without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// The corpus' sentences (English and Hindi), from the fixtures' ground truth.
fn sentences() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus");
    let mut out = Vec::new();
    for name in ["dev_a_courteous", "dev_b_cutoff", "dev_c_dispute", "dev_d_long_hold", "dev_e_hindi_refund"]
    {
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join(format!("{name}.json"))).unwrap()).unwrap();
        for u in v["utterances"].as_array().unwrap() {
            out.push(u["text"].as_str().unwrap().to_string());
        }
    }
    out
}

/// A call of `seconds` made of sentences, turns alternating, 0.35 s per word.
fn call(rng: &mut Rng, sentences: &[String], seconds: f64, plant: Option<&str>) -> Transcript {
    let mut words = Vec::new();
    let mut t = 0.5;
    let mut agent = true;
    let mut planted = plant.is_none();
    while t < seconds {
        let s = if !planted && t > seconds / 2.0 && agent {
            planted = true;
            format!("I am sorry, that was {} and I will fix it.", plant.unwrap_or_default())
        } else {
            sentences[rng.below(sentences.len())].clone()
        };
        let speaker = if agent { Speaker::Agent } else { Speaker::Customer };
        for w in s.split_whitespace() {
            words.push(Word {
                text: w.to_string(),
                start_s: t,
                end_s: t + 0.3,
                label: Label::Channel(speaker.channel() as u32),
                speaker: Some(speaker),
                confidence: Some(0.9),
                interpolated: false,
            });
            t += 0.35;
        }
        t += 0.6;
        agent = !agent;
    }
    Transcript { format: Format::Callqa, words }
}

/// The transcript as AWS Transcribe writes it (channel identification).
fn aws_json(t: &Transcript) -> String {
    let item = |w: &Word| {
        serde_json::json!({
            "type": "pronunciation",
            "start_time": format!("{:.3}", w.start_s),
            "end_time": format!("{:.3}", w.end_s),
            "alternatives": [{ "confidence": "0.9", "content": w.text }],
        })
    };
    let channel = |c: u32| {
        serde_json::json!({
            "channel_label": format!("ch_{c}"),
            "items": t.words.iter().filter(|w| w.label == Label::Channel(c)).map(item).collect::<Vec<_>>(),
        })
    };
    serde_json::json!({
        "jobName": "bench",
        "status": "COMPLETED",
        "results": {
            "transcripts": [{ "transcript": t.text() }],
            "channel_labels": { "number_of_channels": 2, "channels": [channel(0), channel(1)] },
            "items": [],
        },
    })
    .to_string()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn ms(f: impl FnMut()) -> f64 {
    let mut f = f;
    let t = Instant::now();
    f();
    t.elapsed().as_secs_f64() * 1000.0
}

fn main() {
    let sentences = sentences();
    let mut rng = Rng(16);
    let card = Scorecard::default_card();

    // 1. One hour.
    let hour = call(&mut rng, &sentences, 3600.0, Some("our mistake"));
    let json = aws_json(&hour);
    let mut hits = 0;
    let times: Vec<f64> = (0..15)
        .map(|_| {
            ms(|| {
                let mut t = parse(json.as_bytes(), Some("call.json")).unwrap();
                t.assign_speakers(&SpeakerMap::default()).unwrap();
                hits = find_phrases(&card, &t).len();
            })
        })
        .collect();
    println!(
        "1-hour transcript ({} words, AWS JSON {:.1} MB): read + speakers + phrase rules {:.1} ms median of 15 ({hits} hits)",
        hour.words.len(),
        json.len() as f64 / 1e6,
        median(times)
    );

    // 2. 10,000 stored transcripts.
    let dir = std::env::var_os("CALLQA_BENCH_DIR")
        .map_or_else(|| PathBuf::from("/tmp/callqa_bench"), PathBuf::from);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("transcripts-10000.sqlite3");
    let calls = 10_000;
    if !db.exists() {
        let partial = dir.join("transcripts-partial.sqlite3");
        let _ = std::fs::remove_file(&partial);
        let started = Instant::now();
        let mut store = Store::open(&partial).unwrap();
        for i in 0..calls {
            // One call in a hundred has the rare phrase.
            let plant = (i % 100 == 7).then_some("our mistake");
            let t = call(&mut rng, &sentences, 300.0, plant);
            store.save_transcript(&format!("{i:064x}"), &t, "bench.json", "bench").unwrap();
        }
        drop(store);
        std::fs::rename(&partial, &db).unwrap();
        eprintln!(
            "generated {calls} transcripts in {:.0} s into {}",
            started.elapsed().as_secs_f64(),
            db.display()
        );
    }
    let store = Store::open(&db).unwrap();
    for (what, phrase, speaker) in [
        ("rare phrase", "that was our mistake", None),
        ("rare phrase, agent only", "that was our mistake", Some(Speaker::Agent)),
        ("common phrase (first 200)", "thank you", None),
    ] {
        let mut n = 0;
        let times: Vec<f64> =
            (0..25).map(|_| ms(|| n = store.search(phrase, speaker, 200).unwrap().len())).collect();
        println!("search over {calls} transcripts, {what}: {:.1} ms median of 25 ({n} hits)", median(times));
    }
}
