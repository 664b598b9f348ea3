//! Calibration: do reviewers score the same call the same way? For every call reviewed by two
//! or more reviewers: each reviewer's score, the spread, and the items they answered
//! differently; over all such calls: how often each item got the same answer from everyone,
//! and each reviewer's average distance from the other reviewers' mean (a lenient reviewer is
//! above 0, a strict one below). Per item also Fleiss' kappa ([`fleiss_kappa`]): agreement
//! beyond what chance would give, over yes / no / N.A. Pure: the caller passes the reviews in.

use std::collections::BTreeMap;

use serde::Serialize;

use super::scorecard::{Answer, ItemAnswer, Score, Scorecard};

/// One review, as calibration sees it.
#[derive(Clone, Copy, Debug)]
pub struct CalibrationEntry<'a> {
    /// Identifies the call (e.g. its content hash): reviews of the same audio are compared.
    pub call: &'a str,
    /// Shown for the call (e.g. its file name).
    pub call_name: &'a str,
    pub reviewer: &'a str,
    pub card: &'a Scorecard,
    pub answers: &'a [ItemAnswer],
    pub score: &'a Score,
}

/// One item several reviewers answered differently on one call.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Disagreement {
    pub item: String,
    /// (reviewer, answer: "yes" | "no" | "na" | "-" for unanswered), by reviewer name.
    pub answers: Vec<(String, String)>,
    /// The evidence each reviewer stamped on the item: (reviewer, call time in seconds), by
    /// reviewer name then time (from the same review as the answer).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<(String, f64)>,
}

/// One call with two or more reviewers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CallCalibration {
    pub call: String,
    pub name: String,
    /// (reviewer, score percent; `None` when every item was N.A.), by reviewer name.
    pub scores: Vec<(String, Option<f64>)>,
    /// Highest minus lowest score, percentage points.
    pub spread: Option<f64>,
    pub disagreements: Vec<Disagreement>,
}

/// How often an item got the same answer from every reviewer of a call.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ItemAgreement {
    pub item: String,
    /// Calls where at least two reviewers answered the item.
    pub calls: usize,
    pub agreed: usize,
    /// agreed / calls.
    pub rate: Option<f64>,
    /// Fleiss' kappa over those calls (categories yes / no / N.A.; each call rated by the
    /// reviewers who answered the item). `None` when it is undefined: no such call, or every
    /// answer in the same category (chance agreement is then 1; see `rate`).
    pub fleiss_kappa: Option<f64>,
}

/// Fleiss' kappa of a subjects × categories table of counts (`table[i][j]`: how many raters
/// put subject `i` in category `j`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FleissKappa {
    /// (P̄ − P̄e) / (1 − P̄e); `None` when P̄e is 1 (every rating in one category).
    pub kappa: Option<f64>,
    /// Mean observed agreement P̄.
    pub observed: f64,
    /// Agreement expected by chance P̄e = Σ pⱼ².
    pub expected: f64,
    /// Subjects used (rated by two or more).
    pub subjects: usize,
    /// Every subject had the same number of raters (Fleiss' original setting).
    pub equal_raters: bool,
}

