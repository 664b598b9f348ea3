//! Drawing the review window from the app's state: menu and banners, the library panel, the
//! waveform, the transport bar and the scorecard. Drawing changes nothing but widget-local
//! values; every action becomes an [`crate::app::Command`] pushed on the app's queue.

pub mod calibration;
pub mod dialogs;
pub mod fonts;
pub mod library;
pub mod queue;
pub mod reports;
pub mod scorecard;
pub mod theme;
pub mod transcript;
pub mod transport;
pub mod waveform;

use crate::app::{CallqaApp, Command};

/// Draws one frame.
pub fn draw(app: &mut CallqaApp, ui: &mut egui::Ui) {
    egui::Panel::top("menu").show(ui, |ui| menu_bar(app, ui));
    banners(app, ui);
    // The transport spans the whole width (one row from 1280 px), under the three columns.
    egui::Panel::bottom("transport").show(ui, |ui| transport::draw(app, ui));
    // Side panels start at a share of the window (so 1024 px still leaves the waveform room),
    // can be dragged narrower, and hidden from the View menu.
    let width = ui.ctx().content_rect().width();
    if app.prefs.show_library {
        egui::Panel::left("library")
            .resizable(true)
            .default_size((width * 0.24).clamp(200.0, 330.0))
            .min_size(170.0)
            .show(ui, |ui| library::draw(app, ui));
    }
    if app.prefs.show_scorecard {
        egui::Panel::right("scorecard")
            .resizable(true)
            .default_size((width * 0.30).clamp(260.0, 410.0))
            .min_size(240.0)
            .show(ui, |ui| scorecard::draw(app, ui));
    }
    egui::CentralPanel::default().show(ui, |ui| waveform::draw(app, ui));
    reports::draw(app, ui.ctx());
    dialogs::draw(app, ui.ctx());
}

/// A field that owns the keyboard while it is shown (reviewer name, path, amendment reason):
/// it takes focus when it opens and whenever nothing else has it (e.g. after the window
/// itself got the focus back), so typing never reaches the shortcuts. Returns whether Enter
/// was pressed in it this frame (then it is left alone: Enter is the way out).
fn owns_keyboard(app: &mut CallqaApp, ui: &egui::Ui, r: &egui::Response) -> bool {
    let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    if !enter && (app.focus_field || ui.ctx().memory(|m| m.focused().is_none())) {
        r.request_focus();
        app.focus_field = false;
    }
    enter
}

fn menu_bar(app: &mut CallqaApp, ui: &mut egui::Ui) {
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| {
            if ui.button("Open files…").clicked() {
                app.push(Command::OpenFilesDialog);
            }
            if ui.button("Open folder…").clicked() {
                app.push(Command::OpenFolderDialog);
            }
            if ui.button("Open path…").clicked() {
                app.push(Command::ShowOpenPath(true));
            }
            if ui.button("Review store…").clicked() {
                app.push(Command::ShowStoreForm(true));
            }
            ui.separator();
            ui.menu_button("Recent files", |ui| {
                if app.prefs.recent_files.is_empty() {
                    ui.label("(none)");
                }
                for p in app.prefs.recent_files.clone() {
                    if ui.button(p.display().to_string()).clicked() {
                        app.push(Command::Open(vec![p]));
                    }
                }
            });
            ui.menu_button("Recent folders", |ui| {
                if app.prefs.recent_folders.is_empty() {
                    ui.label("(none)");
                }
                for p in app.prefs.recent_folders.clone() {
                    if ui.button(p.display().to_string()).clicked() {
                        app.push(Command::Open(vec![p]));
                    }
                }
            });
        });
        ui.menu_button("Review", |ui| {
            if ui.button("Save draft   Ctrl+S").clicked() {
                app.push(Command::SaveDraft);
            }
            if ui.button("Submit   Ctrl+Enter").clicked() {
                app.push(Command::Submit);
            }
            if ui.button("Next unreviewed call   Ctrl+Shift+N").clicked() {
                app.push(Command::NextUnreviewed);
            }
            if ui.button("Reports").clicked() {
                app.push(Command::ShowReports(true));
            }
            if ui.button("Sample…").clicked() {
                app.push(Command::ShowSampleForm(true));
            }
            if ui.button("My queue").clicked() {
                app.push(Command::ShowMyQueue(true));
            }
            if ui.button("Coaching sets…").clicked() {
                app.push(Command::ShowClipSets(true));
            }
            if ui.button("Calibration…").clicked() {
                app.push(Command::ShowCalibration);
            }
            let mut next = app.prefs.next_after_submit;
            if ui.checkbox(&mut next, "Open the next unreviewed call after submit").changed() {
                app.prefs.next_after_submit = next;
            }
        });
        ui.menu_button("View", |ui| {
            let mut lib = app.prefs.show_library;
            if ui.checkbox(&mut lib, "Call list").changed() {
                app.push(Command::ShowLibrary(lib));
            }
            let mut card = app.prefs.show_scorecard;
            if ui.checkbox(&mut card, "Scorecard").changed() {
                app.push(Command::ShowScorecard(card));
            }
        });
        ui.menu_button("Help", |ui| {
            if ui.button("Keyboard shortcuts   ?").clicked() {
                app.push(Command::ShowShortcuts(true));
            }
        });
        ui.separator();
        ui.label(egui::RichText::new("Drop WAV files or folders anywhere in the window").weak());
    });
}

fn banners(app: &mut CallqaApp, ui: &mut egui::Ui) {
    let audio = app.transport.unavailable.clone();
    let message = app.message.clone();
    if audio.is_none() && message.is_none() {
        return;
    }
    egui::Panel::top("banners").show(ui, |ui| {
        if let Some(text) = audio {
            egui::Frame::new().fill(theme::BANNER_BG).inner_margin(4.0).show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.label(egui::RichText::new(text.clone()).color(theme::BANNER_TEXT));
            });
        }
        if let Some(m) = message {
            // The × first, the text wrapping in the rest of the row (a long message grows the
            // banner downwards; it never runs over the panel below).
            ui.horizontal_top(|ui| {
                if ui.small_button("×").on_hover_text("Dismiss").clicked() {
                    app.push(Command::DismissMessage);
                }
                let color = if m.error { theme::ERROR } else { ui.visuals().text_color() };
                ui.add(egui::Label::new(egui::RichText::new(&m.text).color(color)).wrap());
            });
        }
    });
}
