//! The transcript panel under the lanes: one line per speaker turn (long turns wrap onto
//! more lines), words coloured by speaker, the word being played highlighted, the find
//! text's matches marked; click a word (or a line's time) to play from there. The find box
//! and its ◀ ▶ buttons send commands; nothing here changes state.
//!
//! Only the visible lines are laid out (`ScrollArea::show_rows`), so an hour's transcript
//! costs the same per frame as a minute's.

use std::ops::Range;

use egui::{Color32, RichText, Sense};

use super::theme;
use crate::app::evidence::clock;
use crate::app::{CallqaApp, Command};
use crate::model::Speaker;
use crate::transcript::{Indexed, Label};

/// Height of one line of words.
const ROW_HEIGHT: f32 = 20.0;
/// A generous width per character (Devanagari is wider than Latin), so a line rarely runs
/// past the panel; one that does is cut off at the edge, never wrapped (rows have one height).
const CHAR_WIDTH: f32 = 9.5;
/// The marked match and the word being played.
const MATCH_BG: Color32 = Color32::from_rgb(0x6a, 0x55, 0x10);
const CURRENT_MATCH_BG: Color32 = Color32::from_rgb(0xa0, 0x78, 0x10);
const PLAYING_BG: Color32 = Color32::from_rgb(0x44, 0x48, 0x58);

/// One drawn line: positions in its segment's word list, and whether it starts the segment
/// (time and speaker shown).
struct Line {
    words: Range<usize>,
    first: bool,
    segment: usize,
}

/// Cuts the segments into lines of at most `chars` characters.
fn lines(t: &Indexed, chars: usize) -> Vec<Line> {
    let mut out = Vec::new();
    for (si, seg) in t.segments.iter().enumerate() {
        let mut start = 0;
        let mut used = 0;
        for (k, &i) in seg.words.iter().enumerate() {
            let len = t.transcript.words.get(i).map_or(0, |w| w.text.chars().count() + 1);
            if used + len > chars && k > start {
                out.push(Line { words: start..k, first: start == 0, segment: si });
                start = k;
                used = 0;
            }
            used += len;
        }
        if start < seg.words.len() {
            out.push(Line { words: start..seg.words.len(), first: start == 0, segment: si });
        }
    }
    out
}

fn speaker_color(s: Option<Speaker>) -> Color32 {
    match s {
        Some(Speaker::Agent) => theme::AGENT_WAVE,
        Some(Speaker::Customer) => theme::CUSTOMER_WAVE,
        None => theme::MIXED_WAVE,
    }
}

fn speaker_name(s: Option<Speaker>, label: &Label) -> String {
    match (s, label) {
        (Some(Speaker::Agent), _) => "Agent".into(),
        (Some(Speaker::Customer), _) => "Customer".into(),
        (None, Label::Speaker(l)) => l.clone(),
        (None, Label::Channel(c)) => format!("Channel {}", c + 1),
        (None, Label::Unknown) => "?".into(),
    }
}

