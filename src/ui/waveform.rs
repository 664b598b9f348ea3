//! The waveform: one lane per channel (Agent and Customer, or Mixed for mono) drawn from the
//! peaks pyramid, with overtalk (coloured by who started it), dead air and hold overlays, talk
//! bars, a time ruler and the playhead. Click or drag a lane to seek; wheel scrolls; Ctrl+wheel
//! and the buttons zoom; drag the ruler to scroll.
//!
//! Cost per frame is bounded by the width in pixels, not the call's length: the level is the
//! coarsest with at most one bin per pixel column... at least one, at most four bins per column,
//! and each lane is one mesh of one rectangle per column.

use egui::{Color32, Mesh, Pos2, Rect, RichText, Role, Sense, Stroke, Vec2, WidgetInfo};

use super::theme;
use crate::analysis::{Analysis, Level, PeakLevel, Peaks, Talk};
use crate::app::evidence::{clock, secs};
use crate::app::{CallqaApp, Command, OpenCall, WaveView};

/// A lane: label, channel index in the peaks, colour.
struct Lane {
    label: &'static str,
    channel: usize,
    color: Color32,
}

fn lanes(channels: u16) -> Vec<Lane> {
    if channels >= 2 {
        vec![
            Lane { label: "Agent", channel: 0, color: theme::AGENT_WAVE },
            Lane { label: "Customer", channel: 1, color: theme::CUSTOMER_WAVE },
        ]
    } else {
        vec![Lane { label: "Mixed", channel: 0, color: theme::MIXED_WAVE }]
    }
}

pub fn draw(app: &mut CallqaApp, ui: &mut egui::Ui) {
    let Some(call) = app.call.clone() else {
        ui.centered_and_justified(|ui| {
            ui.label(
                RichText::new("Open a call: File → Open, drop WAV files here, or pick one in the list.")
                    .weak(),
            );
        });
        return;
    };
    header(app, &call, ui);
    if let Some(err) = &call.error {
        ui.add_space(20.0);
        ui.label(RichText::new(format!("Cannot open this call: {err}")).color(theme::ERROR).heading());
        ui.label(call.path.display().to_string());
        return;
    }
    // The transcript panel takes the bottom of the column; the lanes fill the rest.
    if let Some(t) = call.transcript.clone() {
        let h = ui.available_height();
        egui::Panel::bottom("transcript")
            .resizable(true)
            .default_size((h * 0.4).clamp(90.0, 320.0))
            .min_size(70.0)
            .max_size((h - 160.0).max(90.0))
            .show(ui, |ui| super::transcript::draw(app, &t, ui));
    }
    let Some(peaks) = call.peaks.clone() else {
        ui.add_space(20.0);
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("Reading the call…");
        });
        return;
    };
    let playhead = app.playhead_s();
    let mut cmds = Vec::new();
    lanes_and_ruler(ui, &call, &peaks, call.analysis.as_deref(), playhead, &mut cmds);
    for c in cmds {
        app.push(c);
    }
}

