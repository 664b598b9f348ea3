//! Small windows: the in-app "open a path" field (the way in where no file dialog answers),
//! the reviewer-name prompt, the keyboard-shortcut list and the "clip this moment" form.

use crate::app::{CallqaApp, Command};
use crate::model::sample::Stratify;

pub fn draw(app: &mut CallqaApp, ctx: &egui::Context) {
    open_path(app, ctx);
    shortcuts(app, ctx);
    clip_form(app, ctx);
    sample_form(app, ctx);
    clip_sets(app, ctx);
    super::calibration::draw(app, ctx);
    amend_reason(app, ctx);
    store_form(app, ctx);
    confirm_close(app, ctx);
}

/// File → Review store…: this computer's review database, or a team store (PostgreSQL), used
/// from the next start when no `--db` is given.
fn store_form(app: &mut CallqaApp, ctx: &egui::Context) {
    let Some(mut url) = app.store_form.clone() else { return };
    let mut open = true;
    egui::Window::new("Review store")
        .collapsible(false)
        .pivot(egui::Align2::CENTER_CENTER)
        .default_pos(ctx.content_rect().center())
        .open(&mut open)
        .show(ctx, |ui| {
            ui.label(format!("Reviews are saved now in: {}", app.store_place));
            ui.label(
                "A team store is a PostgreSQL database the team shares (see README, Team setup); \
                 the reviewer is then your database login.",
            );
            let r = ui.add(
                egui::TextEdit::singleline(&mut url)
                    .id(egui::Id::unique("callqa-team-store-url"))
                    .desired_width(420.0)
                    .hint_text("postgres://asha@dbhost/callqa?sslmode=require"),
            );
            let enter = super::owns_keyboard(app, ui, &r);
            let typed = !url.trim().is_empty();
            ui.horizontal(|ui| {
                if ui
                    .add_enabled(typed, egui::Button::new("Use this team store from the next start"))
                    .clicked()
                    || (enter && typed)
                {
                    app.push(Command::UseStore(Some(url.clone())));
                }
                if ui.button("Use this computer's review database").clicked() {
                    app.push(Command::UseStore(None));
                }
                if ui.button("Cancel").on_hover_text("Esc").clicked() {
                    app.push(Command::Cancel);
                }
            });
            ui.label(
                egui::RichText::new(
                    "A password in the address is kept in callqa's settings file on this computer.",
                )
                .small(),
            );
        });
    if app.store_form.as_ref() != Some(&url) && app.store_form.is_some() {
        app.store_form = Some(url);
    }
    if !open {
        app.push(Command::Cancel);
    }
}

/// The last step of an amendment: why the submitted review is changed (kept in the audit log).
fn amend_reason(app: &mut CallqaApp, ctx: &egui::Context) {
    let Some(mut reason) = app.amend_reason.clone() else { return };
    let mut open = true;
    egui::Window::new("Save the amendment")
        .collapsible(false)
        .pivot(egui::Align2::CENTER_CENTER)
        .default_pos(ctx.content_rect().center())
        .open(&mut open)
        .show(ctx, |ui| {
            ui.label("Why is this submitted review being changed? The reason is kept in the audit log.");
            let r = ui.add(
                egui::TextEdit::singleline(&mut reason)
                    .id(egui::Id::unique("callqa-amend-reason"))
                    .desired_width(380.0)
                    .hint_text("e.g. calibration session: the customer was not interrupted"),
            );
            let enter = super::owns_keyboard(app, ui, &r);
            let typed = !reason.trim().is_empty();
            ui.horizontal(|ui| {
                if ui.add_enabled(typed, egui::Button::new("Save amendment with this reason")).clicked()
                    || (enter && typed)
                {
                    app.push(Command::SaveAmendment(reason.clone()));
                }
                if ui.button("Back to editing").on_hover_text("Esc").clicked() {
                    app.push(Command::Cancel);
                }
            });
        });
    if app.amend_reason.as_ref() != Some(&reason) && app.amend_reason.is_some() {
        app.amend_reason = Some(reason);
    }
    if !open {
        app.push(Command::Cancel);
    }
}

/// A text field with a label in front (the label names the field for screen readers and tests).
fn labelled_field(
    ui: &mut egui::Ui,
    label: &str,
    text: &mut String,
    width: f32,
    hint: &str,
) -> egui::Response {
    let l = ui.label(label);
    let r = ui.add(egui::TextEdit::singleline(text).desired_width(width).hint_text(hint)).labelled_by(l.id);
    ui.end_row();
    r
}

