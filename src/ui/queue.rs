//! "My queue" in the call list: the reviewer's queue items (from `callqa sample` or the
//! Sample… dialog), the ones not done first, with progress; a queue to go through with
//! "Next unreviewed"; clicking an item opens its call.

use egui::RichText;

use super::theme;
use crate::app::evidence::clock;
use crate::app::{CallqaApp, Command};

pub fn draw(app: &mut CallqaApp, ui: &mut egui::Ui) {
    let Some(all) = &app.my_queue else {
        let text = if app.reviewer().is_some() {
            "Loading your queue…"
        } else {
            "Enter your name to see your queue."
        };
        ui.label(RichText::new(text).weak());
        return;
    };
    if all.is_empty() {
        ui.label(
            RichText::new(
                "No call is assigned to you. A lead makes a queue with Review → Sample… (or callqa sample).",
            )
            .weak(),
        );
        return;
    }
    let mut names: Vec<&str> = Vec::new();
    for i in all {
        if !names.contains(&i.queue.as_str()) {
            names.push(&i.queue);
        }
    }
    let names: Vec<String> = names.into_iter().map(str::to_string).collect();
    let chosen = app.queue_choice.clone();
    ui.horizontal(|ui| {
        egui::ComboBox::new("queue_choice", "Queue")
            .width(150.0)
            .selected_text(chosen.clone().unwrap_or_else(|| "All my queues".into()))
            .show_ui(ui, |ui| {
                if ui.selectable_label(chosen.is_none(), "All my queues").clicked() {
                    app.push(Command::ChooseQueue(None));
                }
                for n in &names {
                    if ui.selectable_label(chosen.as_ref() == Some(n), n).clicked() {
                        app.push(Command::ChooseQueue(Some(n.clone())));
                    }
                }
            });
    });
    let items: Vec<crate::jobs::store_worker::QueueRow> = app.queue_items().into_iter().cloned().collect();
    let done = items.iter().filter(|i| i.done).count();
    ui.horizontal(|ui| {
        let frac = if items.is_empty() { 0.0 } else { done as f32 / items.len() as f32 };
        ui.add(
            egui::ProgressBar::new(frac)
                .desired_width((ui.available_width() - 110.0).max(60.0))
                .text(format!("{done} of {} done", items.len())),
        );
        if ui
            .button("Next unreviewed")
            .on_hover_text("The next call of this queue not done (Ctrl+Shift+N)")
            .clicked()
        {
            app.push(Command::NextUnreviewed);
        }
    });
    ui.separator();
    let open = app.call.as_ref().map(|c| c.path.clone());
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        for it in &items {
            let selected = open.is_some() && open == it.path;
            let state = if it.done { "done" } else { "to review" };
            let colour = if it.done { theme::STATUS_SUBMITTED } else { theme::STATUS_NONE };
            let mut parts = vec![it.queue.clone()];
            parts.push(it.agent.clone().unwrap_or_else(|| "(unknown agent)".into()));
            parts.push(clock(it.duration_s));
            parts.push(state.into());
            ui.vertical(|ui| {
                let r = ui.add_enabled(
                    it.path.is_some(),
                    egui::Button::selectable(selected, RichText::new(&it.file_name).strong()),
                );
                match &it.path {
                    Some(p) => {
                        let r = r.on_hover_text(p.display().to_string());
                        if r.clicked() {
                            app.push(Command::SelectCall(p.clone()));
                        }
                        ui.add(
                            egui::Label::new(RichText::new(parts.join(" · ")).small().color(colour))
                                .truncate(),
                        );
                    }
                    None => {
                        parts.push("file missing".into());
                        ui.add(
                            egui::Label::new(RichText::new(parts.join(" · ")).small().color(theme::ERROR))
                                .truncate(),
                        );
                    }
                }
            });
            ui.add_space(2.0);
        }
    });
}