fn header(app: &mut CallqaApp, call: &OpenCall, ui: &mut egui::Ui) {
    ui.horizontal_wrapped(|ui| {
        ui.heading(&call.name);
        if call.paths.len() > 1 {
            let others: Vec<String> =
                call.paths.iter().filter(|p| **p != call.path).map(|p| p.display().to_string()).collect();
            ui.label(RichText::new(format!("also at {} other path(s)", others.len())).small().weak())
                .on_hover_text(others.join("\n"));
        }
        if let Some(e) = app.library.get(&call.path) {
            if !e.agent.is_empty() {
                ui.label(format!("Agent: {}", e.agent));
            }
            if !e.date.is_empty() {
                ui.label(&e.date);
            }
        }
    });
    if let Some(Some(p)) = app
        .library
        .get(&call.path)
        .map(|e| if let crate::app::Probe::Ok(p) = &e.probe { Some(p.clone()) } else { None })
    {
        let mut tags: Vec<String> = p.metadata.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        tags.insert(
            0,
            format!("{} · {} Hz · {} ch · {}", p.encoding, p.sample_rate, p.channels, clock(p.duration_s)),
        );
        ui.label(RichText::new(tags.join("   ")).small().weak());
        for w in &p.warnings {
            ui.label(RichText::new(format!("Warning: {w}")).small().color(theme::STATUS_DRAFT));
        }
    }
    if let Some(a) = &call.analysis {
        for w in &a.warnings {
            ui.label(RichText::new(format!("Note: {w}")).small().color(theme::STATUS_DRAFT));
        }
    }
    if call.error.is_some() {
        // Nothing to zoom, nothing being analysed.
        return;
    }
    ui.horizontal(|ui| {
        if ui.button(" − ").on_hover_text("Zoom out (−)").clicked() {
            app.push(Command::Zoom { factor: 0.5, anchor_s: None });
        }
        if ui.button(" + ").on_hover_text("Zoom in (+, Ctrl+wheel)").clicked() {
            app.push(Command::Zoom { factor: 2.0, anchor_s: None });
        }
        if ui.button("Fit whole call").on_hover_text("F").clicked() {
            app.push(Command::FitWhole);
        }
        ui.label(
            RichText::new(format!("{} – {}", clock(call.view.start_s), clock(call.view.end_s()))).weak(),
        );
        if call.analysis.is_none() {
            ui.add(
                egui::ProgressBar::new(call.progress.fraction())
                    .desired_width(160.0)
                    .text(format!("analysing {:.0} %", call.progress.fraction() * 100.0)),
            );
        }
    });
    ui.horizontal_wrapped(legend);
}

fn legend(ui: &mut egui::Ui) {
    for (c, t) in [
        (theme::OVERTALK_AGENT_SOLID, "overtalk: agent started"),
        (theme::OVERTALK_CUSTOMER_SOLID, "overtalk: customer started"),
        (theme::SILENCE_SOLID, "dead air"),
        (theme::HOLD_SOLID, "hold"),
    ] {
        let (r, _) = ui.allocate_exact_size(Vec2::splat(10.0), Sense::hover());
        ui.painter().rect_filled(r, 2.0, c);
        ui.label(RichText::new(t).small());
    }
}

/// Chooses the coarsest level with at least one bin per `frames_per_px`, falling back to the finest.
pub fn pick_level(peaks: &Peaks, frames_per_px: f64) -> Option<&PeakLevel> {
    let mut best = peaks.levels.first()?;
    for l in &peaks.levels {
        if (l.frames_per_bin as f64) <= frames_per_px {
            best = l;
        }
    }
    Some(best)
}

/// `(min, max)` of a channel over frames `[f0, f1)`, from one level; `None` past the data.
pub fn minmax(level: &PeakLevel, channel: usize, f0: f64, f1: f64) -> Option<(f32, f32)> {
    let bins = level.bins.get(channel)?;
    let fpb = level.frames_per_bin.max(1) as f64;
    let b0 = (f0 / fpb).floor().max(0.0) as usize;
    let b1 = ((f1 / fpb).ceil() as usize).max(b0 + 1).min(bins.len());
    let slice = bins.get(b0..b1)?;
    if slice.is_empty() {
        return None;
    }
    Some(slice.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &(a, b)| (lo.min(a), hi.max(b))))
}

