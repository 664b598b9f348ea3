//! Each call's analysis figures (`call_metrics`, migration 8): talk time per side, overtalk,
//! dead air and hold, as [`crate::analysis::Metrics`] found them, so `callqa sample
//! --stratify overtalk` and reports can use them without decoding every call again.
//!
//! The figures are **derived data**: the same audio and the same analyser give the same
//! figures, and `callqa index --force` recomputes them from the files. So a save is one
//! transaction that replaces the call's row (upsert) **without an audit row**: the audit trail
//! records what people and scans changed (reviews, calls, queues, transcripts), and a call's
//! figures being computed again changes nothing anyone decided. Each row says when and by
//! which analyser ([`ANALYSER_VERSION`]) it was computed.

use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

use super::schema::NOW;
use super::{Store, StoreError};
use crate::analysis::Analysis;

/// The analyser that computes the figures: this callqa's version with the default analysis
/// settings (the window and `callqa index` both use `analysis::Config::default()`). Figures of
/// another version are stale: `callqa index` computes them again.
pub const ANALYSER_VERSION: &str = concat!("callqa ", env!("CARGO_PKG_VERSION"), " default");

/// A call's analysis figures, as stored.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CallMetrics {
    pub analyser_version: String,
    pub duration_s: f64,
    pub talk_agent_s: f64,
    pub talk_customer_s: f64,
    /// Mono calls: one lane for both sides.
    pub talk_mixed_s: f64,
    pub overtalk_count: u32,
    /// Overtalk started by the agent (talking over the customer).
    pub overtalk_by_agent: u32,
    pub overtalk_by_customer: u32,
    pub overtalk_total_s: f64,
    /// Dead air.
    pub silence_count: u32,
    pub silence_total_s: f64,
    pub silence_longest_s: f64,
    pub hold_total_s: f64,
    /// The analysis' warnings (a truncated file, clipping...).
    pub warnings: Vec<String>,
}

/// A count as stored (a call never has 4 billion overtalks; saturate rather than wrap).
fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl CallMetrics {
    /// The figures of an analysis made by this callqa with the default settings.
    pub fn from_analysis(a: &Analysis) -> CallMetrics {
        let m = &a.metrics;
        CallMetrics {
            analyser_version: ANALYSER_VERSION.to_string(),
            duration_s: a.duration_s,
            talk_agent_s: m.talk_time_agent_s,
            talk_customer_s: m.talk_time_customer_s,
            talk_mixed_s: m.talk_time_mixed_s,
            overtalk_count: count(m.overtalk_count),
            overtalk_by_agent: count(m.overtalk_by_agent),
            overtalk_by_customer: count(m.overtalk_by_customer),
            overtalk_total_s: m.overtalk_total_s,
            silence_count: count(m.silence_count),
            silence_total_s: m.silence_total_s,
            silence_longest_s: m.silence_longest_s,
            hold_total_s: m.hold_total_s,
            warnings: a.warnings.clone(),
        }
    }

    /// Overtalks per minute of call; `None` for a call of 0 s (or a duration that is not a
    /// number).
    pub fn overtalk_per_min(&self) -> Option<f64> {
        let d = self.duration_s;
        (d.is_finite() && d > 0.0).then(|| f64::from(self.overtalk_count) * 60.0 / d)
    }

    /// Computed by this callqa's analyser (not stale).
    pub fn is_current(&self) -> bool {
        self.analyser_version == ANALYSER_VERSION
    }
}

/// A call's stored figures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoredMetrics {
    pub call_id: i64,
    /// When they were computed (UTC, `YYYY-MM-DDTHH:MM:SS.sssZ`).
    pub analysed_at: String,
    pub metrics: CallMetrics,
}

const COLUMNS: &str = "call_id, analysed_at, analyser_version, duration_s, talk_agent_s, talk_customer_s, \
                       talk_mixed_s, overtalk_count, overtalk_by_agent, overtalk_by_customer, \
                       overtalk_total_s, silence_count, silence_total_s, silence_longest_s, hold_total_s, \
                       warnings";

/// A row, with its warnings still as JSON text (parsed by [`parse_warnings`], outside
/// rusqlite's error type).
fn from_row(r: &Row<'_>) -> rusqlite::Result<(StoredMetrics, String)> {
    let metrics = CallMetrics {
        analyser_version: r.get(2)?,
        duration_s: r.get(3)?,
        talk_agent_s: r.get(4)?,
        talk_customer_s: r.get(5)?,
        talk_mixed_s: r.get(6)?,
        overtalk_count: r.get(7)?,
        overtalk_by_agent: r.get(8)?,
        overtalk_by_customer: r.get(9)?,
        overtalk_total_s: r.get(10)?,
        silence_count: r.get(11)?,
        silence_total_s: r.get(12)?,
        silence_longest_s: r.get(13)?,
        hold_total_s: r.get(14)?,
        warnings: Vec::new(),
    };
    Ok((StoredMetrics { call_id: r.get(0)?, analysed_at: r.get(1)?, metrics }, r.get(15)?))
}

fn parse_warnings((mut m, json): (StoredMetrics, String)) -> Result<StoredMetrics, StoreError> {
    m.metrics.warnings = serde_json::from_str(&json)
        .map_err(|e| StoreError::BadData(format!("the warnings of call {}'s figures: {e}", m.call_id)))?;
    Ok(m)
}