/// Review → Sample…: draw a reproducible per-agent sample and store it as a review queue.
fn sample_form(app: &mut CallqaApp, ctx: &egui::Context) {
    // Taken while drawing (the preview is not copied each frame), put back after.
    let Some(mut form) = app.sample_form.take() else { return };
    let mut open = true;
    egui::Window::new("Sample calls for review")
        .collapsible(false)
        .pivot(egui::Align2::CENTER_CENTER)
        .default_pos(ctx.content_rect().center())
        .open(&mut open)
        .show(ctx, |ui| {
            ui.label(
                egui::RichText::new(
                    "The same seed and the same library draw the same calls. The seed is stored with the queue.",
                )
                .weak()
                .small(),
            );
            egui::Grid::new("sample_form").num_columns(2).show(ui, |ui| {
                let r = labelled_field(ui, "Calls per agent", &mut form.per_agent, 80.0, "5");
                if app.focus_field {
                    r.request_focus();
                    app.focus_field = false;
                }
                labelled_field(ui, "Seed", &mut form.seed, 160.0, "any whole number");
                ui.label("Stratify");
                ui.horizontal(|ui| {
                    ui.radio_value(&mut form.stratify, Stratify::Duration, "By duration");
                    ui.radio_value(&mut form.stratify, Stratify::Overtalk, "By overtalk")
                        .on_hover_text("Equal-count bins of overtalks per minute (needs the analysis' figures: calls opened in the window or run through callqa index)");
                    ui.radio_value(&mut form.stratify, Stratify::None, "None");
                });
                ui.end_row();
                ui.label("");
                ui.checkbox(&mut form.exclude_reviewed, "Exclude calls already reviewed");
                ui.end_row();
                labelled_field(ui, "Min duration (s)", &mut form.min_duration, 80.0, "0");
                labelled_field(ui, "From", &mut form.from, 110.0, "YYYY-MM-DD");
                labelled_field(ui, "To", &mut form.to, 110.0, "YYYY-MM-DD");
                labelled_field(ui, "Queue name", &mut form.name, 240.0, "e.g. week 24");
                labelled_field(ui, "Assign to", &mut form.assign, 240.0, "Asha, Ravi (comma list; empty: no one)");
            });
            ui.horizontal(|ui| {
                let busy = form.waiting;
                if ui.add_enabled(!busy, egui::Button::new("Preview")).clicked() {
                    app.push(Command::PreviewSample);
                }
                if ui.add_enabled(!busy, egui::Button::new("Create queue")).clicked() {
                    app.push(Command::CreateQueue);
                }
                if ui.button("Cancel").on_hover_text("Esc").clicked() {
                    app.push(Command::ShowSampleForm(false));
                }
                if busy {
                    ui.spinner();
                }
            });
            if let Some(p) = &form.preview {
                ui.separator();
                let stale = form.spec().ok().as_ref() != Some(&p.spec);
                ui.label(format!(
                    "{} call(s) from {} agent(s) · seed {} · {} call(s) in the database",
                    p.rows.len(),
                    p.agents.len(),
                    p.spec.seed,
                    p.library_calls
                ));
                if stale {
                    ui.label(
                        egui::RichText::new("The fields changed since: press Preview again.")
                            .color(crate::ui::theme::ERROR),
                    );
                }
                if !p.skipped.is_empty() {
                    let s: Vec<String> = p.skipped.iter().map(|(why, n)| format!("{n} {why}")).collect();
                    ui.label(egui::RichText::new(format!("Skipped: {}", s.join(", "))).weak().small());
                }
                for l in &p.loads {
                    ui.label(
                        egui::RichText::new(format!(
                            "{}: {} call(s), {}",
                            l.reviewer,
                            l.calls,
                            crate::app::evidence::clock(l.total_s)
                        ))
                        .small(),
                    );
                }
                egui::ScrollArea::vertical().max_height(280.0).show(ui, |ui| {
                    egui::Grid::new("sample_preview").striped(true).num_columns(5).show(ui, |ui| {
                        for h in ["#", "Reviewer", "Agent", "Length", "File"] {
                            ui.label(egui::RichText::new(h).strong());
                        }
                        ui.end_row();
                        for (i, r) in p.rows.iter().enumerate() {
                            ui.label((i + 1).to_string());
                            ui.label(r.reviewer.as_deref().unwrap_or("-"));
                            ui.label(&r.agent);
                            ui.label(crate::app::evidence::clock(r.duration_s));
                            ui.label(&r.file_name);
                            ui.end_row();
                        }
                    });
                });
            }
        });
    if app.sample_form.is_none() {
        app.sample_form = Some(form);
    }
    if !open {
        app.push(Command::ShowSampleForm(false));
    }
}