/// Builds one lane's waveform mesh: one rectangle per pixel column.
fn lane_mesh(
    level: &PeakLevel,
    channel: usize,
    rate: f64,
    view: &WaveView,
    rect: Rect,
    color: Color32,
) -> Mesh {
    let mut mesh = Mesh::default();
    let w = rect.width().max(1.0);
    let cols = w.ceil() as usize;
    let spp = view.span_s / f64::from(w);
    let mid = rect.center().y;
    let half = rect.height() * 0.5 * 0.95;
    for x in 0..cols {
        let t0 = view.start_s + x as f64 * spp;
        let t1 = t0 + spp;
        let Some((lo, hi)) = minmax(level, channel, t0 * rate, t1 * rate) else { continue };
        if !(lo.is_finite() && hi.is_finite()) {
            continue;
        }
        let y_top = mid - hi.clamp(-1.0, 1.0) * half;
        let y_bot = (mid - lo.clamp(-1.0, 1.0) * half).max(y_top + 1.0);
        let x0 = rect.left() + x as f32;
        mesh.add_colored_rect(Rect::from_min_max(Pos2::new(x0, y_top), Pos2::new(x0 + 1.0, y_bot)), color);
    }
    mesh
}

fn x_of(view: &WaveView, rect: Rect, t: f64) -> f32 {
    rect.left() + (view.frac_of(t) as f32) * rect.width()
}

/// The visible part of `[s, e)` as an x range, if any.
fn x_span(view: &WaveView, rect: Rect, s: f64, e: f64) -> Option<(f32, f32)> {
    if e < view.start_s || s > view.end_s() {
        return None;
    }
    let x0 = x_of(view, rect, s).max(rect.left());
    let x1 = x_of(view, rect, e).min(rect.right()).max(x0 + 1.0);
    Some((x0, x1))
}

/// Visible x ranges of time-sorted spans, merged where they touch (within a pixel): at most one
/// rectangle per pixel column however many spans a 1-hour call has.
fn merged_x(view: &WaveView, rect: Rect, spans: impl Iterator<Item = (f64, f64)>) -> Vec<(f32, f32)> {
    let mut out: Vec<(f32, f32)> = Vec::new();
    for (s, e) in spans {
        let Some((x0, x1)) = x_span(view, rect, s, e) else { continue };
        match out.last_mut() {
            Some(last) if x0 <= last.1 + 1.0 => last.1 = last.1.max(x1),
            _ => out.push((x0, x1)),
        }
    }
    out
}

