//! From per-side spans to the evidence a reviewer reads: overtalk (with who started it),
//! dead air, and the summary metrics. Pure functions over small span lists.

use crate::model::{HoldSpan, Overtalk, Span, Speaker};

use super::Metrics;

/// Intervals where both sides talk. `started_by` is the side whose span started later, i.e.
/// while the other side was already talking. `boundaries[side]` are that side's sentence
/// boundaries inside its spans (the pause before a new sentence, see [`super::turns`]): a new
/// sentence started by the side that was talking first, while the other side talks, is that
/// side talking over the other, so the overlap is split there and the new part is started by
/// it. Parts shorter than `min_s` are dropped.
pub fn overtalk(talk: [&[Span]; 2], boundaries: [&[Span]; 2], min_s: f64) -> Vec<Overtalk> {
    let [agent, customer] = talk;
    let mut out = Vec::new();
    let mut keep = |start_s: f64, end_s: f64, started_by: Speaker| {
        if end_s - start_s >= min_s {
            out.push(Overtalk { start_s, end_s, started_by });
        }
    };
    let (mut i, mut j) = (0, 0);
    while let (Some(a), Some(c)) = (agent.get(i), customer.get(j)) {
        if let Some(x) = a.intersect(c) {
            let mut by = if a.start_s > c.start_s { Speaker::Agent } else { Speaker::Customer };
            let mut cuts: Vec<(Span, Speaker)> = [Speaker::Agent, Speaker::Customer]
                .into_iter()
                .zip(boundaries)
                .flat_map(|(who, b)| b.iter().map(move |g| (*g, who)))
                .filter(|(g, _)| g.end_s > x.start_s && g.end_s < x.end_s)
                .collect();
            cuts.sort_by(|p, q| p.0.end_s.total_cmp(&q.0.end_s));
            let mut from = x.start_s;
            for (gap, who) in cuts {
                // The side already counted as the interrupter starting another sentence is
                // still the same overtalk.
                if who != by {
                    keep(from, gap.start_s, by);
                    from = gap.end_s;
                    by = who;
                }
            }
            keep(from, x.end_s, by);
        }
        if a.end_s <= c.end_s {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// `spans` (sorted, disjoint) with the `gaps` cut out: the pauses between two sentences of
/// one side (its sentence boundaries) are not talk.
pub fn without(spans: &[Span], gaps: &[Span]) -> Vec<Span> {
    let mut out = Vec::with_capacity(spans.len() + gaps.len());
    for s in spans {
        let mut from = s.start_s;
        let mut inside: Vec<&Span> = gaps.iter().filter(|g| g.start_s > from && g.end_s < s.end_s).collect();
        inside.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
        for g in inside {
            if g.start_s > from {
                out.push(Span::new(from, g.start_s));
            }
            from = from.max(g.end_s);
        }
        out.push(Span::new(from, s.end_s));
    }
    out
}

/// Gaps of at least `min_s` in `[0, duration_s)` covered by none of `busy` (talk or hold on any
/// channel, in any order).
pub fn silence(busy: &[Span], duration_s: f64, min_s: f64) -> Vec<Span> {
    let mut spans: Vec<Span> = busy.to_vec();
    spans.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
    let mut out = Vec::new();
    let mut cursor = 0.0f64;
    for s in spans.iter().chain(std::iter::once(&Span::new(duration_s, duration_s))) {
        if s.start_s - cursor >= min_s {
            out.push(Span::new(cursor, s.start_s.min(duration_s)));
        }
        cursor = cursor.max(s.end_s);
    }
    out
}

/// Sums up talk, overtalk, silence and hold.
pub fn metrics(
    agent: &[Span],
    customer: &[Span],
    mixed: &[Span],
    overtalk: &[Overtalk],
    silence: &[Span],
    hold: &[HoldSpan],
) -> Metrics {
    // `+ 0.0`: an empty f64 sum is -0.0, which prints as "-0.0".
    let total = |v: &[Span]| v.iter().map(Span::duration_s).sum::<f64>() + 0.0;
    let (ta, tc) = (total(agent), total(customer));
    let ot_len = |o: &Overtalk| (o.end_s - o.start_s).max(0.0);
    Metrics {
        talk_time_agent_s: ta,
        talk_time_customer_s: tc,
        talk_time_mixed_s: total(mixed),
        talk_ratio_agent: if ta + tc > 0.0 { ta / (ta + tc) } else { 0.0 },
        overtalk_count: overtalk.len(),
        overtalk_total_s: overtalk.iter().map(ot_len).sum::<f64>() + 0.0,
        overtalk_by_agent: overtalk.iter().filter(|o| o.started_by == Speaker::Agent).count(),
        overtalk_by_customer: overtalk.iter().filter(|o| o.started_by == Speaker::Customer).count(),
        overtalk_by_agent_s: overtalk
            .iter()
            .filter(|o| o.started_by == Speaker::Agent)
            .map(ot_len)
            .sum::<f64>()
            + 0.0,
        overtalk_by_customer_s: overtalk
            .iter()
            .filter(|o| o.started_by == Speaker::Customer)
            .map(ot_len)
            .sum::<f64>()
            + 0.0,
        silence_count: silence.len(),
        silence_total_s: total(silence),
        silence_longest_s: silence.iter().map(Span::duration_s).fold(0.0, f64::max),
        hold_total_s: hold.iter().map(|h| (h.end_s - h.start_s).max(0.0)).sum::<f64>() + 0.0,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn s(a: f64, b: f64) -> Span {
        Span::new(a, b)
    }

    #[test]
    fn overtalk_names_the_interrupter() {
        let agent = [s(0.0, 5.0), s(8.0, 12.0)];
        let customer = [s(4.0, 9.0), s(11.5, 11.6)];
        let ot = overtalk([&agent, &customer], [&[], &[]], 0.2);
        assert_eq!(ot.len(), 2, "{ot:?}");
        assert_eq!((ot[0].start_s, ot[0].end_s, ot[0].started_by), (4.0, 5.0, Speaker::Customer));
        assert_eq!((ot[1].start_s, ot[1].end_s, ot[1].started_by), (8.0, 9.0, Speaker::Agent));
    }

    #[test]
    fn a_new_sentence_of_the_first_speaker_splits_the_overtalk() {
        // Customer 0-10 s with a new sentence at 4.01 (pause 4.00-4.01); agent 3-6 s, with a
        // new sentence at 3.5 (the interrupter's own: no split) and at 5.2 (talking over the
        // customer's new sentence: split again).
        let agent = [s(3.0, 6.0)];
        let customer = [s(0.0, 10.0)];
        let ot = overtalk([&agent, &customer], [&[s(3.4, 3.5), s(5.0, 5.2)], &[s(4.0, 4.01)]], 0.2);
        let got: Vec<_> = ot.iter().map(|o| (o.start_s, o.end_s, o.started_by)).collect();
        assert_eq!(
            got,
            vec![(3.0, 4.0, Speaker::Agent), (4.01, 5.0, Speaker::Customer), (5.2, 6.0, Speaker::Agent)]
        );
        // A boundary outside the overlap changes nothing.
        let ot = overtalk([&agent, &customer], [&[], &[s(1.0, 1.1), s(7.0, 7.1)]], 0.2);
        assert_eq!(ot.len(), 1);
        assert_eq!(ot[0].started_by, Speaker::Agent);
    }

    #[test]
    fn sentence_pauses_are_cut_out_of_talk() {
        let talk = [s(0.0, 5.0), s(6.0, 9.0)];
        // Two pauses in the first span, one in the second; one outside any span; one touching
        // a span's edge (not inside it: nothing to cut).
        let gaps = [s(3.0, 3.2), s(1.0, 1.1), s(7.0, 7.5), s(5.2, 5.4), s(8.9, 9.0)];
        assert_eq!(
            without(&talk, &gaps),
            vec![s(0.0, 1.0), s(1.1, 3.0), s(3.2, 5.0), s(6.0, 7.0), s(7.5, 9.0)]
        );
        assert_eq!(without(&talk, &[]), talk.to_vec());
    }

    #[test]
    fn silence_is_the_long_gaps_including_the_ends() {
        let busy = [s(3.0, 4.0), s(0.5, 1.0), s(3.5, 6.0), s(6.5, 7.0)];
        let sil = silence(&busy, 10.0, 2.0);
        assert_eq!(sil, vec![s(1.0, 3.0), s(7.0, 10.0)]);
        assert_eq!(silence(&[], 1.5, 2.0), vec![]);
        assert_eq!(silence(&[], 2.5, 2.0), vec![s(0.0, 2.5)]);
    }
}
