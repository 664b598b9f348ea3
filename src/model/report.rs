//! Summaries over many reviews (`callqa report`): counts, average
//! score, pass rate per item and critical-fail rate, overall and per agent, reviewer or item.
//! Pure: the caller passes the reviews in.

use std::collections::BTreeMap;

use serde::Serialize;

use super::scorecard::{Answer, ItemAnswer, Score, Scorecard};

/// How to group a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    Agent,
    Item,
    Reviewer,
}

/// One review, as the report sees it.
#[derive(Clone, Copy, Debug)]
pub struct ReportEntry<'a> {
    pub agent: Option<&'a str>,
    /// The agent's team on this call, when known.
    pub team: Option<&'a str>,
    pub reviewer: &'a str,
    pub card: &'a Scorecard,
    pub answers: &'a [ItemAnswer],
    pub score: &'a Score,
    /// Active review time as a share of the call's duration (`None`: not measured, e.g. a
    /// review made on the command line).
    pub review_share: Option<f64>,
}

/// Answers to one item across reviews.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ItemStats {
    pub key: String,
    pub title: String,
    pub critical: bool,
    pub yes: usize,
    pub no: usize,
    pub na: usize,
    pub unanswered: usize,
    /// yes / (yes + no); `None` when no review answered it yes or no.
    pub pass_rate: Option<f64>,
}

/// Figures for a group of reviews.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GroupStats {
    pub group: String,
    /// The teams of the group's calls that have one (sorted; an agent who moved has two).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<String>,
    pub reviews: usize,
    /// Reviews with a score (not all N.A.).
    pub scored: usize,
    /// Mean of the scored reviews' percentages (critical fails count as 0).
    pub avg_percent: Option<f64>,
    pub critical_fails: usize,
    /// critical_fails / reviews.
    pub critical_fail_rate: Option<f64>,
    /// Per item, in first-seen card order.
    pub items: Vec<ItemStats>,
    /// Median active review time as a share of the call's duration, over the reviews that
    /// have one (1.0: as long as the call).
    pub median_review_share: Option<f64>,
}

/// A whole report: the overall figures and one row per group (for `GroupBy::Item` the rows
/// are the overall item figures and `groups` is empty).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub by: GroupBy,
    pub overall: GroupStats,
    pub groups: Vec<GroupStats>,
}

/// Agent name shown for calls whose agent is not known.
pub const UNKNOWN_AGENT: &str = "(unknown agent)";

/// Team name shown (and filtered by) for calls whose team is not known.
pub const UNKNOWN_TEAM: &str = "(no team)";

