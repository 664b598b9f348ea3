//! The library panel: every opened call with name, agent, date, duration, review status and
//! score; a text filter, a status filter, sort buttons, and scan progress. Broken files stay
//! in the list with their error.

use egui::RichText;

use super::theme;
use crate::app::evidence::clock;
use crate::app::{CallqaApp, Command, Probe, SortKey, StatusFilter};
use crate::jobs::store_worker::CallStatus;

const ROW_HEIGHT: f32 = 40.0;

pub fn draw(app: &mut CallqaApp, ui: &mut egui::Ui) {
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        ui.heading("Calls");
        if ui.button("Open…").on_hover_text("Open WAV files (Ctrl+O)").clicked() {
            app.push(Command::OpenFilesDialog);
        }
        if ui.button("Folder…").on_hover_text("Open a folder (recursive)").clicked() {
            app.push(Command::OpenFolderDialog);
        }
        if ui.button("Path…").on_hover_text("Type a path or browse").clicked() {
            app.push(Command::ShowOpenPath(true));
        }
    });
    ui.horizontal(|ui| {
        let q = app.show_queue;
        if ui.selectable_label(!q, "All calls").clicked() && q {
            app.push(Command::ShowMyQueue(false));
        }
        if ui.selectable_label(q, "My queue").on_hover_text("The calls assigned to you").clicked() && !q {
            app.push(Command::ShowMyQueue(true));
        }
    });
    if app.show_queue {
        super::queue::draw(app, ui);
        return;
    }
    progress(app, ui);
    ui.horizontal(|ui| {
        let mut filter = app.library.filter.clone();
        // The filter takes the row's width left by the status list: the panel never grows
        // to fit it.
        let r = ui.add(
            egui::TextEdit::singleline(&mut filter)
                .hint_text("Filter by name, agent, date…")
                .desired_width((ui.available_width() - 160.0).max(60.0)),
        );
        if r.changed() {
            app.push(Command::SetFilter(filter));
        }
        let current = app.library.status_filter;
        egui::ComboBox::new("status_filter", "Status").width(90.0).selected_text(current.label()).show_ui(
            ui,
            |ui| {
                for f in StatusFilter::ALL {
                    if ui.selectable_label(current == f, f.label()).clicked() {
                        app.push(Command::SetStatusFilter(f));
                    }
                }
            },
        );
    });
    ui.horizontal(|ui| {
        let mut said = app.library.said.clone();
        let r = ui.add(
            egui::TextEdit::singleline(&mut said)
                .hint_text("Said… (words in the transcripts)")
                .desired_width((ui.available_width() - 70.0).max(60.0))
                .id_salt("said_filter"),
        );
        r.widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, "Said filter"));
        if r.changed() {
            app.push(Command::SetSaidFilter(said));
        }
        if !app.library.said.trim().is_empty() {
            match &app.library.said_calls {
                None => ui.spinner(),
                Some(c) => ui.label(RichText::new(format!("{} call(s)", c.len())).small().weak()),
            };
        }
    });
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Sort:").weak());
        for (key, label) in [
            (SortKey::Name, "Name"),
            (SortKey::Agent, "Agent"),
            (SortKey::Date, "Date"),
            (SortKey::Duration, "Length"),
            (SortKey::Status, "Status"),
            (SortKey::Score, "Score"),
        ] {
            let on = app.library.sort == key;
            let arrow = if !on {
                ""
            } else if app.library.descending {
                " ▼"
            } else {
                " ▲"
            };
            if ui.selectable_label(on, format!("{label}{arrow}")).clicked() {
                app.push(Command::SortBy(key));
            }
        }
    });
    ui.separator();

    let view = app.library.view().to_vec();
    if view.is_empty() && app.library.rows() > 0 {
        ui.label(RichText::new("No call matches the filters.").weak());
        return;
    }
    if view.is_empty() {
        ui.label(RichText::new("No calls yet. Open files or a folder, or drop them here.").weak());
        return;
    }
    // The open call's row (a copy's path shows on its call's row).
    let open = app.call.as_ref().and_then(|c| app.library.row_of(&c.path)).map(|e| e.path.clone());
    egui::ScrollArea::vertical().auto_shrink([false, false]).show_rows(
        ui,
        ROW_HEIGHT,
        view.len(),
        |ui, rows| {
            for &i in view.get(rows).unwrap_or_default() {
                let Some(e) = app.library.entries.get(i) else { continue };
                let selected = open.as_ref() == Some(&e.path);
                let color = match &e.status {
                    CallStatus::NotReviewed => theme::STATUS_NONE,
                    CallStatus::Draft { .. } => theme::STATUS_DRAFT,
                    CallStatus::Submitted { .. } => theme::STATUS_SUBMITTED,
                };
                let status = e.status_text();
                let second = match &e.probe {
                    Probe::Pending => RichText::new("reading…").weak(),
                    Probe::Err(err) => RichText::new(format!("Error: {err}")).color(theme::ERROR),
                    _ if e.missing => {
                        RichText::new(format!("file missing (last seen at {}) · {status}", e.path.display()))
                            .color(theme::ERROR)
                    }
                    Probe::Ok(_) | Probe::Stored(_) => {
                        let mut parts = Vec::new();
                        if !e.agent.is_empty() {
                            parts.push(e.agent.clone());
                        }
                        if !e.date.is_empty() {
                            parts.push(e.date.clone());
                        }
                        parts.push(clock(e.duration_s().unwrap_or(0.0)));
                        if e.channels() == Some(1) {
                            parts.push("mono".into());
                        }
                        if e.results.len() <= 1
                            && let Some(s) = e.score
                        {
                            parts.push(format!("{status} · score {s:.0}"));
                        } else {
                            parts.push(status);
                        }
                        if let Some((n, first)) = app.library.said_in(e) {
                            parts.insert(0, format!("said {n}× from {}", clock(first)));
                        }
                        if !e.copies.is_empty() {
                            parts.push(format!(
                                "{} cop{}",
                                e.copies.len(),
                                if e.copies.len() == 1 { "y" } else { "ies" }
                            ));
                        }
                        if let Probe::Ok(p) = &e.probe
                            && !p.warnings.is_empty()
                        {
                            parts.push(format!("warning: {}", p.warnings.join("; ")));
                        }
                        RichText::new(parts.join(" · ")).color(color)
                    }
                };
                let path = e.path.clone();
                let r = ui
                    .scope(|ui| {
                        ui.set_height(ROW_HEIGHT - 4.0);
                        ui.vertical(|ui| {
                            let r = ui.selectable_label(selected, RichText::new(&e.name).strong());
                            ui.add(egui::Label::new(second.small()).truncate());
                            r
                        })
                        .inner
                    })
                    .inner;
                let mut hover = e.path.display().to_string();
                for c in &e.copies {
                    hover.push_str(&format!("\nsame audio: {}", c.display()));
                }
                let r = r.on_hover_text(hover);
                if r.clicked() {
                    app.push(Command::SelectCall(path));
                }
            }
        },
    );
}

fn progress(app: &CallqaApp, ui: &mut egui::Ui) {
    let (total, ok, bad) = app.library.counts();
    let pending = app.jobs.probes_pending;
    if app.library.scans_running > 0 || pending > 0 {
        let done = total.saturating_sub(pending);
        let frac = if total == 0 { 0.0 } else { done as f32 / total as f32 };
        let text = if app.library.scans_running > 0 {
            format!("Scanning… {total} found, {done} read")
        } else {
            format!("Reading {done} / {total}")
        };
        ui.add(egui::ProgressBar::new(frac).text(text));
    } else if total > 0 {
        let rows = app.library.rows();
        let copies = match total - rows.min(total) {
            0 => String::new(),
            1 => " · 1 copy".to_string(),
            n => format!(" · {n} copies"),
        };
        ui.label(RichText::new(format!("{total} calls · {ok} readable · {bad} broken{copies}")).weak());
    }
}
