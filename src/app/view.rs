//! The waveform's visible window of call time: zoom, scroll, fit, follow the playhead.

/// Shortest span the view zooms in to, seconds.
pub const MIN_SPAN_S: f64 = 0.25;

/// The visible part of the call: `[start_s, start_s + span_s)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WaveView {
    pub start_s: f64,
    pub span_s: f64,
    /// The call's length (0 until known).
    pub duration_s: f64,
}

impl Default for WaveView {
    fn default() -> Self {
        WaveView { start_s: 0.0, span_s: 60.0, duration_s: 0.0 }
    }
}

impl WaveView {
    /// Shows the whole call.
    pub fn fit(&mut self) {
        self.start_s = 0.0;
        self.span_s = self.duration_s.max(MIN_SPAN_S);
    }

    pub fn set_duration(&mut self, d: f64) {
        let was_whole = self.start_s <= 0.0 && self.span_s >= self.duration_s;
        self.duration_s = d.max(0.0);
        if was_whole || self.duration_s == 0.0 {
            self.fit();
        }
        self.clamp();
    }

    pub fn end_s(&self) -> f64 {
        self.start_s + self.span_s
    }

    /// Zooms by `factor` (> 1 = in) keeping `anchor_s` at the same place on screen.
    pub fn zoom(&mut self, factor: f64, anchor_s: Option<f64>) {
        if !(factor.is_finite() && factor > 0.0) {
            return;
        }
        let anchor = anchor_s.unwrap_or(self.start_s + self.span_s / 2.0);
        let frac = if self.span_s > 0.0 { (anchor - self.start_s) / self.span_s } else { 0.5 };
        let max_span = self.duration_s.max(MIN_SPAN_S);
        self.span_s = (self.span_s / factor).clamp(MIN_SPAN_S, max_span);
        self.start_s = anchor - frac * self.span_s;
        self.clamp();
    }

    pub fn scroll_to(&mut self, start_s: f64) {
        self.start_s = start_s;
        self.clamp();
    }

    /// Scrolls so `t` is visible (page-wise, for following the playhead).
    pub fn follow(&mut self, t: f64) {
        if t < self.start_s || t > self.end_s() {
            self.scroll_to(t - self.span_s * 0.1);
        }
    }

    fn clamp(&mut self) {
        let max_start = (self.duration_s - self.span_s).max(0.0);
        self.start_s = self.start_s.clamp(0.0, max_start);
    }

    /// Call time at x (in points) across a width.
    pub fn time_at(&self, x_frac: f64) -> f64 {
        (self.start_s + x_frac * self.span_s).clamp(0.0, self.duration_s.max(0.0))
    }

    /// Fraction across the view of time `t` (may be outside 0..1).
    pub fn frac_of(&self, t: f64) -> f64 {
        if self.span_s > 0.0 { (t - self.start_s) / self.span_s } else { 0.0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_keeps_the_anchor_and_stays_inside() {
        let mut v = WaveView::default();
        v.set_duration(100.0);
        assert_eq!((v.start_s, v.span_s), (0.0, 100.0));
        v.zoom(4.0, Some(50.0));
        assert!((v.span_s - 25.0).abs() < 1e-9);
        assert!((v.frac_of(50.0) - 0.5).abs() < 1e-9);
        v.zoom(1e9, Some(99.0));
        assert_eq!(v.span_s, MIN_SPAN_S);
        assert!(v.end_s() <= 100.0 + 1e-9);
        v.zoom(0.0001, None);
        assert_eq!((v.start_s, v.span_s), (0.0, 100.0));
        v.zoom(10.0, Some(0.0));
        v.follow(55.0);
        assert!(v.start_s <= 55.0 && v.end_s() >= 55.0);
    }
}