fn stats(group: &str, entries: &[&ReportEntry<'_>]) -> GroupStats {
    let mut items: Vec<ItemStats> = Vec::new();
    let mut sum = 0.0;
    let mut g = GroupStats { group: group.to_string(), reviews: entries.len(), ..GroupStats::default() };
    for e in entries {
        if let Some(p) = e.score.percent {
            sum += p;
            g.scored += 1;
        }
        g.critical_fails += usize::from(e.score.critical_failed);
        for item in e.card.items() {
            let pos = match items.iter().position(|s| s.key == item.key) {
                Some(p) => p,
                None => {
                    items.push(ItemStats {
                        key: item.key.clone(),
                        title: item.title.clone(),
                        critical: item.critical,
                        ..ItemStats::default()
                    });
                    items.len() - 1
                }
            };
            let Some(s) = items.get_mut(pos) else { continue };
            s.critical |= item.critical;
            match e.answers.iter().find(|a| a.key == item.key).and_then(|a| a.answer) {
                Some(Answer::Yes) => s.yes += 1,
                Some(Answer::No) => s.no += 1,
                Some(Answer::NotApplicable) => s.na += 1,
                None => s.unanswered += 1,
            }
        }
    }
    for s in &mut items {
        let answered = s.yes + s.no;
        s.pass_rate = (answered > 0).then(|| s.yes as f64 / answered as f64);
    }
    g.avg_percent = (g.scored > 0).then(|| sum / g.scored as f64);
    g.critical_fail_rate = (g.reviews > 0).then(|| g.critical_fails as f64 / g.reviews as f64);
    g.items = items;
    let mut teams: Vec<String> = entries.iter().filter_map(|e| e.team).map(str::to_string).collect();
    teams.sort();
    teams.dedup();
    g.teams = teams;
    let mut shares: Vec<f64> =
        entries.iter().filter_map(|e| e.review_share).filter(|s| s.is_finite()).collect();
    shares.sort_by(f64::total_cmp);
    g.median_review_share = match shares.len() {
        0 => None,
        n if n % 2 == 1 => shares.get(n / 2).copied(),
        n => Some(
            (shares.get(n / 2 - 1).copied().unwrap_or(0.0) + shares.get(n / 2).copied().unwrap_or(0.0)) / 2.0,
        ),
    };
    g
}

/// Builds the report. Groups are sorted by name.
pub fn report(entries: &[ReportEntry<'_>], by: GroupBy) -> Report {
    let all: Vec<&ReportEntry<'_>> = entries.iter().collect();
    let overall = stats("all reviews", &all);
    let groups = match by {
        GroupBy::Item => Vec::new(),
        GroupBy::Agent | GroupBy::Reviewer => {
            let mut map: BTreeMap<&str, Vec<&ReportEntry<'_>>> = BTreeMap::new();
            for e in entries {
                let key = match by {
                    GroupBy::Agent => e.agent.unwrap_or(UNKNOWN_AGENT),
                    _ => e.reviewer,
                };
                map.entry(key).or_default().push(e);
            }
            map.into_iter().map(|(k, v)| stats(k, &v)).collect()
        }
    };
    Report { by, overall, groups }
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
    fn figures_by_agent() {
        use Answer::*;
        let card = Scorecard::default_card();
        let a1 = answers(&[
            ("let_customer_finish", Yes),
            ("no_arguing", Yes),
            ("admitted_fault", No),
            ("set_callback_time", NotApplicable),
        ]);
        let a2 = answers(&[("let_customer_finish", No), ("no_arguing", No), ("admitted_fault", Yes)]);
        let a3 = answers(&[("let_customer_finish", Yes), ("no_arguing", Yes), ("admitted_fault", Yes)]);
        let sets = [a1, a2, a3];
        let scores: Vec<Score> = sets.iter().map(|a| score(&card, a)).collect();
        let agents = [Some("Meena"), Some("Meena"), None];
        let teams = [Some("Care"), Some("Billing"), None];
        let entries: Vec<ReportEntry<'_>> = (0..3)
            .map(|i| ReportEntry {
                agent: agents[i],
                team: teams[i],
                reviewer: "R",
                card: &card,
                answers: &sets[i],
                score: &scores[i],
                review_share: [Some(1.5), None, Some(0.5)][i],
            })
            .collect();
        let r = report(&entries, GroupBy::Agent);
        assert_eq!(r.overall.median_review_share, Some(1.0), "median of 1.5 and 0.5");
        assert_eq!(r.overall.reviews, 3);
        assert_eq!(r.overall.critical_fails, 1);
        // (66.67 + 0 + 100) / 3
        let avg = r.overall.avg_percent.unwrap();
        assert!((avg - (200.0 / 3.0 + 100.0) / 3.0).abs() < 1e-9, "{avg}");
        let lcf = &r.overall.items[0];
        assert_eq!((lcf.key.as_str(), lcf.yes, lcf.no), ("let_customer_finish", 2, 1));
        assert!((lcf.pass_rate.unwrap() - 2.0 / 3.0).abs() < 1e-9);
        let cb = &r.overall.items[3];
        assert_eq!((cb.na, cb.unanswered, cb.pass_rate), (1, 2, None));
        let names: Vec<_> = r.groups.iter().map(|g| g.group.as_str()).collect();
        assert_eq!(names, [UNKNOWN_AGENT, "Meena"]);
        let meena = &r.groups[1];
        assert_eq!((meena.reviews, meena.critical_fails), (2, 1));
        assert_eq!(meena.critical_fail_rate, Some(0.5));
        assert_eq!(meena.teams, ["Billing", "Care"], "an agent who moved has both teams");
        assert!(r.groups[0].teams.is_empty(), "no team is never guessed");
        assert!(report(&entries, GroupBy::Item).groups.is_empty());
    }
}

/// One agent's average score per week (weeks start on Monday), oldest first.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AgentTrend {
    pub agent: String,
    /// (Monday of the week `YYYY-MM-DD`, its day number since 1970-01-01, average score, reviews).
    pub weeks: Vec<(String, i64, f64, usize)>,
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (the first 10 characters of `date`); `None`
/// when it is not one.
pub fn day_number(date: &str) -> Option<i64> {
    let d = date.get(..10)?;
    let (y, m, dd) = (
        d.get(..4)?.parse::<i64>().ok()?,
        d.get(5..7)?.parse::<i64>().ok()?,
        d.get(8..10)?.parse::<i64>().ok()?,
    );
    if !(1..=12).contains(&m) || !(1..=31).contains(&dd) || d.as_bytes().get(4) != Some(&b'-') {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + dd - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// `YYYY-MM-DD` of a day number (the inverse of [`day_number`]).
pub fn date_of(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Each agent's average score per week of the calls' recording dates, from (agent, recording
/// date, score) of scored reviews; calls without a date or a score are left out. Agents in
/// name order.
pub fn weekly_trend<'a>(
    reviews: impl IntoIterator<Item = (&'a str, Option<&'a str>, Option<f64>)>,
) -> Vec<AgentTrend> {
    let mut by: BTreeMap<&str, BTreeMap<i64, (f64, usize)>> = BTreeMap::new();
    for (agent, date, percent) in reviews {
        let (Some(day), Some(p)) = (date.and_then(day_number), percent) else { continue };
        // 1970-01-01 was a Thursday: Monday of the week is 3 days after the Thursday before.
        let monday = day - (day + 3).rem_euclid(7);
        let e = by.entry(agent).or_default().entry(monday).or_insert((0.0, 0));
        e.0 += p;
        e.1 += 1;
    }
    by.into_iter()
        .map(|(agent, weeks)| AgentTrend {
            agent: agent.to_string(),
            weeks: weeks.into_iter().map(|(d, (sum, n))| (date_of(d), d, sum / n as f64, n)).collect(),
        })
        .collect()
}

#[cfg(test)]
mod trend_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn dates_round_trip_and_weeks_start_on_monday() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(day_number("2024-06-12T09:05:41"), Some(19_886));
        for d in ["2000-02-29", "2024-06-10", "1999-12-31", "2026-11-27"] {
            assert_eq!(date_of(day_number(d).unwrap()), d);
        }
        assert_eq!(day_number("2024-13-01"), None);
        assert_eq!(day_number("June 12"), None);
        // 2024-06-12 is a Wednesday, 2024-06-16 a Sunday (same week), 2024-06-17 a Monday.
        let t = weekly_trend([
            ("Meena", Some("2024-06-12"), Some(100.0)),
            ("Meena", Some("2024-06-16"), Some(50.0)),
            ("Meena", Some("2024-06-17"), Some(0.0)),
            ("Meena", None, Some(10.0)),
            ("Ravi", Some("2024-06-12"), None),
        ]);
        assert_eq!(t.len(), 1);
        assert_eq!(
            t[0].weeks.iter().map(|w| (w.0.as_str(), w.2, w.3)).collect::<Vec<_>>(),
            vec![("2024-06-10", 75.0, 2), ("2024-06-17", 0.0, 1)]
        );
    }
}