/// Fleiss' kappa (Fleiss 1971). Subjects rated fewer than twice are left out. With the same
/// number of raters n for every subject this is exactly Fleiss': Pᵢ = (Σⱼ nᵢⱼ² − n) / (n(n−1)),
/// pⱼ = Σᵢ nᵢⱼ / (N n). With different numbers of raters nᵢ per subject (calibration calls are
/// not always scored by everyone) each Pᵢ uses its own nᵢ and pⱼ = Σᵢ nᵢⱼ / Σᵢ nᵢ, which is
/// the same formula when the nᵢ are equal. `None` when no subject has two raters.
pub fn fleiss_kappa<R: AsRef<[u32]>>(table: &[R]) -> Option<FleissKappa> {
    let rows: Vec<&[u32]> = table.iter().map(AsRef::as_ref).filter(|r| r.iter().sum::<u32>() >= 2).collect();
    if rows.is_empty() {
        return None;
    }
    let categories = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let mut per_category = vec![0.0f64; categories];
    let (mut total, mut p_sum) = (0.0f64, 0.0f64);
    let first_n = rows.first().map_or(0, |r| r.iter().sum::<u32>());
    let mut equal_raters = true;
    for r in &rows {
        let n_i: u32 = r.iter().sum();
        equal_raters &= n_i == first_n;
        let n = f64::from(n_i);
        let squares: f64 = r.iter().map(|&c| f64::from(c) * f64::from(c)).sum();
        p_sum += (squares - n) / (n * (n - 1.0));
        for (acc, &c) in per_category.iter_mut().zip(r.iter()) {
            *acc += f64::from(c);
        }
        total += n;
    }
    let observed = p_sum / rows.len() as f64;
    let expected: f64 = per_category.iter().map(|c| (c / total).powi(2)).sum();
    let kappa = (expected < 1.0 - 1e-12).then(|| (observed - expected) / (1.0 - expected));
    Some(FleissKappa { kappa, observed, expected, subjects: rows.len(), equal_raters })
}

/// The column of an answer in the yes / no / N.A. table.
fn category(a: Answer) -> usize {
    match a {
        Answer::Yes => 0,
        Answer::No => 1,
        Answer::NotApplicable => 2,
    }
}

/// A reviewer's tendency against the others.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ReviewerBias {
    pub reviewer: String,
    /// Compared calls the reviewer scored.
    pub calls: usize,
    /// Mean of (their score − the mean of the other reviewers' scores of the same call).
    pub mean_offset: Option<f64>,
}

/// The whole calibration report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Calibration {
    pub calls: Vec<CallCalibration>,
    pub items: Vec<ItemAgreement>,
    pub reviewers: Vec<ReviewerBias>,
    /// Mean score spread over the compared calls.
    pub mean_spread: Option<f64>,
}

fn answer_text(a: Option<Answer>) -> String {
    a.map_or("-", Answer::as_str).to_string()
}