fn lanes_and_ruler(
    ui: &mut egui::Ui,
    call: &OpenCall,
    peaks: &Peaks,
    analysis: Option<&Analysis>,
    playhead: f64,
    cmds: &mut Vec<Command>,
) {
    let view = call.view;
    let lanes = lanes(peaks.channels);
    let avail = ui.available_rect_before_wrap();
    let lane_h =
        ((avail.height() - theme::RULER_HEIGHT - 8.0) / lanes.len() as f32 - theme::TALK_BAR_HEIGHT - 6.0)
            .clamp(60.0, 360.0);
    let width = avail.width();
    let rate = f64::from(peaks.sample_rate.max(1));

    // Ruler: drag scrolls, click seeks.
    let (ruler, ruler_resp) =
        ui.allocate_exact_size(Vec2::new(width, theme::RULER_HEIGHT), Sense::click_and_drag());
    ruler_resp.widget_info(|| WidgetInfo::labeled(Role::Slider, true, "Time ruler"));
    draw_ruler(ui.painter(), ruler, &view);
    if ruler_resp.dragged() {
        let dx = f64::from(ruler_resp.drag_delta().x);
        cmds.push(Command::ScrollTo(view.start_s - dx * view.span_s / f64::from(width.max(1.0))));
    } else if ruler_resp.clicked()
        && let Some(p) = ruler_resp.interact_pointer_pos()
    {
        cmds.push(Command::Seek(view.time_at(f64::from((p.x - ruler.left()) / width.max(1.0)))));
    }

    let frames_per_px = view.span_s * rate / f64::from(width.max(1.0));
    let level = pick_level(peaks, frames_per_px);
    let mut lanes_rect = Rect::NOTHING;
    let mut lane_rects = Vec::new();
    for lane in &lanes {
        let (rect, resp) = ui.allocate_exact_size(Vec2::new(width, lane_h), Sense::click_and_drag());
        let (bar, _) = ui.allocate_exact_size(Vec2::new(width, theme::TALK_BAR_HEIGHT), Sense::hover());
        ui.add_space(4.0);
        lanes_rect = lanes_rect.union(rect);
        lane_rects.push((rect, bar));
        let label = format!("{} lane", lane.label);
        resp.widget_info(|| WidgetInfo::labeled(Role::Image, true, &label));
        let painter = ui.painter_at(rect);
        painter.rect_filled(rect, 2.0, theme::LANE_BG);
        painter.line_segment(
            [Pos2::new(rect.left(), rect.center().y), Pos2::new(rect.right(), rect.center().y)],
            Stroke::new(1.0, Color32::from_gray(60)),
        );
        if let Some(level) = level {
            painter.add(lane_mesh(level, lane.channel, rate, &view, rect, lane.color));
        }
        let label_rect = painter.text(
            rect.left_top() + Vec2::new(6.0, 4.0),
            egui::Align2::LEFT_TOP,
            lane.label,
            egui::FontId::proportional(14.0),
            lane.color,
        );
        if let Some(why) = analysis.and_then(|a| low_confidence(a, lane.channel)) {
            low_confidence_tag(ui, &painter, label_rect, lane, &why);
        }
        // Seek by click or drag; wheel scrolls, Ctrl+wheel zooms.
        if let Some(p) = resp.interact_pointer_pos()
            && (resp.clicked() || resp.dragged())
        {
            cmds.push(Command::Seek(view.time_at(f64::from((p.x - rect.left()) / width.max(1.0)))));
        }
        if resp.hovered() {
            let (zoom, scroll, pointer) =
                ui.input(|i| (i.zoom_delta(), i.smooth_scroll_delta, i.pointer.hover_pos()));
            let anchor = pointer.map(|p| view.time_at(f64::from((p.x - rect.left()) / width.max(1.0))));
            if (zoom - 1.0).abs() > 1e-4 {
                cmds.push(Command::Zoom { factor: f64::from(zoom), anchor_s: anchor });
            } else {
                let d = if scroll.x.abs() > scroll.y.abs() { scroll.x } else { scroll.y };
                if d.abs() > 0.0 {
                    cmds.push(Command::ScrollBy(-f64::from(d) / f64::from(width.max(1.0))));
                }
            }
        }
    }

    if let Some(a) = analysis {
        overlays(ui, a, &view, &lanes, &lane_rects, ruler, lanes_rect, cmds);
    }
    if let Some((s, e)) = call.highlight
        && let Some((x0, x1)) = x_span(&view, lanes_rect, s, e)
    {
        let r = Rect::from_x_y_ranges(x0..=x1, lanes_rect.y_range());
        ui.painter().rect_stroke(r, 2.0, Stroke::new(2.0, theme::HIGHLIGHT), egui::StrokeKind::Inside);
    }
    // Coaching clips cut from this call: a band under the ruler, coloured good / bad.
    for clip in &call.clips {
        if let Some((x0, x1)) = x_span(&view, lanes_rect, clip.start_s, clip.end_s) {
            let band = Rect::from_x_y_ranges(x0..=x1.max(x0 + 2.0), ruler.bottom() - 5.0..=ruler.bottom());
            let colour = if clip.kind == crate::store::ClipKind::Good { theme::GOOD } else { theme::BAD };
            ui.painter().rect_filled(band, 1.0, colour);
            let label = format!(
                "Clip {} ({}, {}) {} – {}",
                clip.id,
                clip.kind.as_str(),
                clip.set,
                clock(clip.start_s),
                clock(clip.end_s)
            );
            let id = ui.scope_id().with(("callqa-clip", clip.id));
            let r = ui.interact(band, id, egui::Sense::click()).on_hover_text(&label);
            r.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &label));
            if r.clicked() {
                cmds.push(Command::Seek(clip.start_s));
            }
        }
    }
    // Playhead.
    if playhead >= view.start_s && playhead <= view.end_s() {
        let x = x_of(&view, lanes_rect, playhead);
        ui.painter().line_segment(
            [Pos2::new(x, ruler.top()), Pos2::new(x, lanes_rect.bottom())],
            Stroke::new(2.0, theme::PLAYHEAD),
        );
    }
}

