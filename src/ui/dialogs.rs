//! Small windows: the in-app "open a path" field (the way in where no file dialog answers),
//! the reviewer-name prompt, the keyboard-shortcut list and the "clip this moment" form.

use crate::app::{CallqaApp, Command};

pub fn draw(app: &mut CallqaApp, ctx: &egui::Context) {
    open_path(app, ctx);
    shortcuts(app, ctx);
    clip_form(app, ctx);
}

fn clip_form(app: &mut CallqaApp, ctx: &egui::Context) {
    let Some(mut form) = app.clip_form.clone() else { return };
    let mut open = true;
    egui::Window::new("Clip this moment")
        .collapsible(false)
        .pivot(egui::Align2::CENTER_CENTER)
        .default_pos(ctx.content_rect().center())
        .open(&mut open)
        .show(ctx, |ui| {
            egui::Grid::new("clip_form").num_columns(2).show(ui, |ui| {
                ui.label("From");
                ui.add(egui::TextEdit::singleline(&mut form.from).desired_width(90.0));
                ui.end_row();
                ui.label("To");
                ui.add(egui::TextEdit::singleline(&mut form.to).desired_width(90.0));
                ui.end_row();
                ui.label("Kind");
                ui.horizontal(|ui| {
                    ui.radio_value(&mut form.good, true, "Good (to copy)");
                    ui.radio_value(&mut form.good, false, "Bad (to avoid)");
                });
                ui.end_row();
                ui.label("Set");
                ui.add(
                    egui::TextEdit::singleline(&mut form.set).desired_width(260.0).hint_text("Interruptions"),
                );
                ui.end_row();
                ui.label("Note");
                ui.add(egui::TextEdit::multiline(&mut form.note).desired_width(260.0).desired_rows(2));
                ui.end_row();
            });
            ui.horizontal(|ui| {
                if ui.button("Add clip").clicked() {
                    app.push(Command::AddClip);
                }
                if ui.button("Cancel").clicked() {
                    app.push(Command::ShowClipForm(false));
                }
            });
        });
    if app.clip_form.as_ref() != Some(&form) {
        app.clip_form = Some(form);
    }
    if !open {
        app.push(Command::ShowClipForm(false));
    }
}

fn open_path(app: &mut CallqaApp, ctx: &egui::Context) {
    let Some(mut text) = app.open_path.clone() else { return };
    let mut open = true;
    egui::Window::new("Open a file or folder").collapsible(false).open(&mut open).show(ctx, |ui| {
        ui.label("Path of a WAV file or a folder (folders are scanned for WAVs, recursively):");
        let r =
            ui.add(egui::TextEdit::singleline(&mut text).desired_width(480.0).hint_text("/path/to/calls"));
        let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if r.changed() {
            app.open_path = Some(text.clone());
        }
        ui.horizontal(|ui| {
            if (ui.button("Open").clicked() || enter) && !text.trim().is_empty() {
                app.push(Command::Open(vec![std::path::PathBuf::from(text.trim())]));
            }
            if ui.button("Cancel").clicked() {
                app.push(Command::ShowOpenPath(false));
            }
        });
        // A small browser: the folder typed so far and its entries (listed on a worker
        // thread; nothing here touches the disk).
        if app.path_listing_asked.as_deref() != Some(text.as_str()) && !text.trim().is_empty() {
            app.push(Command::ListPath(text.clone()));
        }
        if let Some((_, listing)) = app.path_listing.clone().filter(|(t, _)| *t == text) {
            match listing {
                Ok(l) => {
                    egui::ScrollArea::vertical().max_height(240.0).show(ui, |ui| {
                        if let Some(parent) = l.dir.parent()
                            && ui.link("↑ ..").clicked()
                        {
                            app.open_path = Some(parent.display().to_string());
                        }
                        for (p, is_dir) in l.entries {
                            let name =
                                p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                            if is_dir {
                                if ui.link(format!("▸ {name}/")).clicked() {
                                    app.open_path = Some(p.display().to_string());
                                }
                            } else if ui.link(format!("♪ {name}")).clicked() {
                                app.push(Command::Open(vec![p]));
                            }
                        }
                    });
                }
                Err(e) => {
                    ui.label(egui::RichText::new(e).weak());
                }
            }
        }
    });
    if !open {
        app.push(Command::ShowOpenPath(false));
    }
}

fn shortcuts(app: &mut CallqaApp, ctx: &egui::Context) {
    if !app.show_shortcuts {
        return;
    }
    let mut open = true;
    egui::Window::new("Keyboard shortcuts").collapsible(false).open(&mut open).show(ctx, |ui| {
        egui::Grid::new("shortcuts").striped(true).show(ui, |ui| {
            for (k, what) in crate::app::SHORTCUTS {
                ui.label(egui::RichText::new(*k).monospace().strong());
                ui.label(*what);
                ui.end_row();
            }
        });
    });
    if !open {
        app.push(Command::ShowShortcuts(false));
    }
}