impl Store {
    /// Stores (or replaces) the analysis figures of a call, in one transaction. No audit row:
    /// the figures are derived from the audio (see the module docs). Fails with
    /// [`StoreError::NotFound`] when there is no such call.
    pub fn save_metrics(&mut self, call_id: i64, m: &CallMetrics) -> Result<(), StoreError> {
        let warnings = serde_json::to_string(&m.warnings).map_err(|e| StoreError::BadData(e.to_string()))?;
        self.write(|tx| {
            let known =
                tx.query_row("SELECT 1 FROM calls WHERE id = ?1", [call_id], |_| Ok(())).optional()?;
            if known.is_none() {
                return Err(StoreError::NotFound(format!("call {call_id}")));
            }
            tx.execute(
                &format!(
                    "INSERT INTO call_metrics ({COLUMNS}) \
                     VALUES (?1, {NOW}, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) \
                     ON CONFLICT (call_id) DO UPDATE SET analysed_at = excluded.analysed_at, \
                     analyser_version = excluded.analyser_version, duration_s = excluded.duration_s, \
                     talk_agent_s = excluded.talk_agent_s, talk_customer_s = excluded.talk_customer_s, \
                     talk_mixed_s = excluded.talk_mixed_s, overtalk_count = excluded.overtalk_count, \
                     overtalk_by_agent = excluded.overtalk_by_agent, \
                     overtalk_by_customer = excluded.overtalk_by_customer, \
                     overtalk_total_s = excluded.overtalk_total_s, silence_count = excluded.silence_count, \
                     silence_total_s = excluded.silence_total_s, \
                     silence_longest_s = excluded.silence_longest_s, hold_total_s = excluded.hold_total_s, \
                     warnings = excluded.warnings"
                ),
                params![
                    call_id,
                    m.analyser_version,
                    m.duration_s,
                    m.talk_agent_s,
                    m.talk_customer_s,
                    m.talk_mixed_s,
                    m.overtalk_count,
                    m.overtalk_by_agent,
                    m.overtalk_by_customer,
                    m.overtalk_total_s,
                    m.silence_count,
                    m.silence_total_s,
                    m.silence_longest_s,
                    m.hold_total_s,
                    warnings
                ],
            )?;
            Ok(())
        })
    }

    /// The stored figures of a call, if it has been analysed.
    pub fn metrics(&self, call_id: i64) -> Result<Option<StoredMetrics>, StoreError> {
        let row = self.read(|c| {
            Ok(c.query_row(
                &format!("SELECT {COLUMNS} FROM call_metrics WHERE call_id = ?1"),
                [call_id],
                from_row,
            )
            .optional()?)
        })?;
        row.map(parse_warnings).transpose()
    }

    /// Every call's stored figures, by call id.
    pub fn all_metrics(&self) -> Result<Vec<StoredMetrics>, StoreError> {
        let rows = self.read(|c| {
            let mut st = c.prepare(&format!("SELECT {COLUMNS} FROM call_metrics ORDER BY call_id"))?;
            let rows = st.query_map([], from_row)?.collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })?;
        rows.into_iter().map(parse_warnings).collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::model::call::CallMeta;

    fn figures(overtalk_count: u32, duration_s: f64) -> CallMetrics {
        CallMetrics {
            analyser_version: ANALYSER_VERSION.into(),
            duration_s,
            talk_agent_s: 12.5,
            talk_customer_s: 20.25,
            talk_mixed_s: 0.0,
            overtalk_count,
            overtalk_by_agent: 1,
            overtalk_by_customer: overtalk_count.saturating_sub(1),
            overtalk_total_s: 3.1,
            silence_count: 2,
            silence_total_s: 7.0,
            silence_longest_s: 4.5,
            hold_total_s: 0.0,
            warnings: vec!["clipped \"left\"".into()],
        }
    }

    fn store_with_call(dir: &tempfile::TempDir) -> (Store, i64) {
        let mut s = Store::open(&dir.path().join("m.sqlite3")).unwrap();
        let meta = CallMeta {
            file_name: "a.wav".into(),
            duration_s: 60.0,
            sample_rate: 8000,
            channels: 2,
            encoding: "pcm_s16le".into(),
            agent: Some("Meena".into()),
            recorded_at: None,
            team: None,
        };
        let id = s.upsert_call(&"a".repeat(64), &dir.path().join("a.wav"), &meta).unwrap();
        (s, id)
    }

    #[test]
    fn figures_round_trip_are_replaced_and_write_no_audit_row() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, id) = store_with_call(&dir);
        assert_eq!(s.metrics(id).unwrap(), None);
        let audit_before = s.audit_log(None).unwrap().len();
        s.save_metrics(id, &figures(3, 90.0)).unwrap();
        let got = s.metrics(id).unwrap().unwrap();
        assert_eq!(got.metrics, figures(3, 90.0));
        assert!(got.analysed_at.ends_with('Z'), "{}", got.analysed_at);
        s.save_metrics(id, &figures(5, 90.0)).unwrap();
        let all = s.all_metrics().unwrap();
        assert_eq!(all.len(), 1, "one row per call");
        assert_eq!(all[0].metrics.overtalk_count, 5);
        assert_eq!(s.audit_log(None).unwrap().len(), audit_before, "derived data: no audit row");
        let e = s.save_metrics(id + 1, &figures(1, 10.0)).unwrap_err();
        assert!(matches!(e, StoreError::NotFound(_)), "{e}");
    }

    #[test]
    fn overtalk_rate_is_per_minute_and_none_for_empty_calls() {
        assert_eq!(figures(3, 90.0).overtalk_per_min(), Some(2.0));
        assert_eq!(figures(0, 30.0).overtalk_per_min(), Some(0.0));
        assert_eq!(figures(3, 0.0).overtalk_per_min(), None);
        assert_eq!(figures(3, f64::NAN).overtalk_per_min(), None);
        assert!(figures(1, 1.0).is_current());
        assert!(!CallMetrics { analyser_version: "callqa 0.0.1".into(), ..figures(1, 1.0) }.is_current());
    }
}