/// Draws the panel for the open call's transcript.
pub fn draw(app: &mut CallqaApp, t: &Indexed, ui: &mut egui::Ui) {
    let mut cmds = Vec::new();
    ui.horizontal(|ui| {
        ui.label(RichText::new("Transcript").strong());
        ui.label(RichText::new(t.transcript.format.as_str()).small().weak());
        let mut find = app.transcript_find.clone();
        let r = ui.add(
            egui::TextEdit::singleline(&mut find)
                .hint_text("Find words…")
                .desired_width(180.0)
                .id_salt("transcript_find"),
        );
        r.widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Find in transcript"));
        if r.changed() {
            cmds.push(Command::FindInTranscript(find));
        }
        if r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            cmds.push(Command::NextTranscriptMatch(!ui.input(|i| i.modifiers.shift)));
        }
        let n = app.transcript_matches.len();
        if !app.transcript_find.trim().is_empty() {
            let at = app.transcript_match.map_or(String::new(), |i| format!("{} of ", i + 1));
            ui.label(if n == 0 { "no match".to_string() } else { format!("{at}{n} match(es)") });
        }
        ui.add_enabled_ui(n > 0, |ui| {
            if ui.small_button("◀").on_hover_text("Previous match (Shift+Enter)").clicked() {
                cmds.push(Command::NextTranscriptMatch(false));
            }
            if ui.small_button("▶").on_hover_text("Next match (Enter)").clicked() {
                cmds.push(Command::NextTranscriptMatch(true));
            }
        });
    });
    ui.separator();

    let words = &t.transcript.words;
    let playhead = app.playhead_s();
    let playing =
        t.transcript.word_at(playhead).filter(|&i| words.get(i).is_some_and(|w| playhead <= w.end_s + 0.15));
    let matched = |i: usize| app.transcript_matches.iter().position(|r| r.contains(&i));
    let chars = ((ui.available_width() - 170.0) / CHAR_WIDTH).max(12.0) as usize;
    let all = lines(t, chars);

    // While playing, follow the line being said (once per line, so the user can scroll away).
    let mut area = egui::ScrollArea::vertical().auto_shrink([false, false]).id_salt("transcript_lines");
    let follow_id = ui.scope_id().with("transcript_follow");
    let in_line = |l: &Line, w: usize| {
        t.segments.get(l.segment).and_then(|s| s.words.get(l.words.clone())).is_some_and(|ws| ws.contains(&w))
    };
    let target = playing.and_then(|w| all.iter().position(|l| in_line(l, w)));
    let followed: Option<usize> = ui.data(|d| d.get_temp(follow_id));
    if app.transport.is_playing()
        && let Some(line) = target
        && followed != Some(line)
    {
        area = area.vertical_scroll_offset(
            (line as f32 - 2.0).max(0.0) * (ROW_HEIGHT + ui.spacing().item_spacing.y),
        );
        ui.data_mut(|d| d.insert_temp(follow_id, line));
    }
    area.show_rows(ui, ROW_HEIGHT, all.len(), |ui, rows| {
        for line in all.get(rows).unwrap_or_default() {
            let Some(seg) = t.segments.get(line.segment) else { continue };
            ui.horizontal(|ui| {
                ui.set_min_height(ROW_HEIGHT);
                let (time, who) = if line.first {
                    (clock(seg.start_s), speaker_name(seg.speaker, &seg.label))
                } else {
                    (String::new(), String::new())
                };
                let time_r = ui.add_sized(
                    [58.0, ROW_HEIGHT],
                    egui::Label::new(RichText::new(time).monospace().small().weak()).sense(Sense::click()),
                );
                if line.first && time_r.on_hover_text("Play from here").clicked() {
                    cmds.push(Command::Seek(seg.start_s));
                }
                ui.add_sized(
                    [72.0, ROW_HEIGHT],
                    egui::Label::new(RichText::new(who).small().color(speaker_color(seg.speaker))),
                );
                ui.spacing_mut().item_spacing.x = 4.0;
                for &i in seg.words.get(line.words.clone()).unwrap_or_default() {
                    let Some(w) = words.get(i) else { continue };
                    let mut text = RichText::new(&w.text).color(speaker_color(w.speaker));
                    if let Some(m) = matched(i) {
                        text = text.background_color(if Some(m) == app.transcript_match {
                            CURRENT_MATCH_BG
                        } else {
                            MATCH_BG
                        });
                    }
                    if Some(i) == playing {
                        text = text.background_color(PLAYING_BG).strong();
                    }
                    let r = ui.add(
                        egui::Label::new(text)
                            .sense(Sense::click())
                            .selectable(false)
                            .wrap_mode(egui::TextWrapMode::Extend),
                    );
                    if r.on_hover_text(format!("{} – play from here", clock(w.start_s))).clicked() {
                        cmds.push(Command::Seek(w.start_s));
                    }
                }
            });
        }
    });
    for c in cmds {
        app.push(c);
    }
}