/// The reasons of a lane's low confidence, one per line; `None` unless it is low.
fn low_confidence(a: &Analysis, channel: usize) -> Option<String> {
    a.confidence.iter().find(|c| c.channel == channel && c.level == Level::Low).map(|c| c.reasons.join("\n"))
}

/// "(low confidence)" after the lane's label, its reasons as hover text.
fn low_confidence_tag(ui: &mut egui::Ui, painter: &egui::Painter, label: Rect, lane: &Lane, why: &str) {
    let tag = painter.text(
        label.right_center() + Vec2::new(6.0, 0.0),
        egui::Align2::LEFT_CENTER,
        "(low confidence)",
        egui::FontId::proportional(12.0),
        theme::STATUS_DRAFT,
    );
    let resp = ui.interact(tag, ui.scope_id().with(("callqa-low-confidence", lane.channel)), Sense::hover());
    let name = format!("{} lane: low confidence", lane.label);
    resp.widget_info(|| WidgetInfo::labeled(Role::Label, true, &name));
    resp.on_hover_text(format!("Talk detection on this side is unreliable: {why}"));
}

fn draw_ruler(painter: &egui::Painter, rect: Rect, view: &WaveView) {
    painter.rect_filled(rect, 0.0, Color32::from_gray(30));
    // Tick step: a "nice" number of seconds giving ticks ~100 px apart.
    let px_per_s = f64::from(rect.width()) / view.span_s.max(1e-9);
    let steps = [0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0];
    let step = steps.iter().copied().find(|s| s * px_per_s >= 90.0).unwrap_or(3600.0);
    let mut t = (view.start_s / step).ceil() * step;
    while t <= view.end_s() {
        let x = x_of(view, rect, t);
        painter.line_segment(
            [Pos2::new(x, rect.bottom() - 6.0), Pos2::new(x, rect.bottom())],
            Stroke::new(1.0, theme::RULER),
        );
        let label = if step < 1.0 { format!("{t:.1}s") } else { clock(t).trim_end_matches(".0").to_string() };
        painter.text(
            Pos2::new(x + 3.0, rect.top() + 2.0),
            egui::Align2::LEFT_TOP,
            label,
            egui::FontId::proportional(11.0),
            theme::RULER,
        );
        t += step;
    }
}

