//! Skip silence: the regions playback jumps over (dead air, hold), and the map from the
//! stretcher's input stream (which has the skipped parts cut out) back to call time.

use std::collections::VecDeque;

use crate::model::Span;

/// The regions to skip, in call seconds: finite, non-empty, sorted, merged.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SkipPlan {
    regions: Vec<Span>,
    enabled: bool,
}

impl SkipPlan {
    /// Cleans `regions` (drops NaN and empty ones, clamps at 0, sorts, merges overlaps).
    pub fn new(regions: Vec<Span>, enabled: bool) -> SkipPlan {
        let mut regions: Vec<Span> = regions
            .into_iter()
            .filter(|r| r.start_s.is_finite() && r.end_s.is_finite())
            .map(|r| Span::new(r.start_s.max(0.0), r.end_s))
            .filter(|r| r.end_s > r.start_s)
            .collect();
        regions.sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
        let mut merged: Vec<Span> = Vec::with_capacity(regions.len());
        for r in regions {
            match merged.last_mut() {
                Some(last) if r.start_s <= last.end_s => last.end_s = last.end_s.max(r.end_s),
                _ => merged.push(r),
            }
        }
        SkipPlan { regions: merged, enabled }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    pub fn regions(&self) -> &[Span] {
        &self.regions
    }

    /// The enabled region containing call time `t`, if any.
    pub fn region_at(&self, t: f64) -> Option<Span> {
        if !self.enabled {
            return None;
        }
        let i = self.regions.partition_point(|r| r.end_s <= t);
        self.regions.get(i).filter(|r| r.start_s <= t).copied()
    }

    /// Where playback really lands when asked for call time `t`: the end of the region
    /// containing `t` when skipping is on, else `t`.
    pub fn landing(&self, t: f64) -> f64 {
        self.region_at(t).map_or(t, |r| r.end_s)
    }

    /// The same plan in frames at `rate` Hz: `[start, end)` pairs.
    pub(crate) fn frames(&self, rate: u32) -> Vec<(u64, u64)> {
        if !self.enabled {
            return Vec::new();
        }
        let rate = f64::from(rate);
        self.regions
            .iter()
            .map(|r| ((r.start_s * rate).round() as u64, (r.end_s * rate).round() as u64))
            .filter(|(s, e)| e > s)
            .collect()
    }
}

/// The skip regions in frames, with the queries the reader needs.
#[derive(Debug, Clone, Default)]
pub(crate) struct FramePlan {
    regions: Vec<(u64, u64)>,
}

impl FramePlan {
    pub(crate) fn new(plan: &SkipPlan, rate: u32) -> Self {
        FramePlan { regions: plan.frames(rate) }
    }

    /// The region containing frame `f`.
    pub(crate) fn containing(&self, f: u64) -> Option<(u64, u64)> {
        let i = self.regions.partition_point(|r| r.1 <= f);
        self.regions.get(i).filter(|r| r.0 <= f).copied()
    }

    /// The first region starting after frame `f`.
    pub(crate) fn next_after(&self, f: u64) -> Option<(u64, u64)> {
        let i = self.regions.partition_point(|r| r.0 <= f);
        self.regions.get(i).copied()
    }
}

/// One stretch of the stretcher's input stream that is contiguous in the call.
#[derive(Debug, Clone, Copy)]
struct Piece {
    /// First stream frame of the piece, and the call frame it came from.
    stream: u64,
    call: u64,
    /// The region jumped over to get here (reported once playback reaches the piece).
    skipped: Option<Span>,
}

/// Maps stream positions (what the stretcher reports) to call frames.
#[derive(Debug, Clone, Default)]
pub(crate) struct PositionMap {
    pieces: VecDeque<Piece>,
}

impl PositionMap {
    /// Starts a new stream at call frame `call` (after a seek or reset).
    pub(crate) fn reset(&mut self, call: u64) {
        self.pieces.clear();
        self.pieces.push_back(Piece { stream: 0, call, skipped: None });
    }

    /// From stream frame `stream` on, audio comes from call frame `call` (a skip).
    pub(crate) fn jump(&mut self, stream: u64, call: u64, skipped: Span) {
        self.pieces.push_back(Piece { stream, call, skipped: Some(skipped) });
    }

    /// The call frame (fractional) of stream position `pos`, and the skips whose pieces
    /// playback has now reached (each reported once). Forgets pieces left behind.
    pub(crate) fn advance(&mut self, pos: f64, skips: &mut Vec<Span>) -> f64 {
        while self.pieces.len() > 1 && self.pieces.get(1).is_some_and(|p| p.stream as f64 <= pos) {
            self.pieces.pop_front();
            if let Some(p) = self.pieces.front_mut()
                && let Some(s) = p.skipped.take()
            {
                skips.push(s);
            }
        }
        match self.pieces.front() {
            Some(p) => p.call as f64 + (pos - p.stream as f64).max(0.0),
            None => pos,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn plan_cleans_sorts_and_merges() {
        let plan = SkipPlan::new(
            vec![
                Span::new(5.0, 6.0),
                Span::new(1.0, 2.0),
                Span::new(1.5, 3.0),
                Span::new(f64::NAN, 4.0),
                Span::new(7.0, 7.0),
                Span::new(-1.0, 0.5),
            ],
            true,
        );
        assert_eq!(plan.regions(), &[Span::new(0.0, 0.5), Span::new(1.0, 3.0), Span::new(5.0, 6.0)]);
        assert_eq!(plan.region_at(2.9), Some(Span::new(1.0, 3.0)));
        assert_eq!(plan.region_at(3.0), None);
        assert_eq!(plan.landing(5.5), 6.0);
        assert_eq!(plan.landing(4.0), 4.0);
        let off = SkipPlan::new(vec![Span::new(1.0, 2.0)], false);
        assert_eq!(off.landing(1.5), 1.5);
        assert!(off.frames(8000).is_empty());
    }

    #[test]
    fn frame_plan_queries() {
        let plan = FramePlan::new(&SkipPlan::new(vec![Span::new(1.0, 2.0), Span::new(3.0, 4.0)], true), 10);
        assert_eq!(plan.containing(10), Some((10, 20)));
        assert_eq!(plan.containing(20), None);
        assert_eq!(plan.next_after(5), Some((10, 20)));
        assert_eq!(plan.next_after(10), Some((30, 40)));
        assert_eq!(plan.next_after(30), None);
    }

    #[test]
    fn position_map_follows_jumps_and_reports_each_skip_once() {
        let mut map = PositionMap::default();
        map.reset(100);
        map.jump(50, 400, Span::new(15.0, 40.0));
        let mut skips = Vec::new();
        assert_eq!(map.advance(10.0, &mut skips), 110.0);
        assert!(skips.is_empty());
        assert_eq!(map.advance(49.5, &mut skips), 149.5);
        assert_eq!(map.advance(50.0, &mut skips), 400.0);
        assert_eq!(skips, vec![Span::new(15.0, 40.0)]);
        assert_eq!(map.advance(60.0, &mut skips), 410.0);
        assert_eq!(skips.len(), 1);
    }
}