/// Closing with unsaved changes: save them first, drop them, or stay.
fn confirm_close(app: &mut CallqaApp, ctx: &egui::Context) {
    if !app.confirm_close {
        return;
    }
    let n = app.unsaved_count();
    egui::Window::new("Unsaved changes")
        .collapsible(false)
        .resizable(false)
        .pivot(egui::Align2::CENTER_CENTER)
        .default_pos(ctx.content_rect().center())
        .show(ctx, |ui| {
            ui.label(format!("{n} review(s) have changes the database has not confirmed yet. Close anyway?"));
            ui.horizontal(|ui| {
                if ui.button("Save and close").clicked() {
                    app.push(Command::Close(crate::app::CloseChoice::SaveAndClose));
                }
                if ui.button("Close without saving").clicked() {
                    app.push(Command::Close(crate::app::CloseChoice::Discard));
                }
                if ui.button("Stay").on_hover_text("Esc").clicked() {
                    app.push(Command::Close(crate::app::CloseChoice::Stay));
                }
            });
        });
}

/// The coaching sets: every clip by set, each with Go to (opens the call at the clip) and
/// Remove.
fn clip_sets(app: &mut CallqaApp, ctx: &egui::Context) {
    // Taken while drawing (the list is not copied each frame) and put back after; what the
    // buttons ask for is applied next frame.
    let Some(state) = app.clip_sets.take() else { return };
    let mut open = true;
    egui::Window::new("Coaching sets").collapsible(false).open(&mut open).show(ctx, |ui| {
        let Some(list) = &state else {
            ui.label("Loading…");
            return;
        };
        if list.is_empty() {
            ui.label("No clips yet. Use Clip… under the waveform to add the moment just heard.");
            return;
        }
        ui.label(
            egui::RichText::new("Export a set for trainees: callqa clips --set NAME --export DIR")
                .weak()
                .small(),
        );
        egui::ScrollArea::vertical().max_height(420.0).show(ui, |ui| {
            let mut last_set = None;
            for c in list {
                if last_set != Some(&c.set) {
                    ui.add_space(4.0);
                    ui.label(egui::RichText::new(&c.set).strong());
                    last_set = Some(&c.set);
                }
                ui.horizontal(|ui| {
                    let colour = if c.kind == crate::store::ClipKind::Good {
                        crate::ui::theme::GOOD
                    } else {
                        crate::ui::theme::BAD
                    };
                    ui.label(egui::RichText::new(c.kind.as_str()).color(colour));
                    let name =
                        c.call.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                    let when = format!(
                        "{} – {}",
                        crate::app::evidence::clock(c.start_s),
                        crate::app::evidence::clock(c.end_s)
                    );
                    if ui.link(format!("{name} {when}")).on_hover_text("Open the call here").clicked() {
                        app.push(Command::GoToClip {
                            path: c.call.path.clone(),
                            start_s: c.start_s,
                            end_s: c.end_s,
                        });
                    }
                    ui.label(&c.note);
                    ui.label(egui::RichText::new(format!("({})", c.author)).weak());
                    if ui.small_button("Remove").on_hover_text(format!("Remove clip {}", c.id)).clicked() {
                        app.push(Command::RemoveClip(c.id));
                    }
                });
            }
        });
    });
    app.clip_sets = Some(state);
    if !open {
        app.push(Command::ShowClipSets(false));
    }
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
        let r = ui.add(
            egui::TextEdit::singleline(&mut text)
                .id(egui::Id::unique("callqa-open-path"))
                .desired_width(480.0)
                .hint_text("/path/to/calls"),
        );
        let enter = super::owns_keyboard(app, ui, &r);
        if r.changed() {
            app.open_path = Some(text.clone());
        }
        ui.horizontal(|ui| {
            if (ui.button("Open").clicked() || enter) && !text.trim().is_empty() {
                app.push(Command::Open(vec![std::path::PathBuf::from(text.trim())]));
            }
            if ui.button("Cancel").on_hover_text("Esc").clicked() {
                app.push(Command::ShowOpenPath(false));
            }
        });
        // A small browser: the folder typed so far and its entries (listed on a worker
        // thread; nothing here touches the disk).
        if app.path_listing_asked.as_deref() != Some(text.as_str()) && !text.trim().is_empty() {
            app.push(Command::ListPath(text.clone()));
        }
        // Taken while drawing (not copied each frame), put back below.
        let shown = app.path_listing.take();
        if let Some((_, listing)) = shown.as_ref().filter(|(t, _)| *t == text) {
            match listing {
                Ok(l) => {
                    egui::ScrollArea::vertical().max_height(240.0).show(ui, |ui| {
                        if let Some(parent) = l.dir.parent()
                            && ui.link("↑ ..").clicked()
                        {
                            app.open_path = Some(parent.display().to_string());
                        }
                        for (p, is_dir) in &l.entries {
                            let name =
                                p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                            if *is_dir {
                                if ui.link(format!("▸ {name}/")).clicked() {
                                    app.open_path = Some(p.display().to_string());
                                }
                            } else if ui.link(format!("♪ {name}")).clicked() {
                                app.push(Command::Open(vec![p.clone()]));
                            }
                        }
                    });
                }
                Err(e) => {
                    ui.label(egui::RichText::new(e.as_str()).weak());
                }
            }
        }
        app.path_listing = shown;
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