#[allow(clippy::too_many_arguments)]
fn overlays(
    ui: &mut egui::Ui,
    a: &Analysis,
    view: &WaveView,
    lanes: &[Lane],
    lane_rects: &[(Rect, Rect)],
    ruler: Rect,
    lanes_rect: Rect,
    cmds: &mut Vec<Command>,
) {
    let painter = ui.painter().clone();
    // Talk bars under each lane.
    let talk: Vec<&Vec<[f64; 2]>> = match &a.talk {
        Talk::Stereo { agent, customer } => vec![agent, customer],
        Talk::Mono { mixed } => vec![mixed],
    };
    for ((_, bar), spans) in lane_rects.iter().zip(talk) {
        for (x0, x1) in merged_x(view, *bar, spans.iter().map(|s| (s[0], s[1]))) {
            painter.rect_filled(Rect::from_x_y_ranges(x0..=x1, bar.y_range()), 0.0, theme::TALK_BAR);
        }
    }
    let fill = |spans: Vec<(f32, f32)>, y: egui::Rangef, color: Color32| {
        for (x0, x1) in spans {
            painter.rect_filled(Rect::from_x_y_ranges(x0..=x1, y), 0.0, color);
        }
    };
    fill(
        merged_x(view, lanes_rect, a.silence.iter().map(|s| (s.start_s, s.end_s))),
        lanes_rect.y_range(),
        theme::SILENCE,
    );
    for (i, lane) in lanes.iter().enumerate() {
        let Some((rect, _)) = lane_rects.get(i).copied() else { continue };
        let holds =
            a.hold.iter().filter(|h| h.channel == lane.channel || (i == 0 && h.channel >= lanes.len()));
        fill(merged_x(view, rect, holds.map(|h| (h.start_s, h.end_s))), rect.y_range(), theme::HOLD);
    }
    for who in [crate::model::Speaker::Agent, crate::model::Speaker::Customer] {
        let spans = a.overtalk.iter().filter(|o| o.started_by == who).map(|o| (o.start_s, o.end_s));
        fill(merged_x(view, lanes_rect, spans), lanes_rect.y_range(), theme::overtalk_fill(who));
    }
    // One clickable marker per visible event, in the ruler.
    for s in &a.silence {
        if let Some((x0, x1)) = x_span(view, lanes_rect, s.start_s, s.end_s) {
            let label = format!("Dead air at {} ({:.1} s)", secs(s.start_s), s.duration_s());
            marker(ui, ruler, x0, x1, theme::SILENCE_SOLID, label, s.start_s, cmds);
        }
    }
    for h in &a.hold {
        if let Some((x0, x1)) = x_span(view, lanes_rect, h.start_s, h.end_s) {
            let label = format!("Hold at {} ({:.1} s)", secs(h.start_s), h.end_s - h.start_s);
            marker(ui, ruler, x0, x1, theme::HOLD_SOLID, label, h.start_s, cmds);
        }
    }
    for (i, o) in a.overtalk.iter().enumerate() {
        if let Some((x0, x1)) = x_span(view, lanes_rect, o.start_s, o.end_s) {
            let label = format!(
                "Overtalk marker {}: started by the {} at {}",
                i + 1,
                o.started_by.label(),
                secs(o.start_s)
            );
            marker(ui, ruler, x0, x1, theme::overtalk_solid(o.started_by), label, o.start_s, cmds);
        }
    }
}

/// A small clickable marker in the ruler (seeks to the event; named for screen readers and tests).
#[allow(clippy::too_many_arguments)]
fn marker(
    ui: &mut egui::Ui,
    ruler: Rect,
    x0: f32,
    x1: f32,
    color: Color32,
    label: String,
    t: f64,
    cmds: &mut Vec<Command>,
) {
    let r = Rect::from_x_y_ranges(x0..=x1.max(x0 + 4.0), (ruler.bottom() - 7.0)..=ruler.bottom());
    ui.painter().rect_filled(r, 1.0, color);
    let id = ui.scope_id().with(("marker", label.as_str()));
    let resp = ui.interact(r, id, Sense::click());
    resp.widget_info(|| WidgetInfo::labeled(Role::Button, true, &label));
    let resp = resp.on_hover_text(&label);
    if resp.clicked() {
        cmds.push(Command::Seek(t));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn level_choice_keeps_bins_per_pixel_small() {
        let mut p = Peaks::new(1, 8000);
        p.push(&vec![0.0; 8000 * 60]);
        // 1 hour over 1600 px: 18,000 frames per px → 16384-frame level.
        assert_eq!(pick_level(&p, 18_000.0).unwrap().frames_per_bin, 16_384);
        assert_eq!(pick_level(&p, 300.0).unwrap().frames_per_bin, 256);
        assert_eq!(pick_level(&p, 10.0).unwrap().frames_per_bin, 256);
        let lvl = &p.levels[0];
        assert_eq!(minmax(lvl, 0, 0.0, 1000.0), Some((0.0, 0.0)));
        assert_eq!(minmax(lvl, 0, 1e9, 1e9 + 10.0), None);
        assert_eq!(minmax(lvl, 3, 0.0, 10.0), None);
    }
}