fn mean(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// Compares the reviews of every call reviewed by two or more reviewers (one review per
/// reviewer and call: the last one given wins).
pub fn calibrate(entries: &[CalibrationEntry<'_>]) -> Calibration {
    let mut by_call: BTreeMap<&str, BTreeMap<&str, &CalibrationEntry<'_>>> = BTreeMap::new();
    for e in entries {
        by_call.entry(e.call).or_default().insert(e.reviewer, e);
    }
    let mut calls = Vec::new();
    let mut items: Vec<ItemAgreement> = Vec::new();
    // Per item (same order as `items`): one row of yes / no / N.A. counts per compared call.
    let mut tables: Vec<Vec<[u32; 3]>> = Vec::new();
    let mut offsets: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for reviews in by_call.values().filter(|r| r.len() >= 2) {
        let Some(first) = reviews.values().next() else { continue };
        let scores: Vec<(String, Option<f64>)> =
            reviews.iter().map(|(r, e)| ((*r).to_string(), e.score.percent)).collect();
        let known: Vec<f64> = scores.iter().filter_map(|s| s.1).collect();
        let spread = (known.len() >= 2).then(|| {
            known.iter().copied().fold(f64::MIN, f64::max) - known.iter().copied().fold(f64::MAX, f64::min)
        });
        for (r, e) in reviews {
            let Some(mine) = e.score.percent else { continue };
            let others: Vec<f64> =
                reviews.iter().filter(|(o, _)| *o != r).filter_map(|(_, x)| x.score.percent).collect();
            if let Some(m) = mean(&others) {
                offsets.entry(r).or_default().push(mine - m);
            }
        }
        // Items in the first reviewer's card order, then any others.
        let mut keys: Vec<&str> = Vec::new();
        for e in reviews.values() {
            for item in e.card.items() {
                if !keys.contains(&item.key.as_str()) {
                    keys.push(&item.key);
                }
            }
        }
        let mut disagreements = Vec::new();
        for key in keys {
            let given: Vec<(String, Option<Answer>)> = reviews
                .iter()
                .map(|(r, e)| {
                    ((*r).to_string(), e.answers.iter().find(|a| a.key == key).and_then(|a| a.answer))
                })
                .collect();
            let answered: Vec<Answer> = given.iter().filter_map(|g| g.1).collect();
            let same = answered.windows(2).all(|w| w[0] == w[1]);
            if answered.len() >= 2 {
                let pos = match items.iter().position(|i| i.item == key) {
                    Some(p) => p,
                    None => {
                        items.push(ItemAgreement {
                            item: key.to_string(),
                            calls: 0,
                            agreed: 0,
                            rate: None,
                            fleiss_kappa: None,
                        });
                        tables.push(Vec::new());
                        items.len() - 1
                    }
                };
                if let Some(i) = items.get_mut(pos) {
                    i.calls += 1;
                    i.agreed += usize::from(same);
                }
                let mut row = [0u32; 3];
                for a in &answered {
                    if let Some(c) = row.get_mut(category(*a)) {
                        *c += 1;
                    }
                }
                if let Some(t) = tables.get_mut(pos) {
                    t.push(row);
                }
            }
            if !same {
                let evidence = reviews
                    .iter()
                    .flat_map(|(r, e)| {
                        let times =
                            e.answers.iter().find(|a| a.key == key).map_or(&[][..], |a| &a.evidence_s);
                        let mut times: Vec<f64> = times.iter().copied().filter(|t| t.is_finite()).collect();
                        times.sort_by(f64::total_cmp);
                        times.into_iter().map(move |t| ((*r).to_string(), t))
                    })
                    .collect();
                disagreements.push(Disagreement {
                    item: key.to_string(),
                    answers: given.into_iter().map(|(r, a)| (r, answer_text(a))).collect(),
                    evidence,
                });
            }
        }
        calls.push(CallCalibration {
            call: first.call.to_string(),
            name: first.call_name.to_string(),
            scores,
            spread,
            disagreements,
        });
    }
    for (i, table) in items.iter_mut().zip(&tables) {
        i.rate = (i.calls > 0).then(|| i.agreed as f64 / i.calls as f64);
        i.fleiss_kappa = fleiss_kappa(table).and_then(|k| k.kappa);
    }
    calls.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.call.cmp(&b.call)));
    let spreads: Vec<f64> = calls.iter().filter_map(|c| c.spread).collect();
    Calibration {
        mean_spread: mean(&spreads),
        calls,
        items,
        reviewers: offsets
            .into_iter()
            .map(|(r, v)| ReviewerBias { reviewer: r.to_string(), calls: v.len(), mean_offset: mean(&v) })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::model::scorecard::score;

    fn answers(list: &[(&str, Answer)]) -> Vec<ItemAnswer> {
        list.iter().map(|(k, a)| ItemAnswer::new(k, Some(*a))).collect()
    }

    #[test]
    fn two_reviewers_who_differ_on_one_item() {
        use Answer::*;
        let card = Scorecard::default_card();
        // Call 1: Asha and Ravi differ on admitted_fault; call 2: only Asha (not compared).
        let asha = answers(&[
            ("let_customer_finish", Yes),
            ("no_arguing", Yes),
            ("admitted_fault", Yes),
            ("set_callback_time", NotApplicable),
        ]);
        let mut ravi = answers(&[
            ("let_customer_finish", Yes),
            ("no_arguing", Yes),
            ("admitted_fault", No),
            ("set_callback_time", NotApplicable),
        ]);
        // Ravi's stamps on the item they differ on (out of order), and on one they agree on.
        ravi[2].evidence_s = vec![12.5, 3.25];
        ravi[0].evidence_s = vec![1.0];
        let (sa, sr) = (score(&card, &asha), score(&card, &ravi));
        let e = |call, reviewer, answers, score| CalibrationEntry {
            call,
            call_name: call,
            reviewer,
            card: &card,
            answers,
            score,
        };
        let entries = [
            e("c1", "Asha", &asha[..], &sa),
            e("c1", "Ravi", &ravi[..], &sr),
            e("c2", "Asha", &asha[..], &sa),
        ];
        let c = calibrate(&entries);
        assert_eq!(c.calls.len(), 1);
        let call = &c.calls[0];
        assert_eq!(call.scores, vec![("Asha".into(), Some(100.0)), ("Ravi".into(), Some(200.0 / 3.0))]);
        assert!((call.spread.unwrap() - 100.0 / 3.0).abs() < 1e-9);
        assert_eq!(call.disagreements.len(), 1);
        assert_eq!(call.disagreements[0].item, "admitted_fault");
        assert_eq!(
            call.disagreements[0].answers,
            vec![("Asha".into(), "yes".into()), ("Ravi".into(), "no".into())]
        );
        assert_eq!(call.disagreements[0].evidence, vec![("Ravi".into(), 3.25), ("Ravi".into(), 12.5)]);
        let rate = |k: &str| c.items.iter().find(|i| i.item == k).unwrap().rate.unwrap();
        assert_eq!(rate("let_customer_finish"), 1.0);
        assert_eq!(rate("admitted_fault"), 0.0);
        assert_eq!(rate("set_callback_time"), 1.0);
        // Asha is 33.3 points above Ravi, Ravi 33.3 below Asha.
        let off = |r: &str| c.reviewers.iter().find(|b| b.reviewer == r).unwrap().mean_offset.unwrap();
        assert!((off("Asha") - 100.0 / 3.0).abs() < 1e-9);
        assert!((off("Ravi") + 100.0 / 3.0).abs() < 1e-9);
        assert!(calibrate(&entries[2..]).calls.is_empty(), "one reviewer: nothing to compare");
        // One call each: admitted_fault split 1–1 is below chance (κ = −1); unanimous items
        // have no kappa (all answers in one category).
        let kappa = |k: &str| c.items.iter().find(|i| i.item == k).unwrap().fleiss_kappa;
        assert_eq!(kappa("admitted_fault"), Some(-1.0));
        assert_eq!(kappa("let_customer_finish"), None);
    }

    /// The worked example of Wikipedia's "Fleiss' kappa" article: 10 subjects, 14 raters,
    /// 5 categories; P̄ = 0.378, P̄e = 0.213, κ = 0.210.
    #[test]
    fn fleiss_kappa_matches_the_worked_example() {
        let table: [[u32; 5]; 10] = [
            [0, 0, 0, 0, 14],
            [0, 2, 6, 4, 2],
            [0, 0, 3, 5, 6],
            [0, 3, 9, 2, 0],
            [2, 2, 8, 1, 1],
            [7, 7, 0, 0, 0],
            [3, 2, 6, 3, 0],
            [2, 5, 3, 2, 2],
            [6, 5, 2, 1, 0],
            [0, 2, 2, 3, 7],
        ];
        let k = fleiss_kappa(&table).unwrap();
        let r3 = |x: f64| (x * 1000.0).round() / 1000.0;
        assert_eq!((r3(k.observed), r3(k.expected), r3(k.kappa.unwrap())), (0.378, 0.213, 0.210));
        assert!((k.kappa.unwrap() - 0.20993).abs() < 5e-5, "{k:?}");
        assert_eq!((k.subjects, k.equal_raters), (10, true));
    }

    #[test]
    fn fleiss_kappa_edges() {
        // Perfect agreement across categories: 1. Everyone in one category: undefined.
        assert_eq!(fleiss_kappa(&[[3u32, 0], [0, 3]]).unwrap().kappa, Some(1.0));
        assert_eq!(fleiss_kappa(&[[3u32, 0], [3, 0]]).unwrap().kappa, None);
        // Subjects with one rating are left out; none left: no kappa at all.
        assert_eq!(fleiss_kappa(&[[1u32, 0], [0, 1]]), None);
        assert_eq!(fleiss_kappa::<[u32; 2]>(&[]), None);
        let k = fleiss_kappa(&[[2u32, 0, 0], [0, 3, 0], [1, 0, 0]]).unwrap();
        assert_eq!((k.subjects, k.equal_raters, k.kappa), (2, false, Some(1.0)));
    }
}
