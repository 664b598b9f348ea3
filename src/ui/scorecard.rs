//! The scorecard panel: reviewer name, call facts, each checklist item with yes / no / N.A.,
//! the analysis evidence it supports (each time a link that seeks there), a comment with a
//! "stamp the playhead" button, the live score with its formula, Save draft and Submit.

use egui::{Id, RichText};

use super::theme;
use crate::app::evidence::{self, Evidence, clock, secs};
use crate::app::{CallqaApp, Command, Review};
use crate::jobs::store_worker::CallStatus;
use crate::model::scorecard::Answer;

pub fn draw(app: &mut CallqaApp, ui: &mut egui::Ui) {
    ui.add_space(4.0);
    ui.heading("Scorecard");
    reviewer(app, ui);
    ui.separator();
    let Some(call) = app.call.clone() else {
        ui.label(RichText::new("Open a call to score it.").weak());
        return;
    };
    if let Some(e) = &call.error {
        ui.label(RichText::new("This file cannot be opened, so it cannot be scored.").weak());
        ui.label(RichText::new(e).small().color(theme::ERROR));
        return;
    }
    let review = app.review.clone();
    // Score and buttons stay in view below the scrolling checklist.
    if let Some(review) = &review {
        egui::Panel::bottom("score_footer").show(ui, |ui| footer(app, review, ui));
    }
    egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
        facts(app, call.analysis.as_deref(), ui);
        others(app, ui);
        ui.separator();
        let Some(review) = review else {
            if app.reviewer().is_some() {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Loading the review…");
                });
            }
            return;
        };
        items(app, &review, call.analysis.as_deref(), ui);
    });
}

fn reviewer(app: &mut CallqaApp, ui: &mut egui::Ui) {
    let first_run = app.prefs.reviewer.trim().is_empty() && app.team_login.is_none();
    let editing = first_run || app.editing_reviewer;
    ui.horizontal(|ui| {
        ui.label("Reviewer:");
        if editing {
            // The name being typed is the field's own value; it is applied by Save name.
            let r = ui.add(
                egui::TextEdit::singleline(&mut app.reviewer_draft)
                    .id(egui::Id::unique("callqa-reviewer-name"))
                    .hint_text(if first_run { "your name" } else { app.prefs.reviewer.trim() })
                    .desired_width(160.0),
            );
            let enter = super::owns_keyboard(app, ui, &r);
            let typed = !app.reviewer_draft.trim().is_empty();
            if ui.add_enabled(typed, egui::Button::new("Save name")).clicked() || (enter && typed) {
                app.push(Command::SetReviewer(app.reviewer_draft.clone()));
            }
            if !first_run && ui.button("Cancel").on_hover_text("Keep the name (Esc)").clicked() {
                app.push(Command::CancelEditReviewer);
            }
        } else {
            ui.label(RichText::new(app.prefs.reviewer.trim()).strong());
            if app.team_login.is_some() {
                ui.label(RichText::new("(team store login)").small())
                    .on_hover_text(format!("Reviews are saved in the team store {}", app.store_place));
            } else if ui.small_button("change").clicked() {
                app.push(Command::EditReviewer);
            }
        }
    });
    if app.outbox_waiting > 0 {
        ui.label(
            RichText::new(format!(
                "{} change(s) wait in the outbox for the team store (sent when it is back)",
                app.outbox_waiting
            ))
            .color(theme::STATUS_DRAFT),
        );
    }
    if editing {
        let hint = if first_run {
            "Enter your name once; it is remembered. Answers need it."
        } else {
            "Type the new name and press Save name (Esc keeps the old one). Answers wait until then."
        };
        ui.label(RichText::new(hint).color(theme::STATUS_DRAFT));
    }
}

fn facts(app: &mut CallqaApp, analysis: Option<&crate::analysis::Analysis>, ui: &mut egui::Ui) {
    ui.label(RichText::new("Call facts").strong());
    match analysis {
        None => {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Analysing…");
            });
        }
        Some(a) => {
            for e in evidence::call_facts(a) {
                evidence_line(app, ui, &e);
            }
        }
    }
}

/// One evidence line: its text and a link per time (click seeks there).
fn evidence_line(app: &mut CallqaApp, ui: &mut egui::Ui, e: &Evidence) {
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 3.0;
        ui.label(RichText::new(&e.text).small());
        // A 1-hour call can have hundreds of events: link the first ones, count the rest.
        const MAX_LINKS: usize = 40;
        for (i, &t) in e.times_s.iter().enumerate().take(MAX_LINKS) {
            if i > 0 {
                ui.label(RichText::new(",").small());
            }
            if ui.link(RichText::new(secs(t)).small()).on_hover_text(format!("Go to {}", clock(t))).clicked()
            {
                app.push(Command::Seek(t));
            }
        }
        if e.times_s.len() > MAX_LINKS {
            ui.label(RichText::new(format!("… and {} more", e.times_s.len() - MAX_LINKS)).small());
        }
    });
}

fn items(
    app: &mut CallqaApp,
    review: &Review,
    analysis: Option<&crate::analysis::Analysis>,
    ui: &mut egui::Ui,
) {
    let locked = review.locked()
        || app.reviewer().is_none()
        || !app.call.as_ref().is_some_and(crate::app::OpenCall::scorable);
    let mut n = 0usize;
    for section in &review.scorecard.sections {
        ui.label(RichText::new(&section.title).heading().size(16.0));
        for item in &section.items {
            let idx = n;
            n += 1;
            let Some(ans) = review.answers.iter().find(|a| a.key == item.key) else { continue };
            let selected = review.selected == Some(idx);
            let frame = egui::Frame::group(ui.style()).stroke(if selected {
                egui::Stroke::new(1.5, ui.visuals().selection.stroke.color)
            } else {
                ui.visuals().widgets.noninteractive.bg_stroke
            });
            frame.show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.horizontal_wrapped(|ui| {
                    let title = RichText::new(format!("{}. {}", idx + 1, item.title)).strong();
                    if ui
                        .selectable_label(selected, title)
                        .on_hover_text(format!("Select ({})", idx + 1))
                        .clicked()
                    {
                        app.push(Command::SelectItem(idx));
                    }
                    if !item.title_hi.is_empty() {
                        ui.label(RichText::new(&item.title_hi).weak());
                    }
                    if item.critical {
                        ui.label(RichText::new("critical").small().color(theme::ERROR));
                    }
                    ui.label(RichText::new(format!("weight {}", item.weight)).small().weak());
                });
                if !item.description.is_empty() {
                    ui.label(RichText::new(&item.description).small());
                }
                if !item.description_hi.is_empty() {
                    ui.label(RichText::new(&item.description_hi).small().weak());
                }
                if let Some(a) = analysis {
                    for e in evidence::for_item(&item.key, a) {
                        evidence_line(app, ui, &e);
                    }
                }
                let words = app
                    .call
                    .as_ref()
                    .map(|c| evidence::for_item_words(&item.key, &c.phrases, c.transcript.is_some()));
                for e in words.unwrap_or_default() {
                    evidence_line(app, ui, &e);
                }
                ui.add_enabled_ui(!locked, |ui| {
                    ui.horizontal(|ui| {
                        for (label, answer, color) in [
                            ("Yes", Answer::Yes, theme::ANSWER_YES),
                            ("No", Answer::No, theme::ANSWER_NO),
                            ("N.A.", Answer::NotApplicable, theme::ANSWER_NA),
                        ] {
                            let on = ans.answer == Some(answer);
                            let text = if on {
                                RichText::new(label).color(egui::Color32::WHITE)
                            } else {
                                RichText::new(label)
                            };
                            let button = egui::Button::selectable(on, text).fill(if on {
                                color
                            } else {
                                egui::Color32::TRANSPARENT
                            });
                            if ui.add(button).clicked() {
                                let answer = if on { None } else { Some(answer) };
                                // The mouse stamps like the keyboard: the playhead is evidence for a yes
                                // or a no (never for N.A.; not at an unplayed 0:00.0).
                                app.push(Command::SetAnswer { key: item.key.clone(), answer, stamp: true });
                            }
                        }
                        let t = app.playhead_s();
                        let na = ans.answer == Some(Answer::NotApplicable);
                        if ui
                            .add_enabled(!na, egui::Button::new(format!("Stamp {}", clock(t))))
                            .on_hover_text("Add the playhead time to this item's evidence")
                            .on_disabled_hover_text("An item answered N.A. takes no evidence")
                            .clicked()
                        {
                            app.push(Command::StampPlayhead { key: item.key.clone() });
                        }
                    });
                    let mut text = ans.comment.clone();
                    let id = Id::unique(("callqa-comment", item.key.as_str()));
                    let r = ui.add(
                        egui::TextEdit::multiline(&mut text)
                            .id(id)
                            .desired_rows(2)
                            .desired_width(f32::INFINITY)
                            .hint_text(format!("Comment on “{}”", item.title)),
                    );
                    if app.focus_comment.as_deref() == Some(item.key.as_str()) {
                        r.request_focus();
                        app.focus_comment = None;
                    }
                    if r.changed() {
                        app.push(Command::SetComment { key: item.key.clone(), text });
                    }
                    if !ans.evidence_s.is_empty() {
                        marked(app, ui, &item.key, &ans.evidence_s);
                    }
                });
            });
        }
    }
}

/// The item's evidence times: each a link that seeks, with × to take it off.
fn marked(app: &mut CallqaApp, ui: &mut egui::Ui, key: &str, times: &[f64]) {
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 3.0;
        ui.label(RichText::new("Evidence:").small());
        for &t in times {
            if ui.link(RichText::new(clock(t)).small()).on_hover_text(format!("Go to {}", clock(t))).clicked()
            {
                app.push(Command::Seek(t));
            }
            if ui.small_button("×").on_hover_text(format!("Remove {} from the evidence", clock(t))).clicked()
            {
                app.push(Command::Unstamp { key: key.to_string(), time_s: t });
            }
        }
    });
}

/// Other reviewers' latest reviews of this call (read-only).
fn others(app: &mut CallqaApp, ui: &mut egui::Ui) {
    if let Some((_, name)) = app.session.clone() {
        egui::Frame::new().fill(theme::BANNER_BG).inner_margin(6.0).corner_radius(4.0).show(ui, |ui| {
            ui.label(
                RichText::new(format!("Calibration session “{name}”")).strong().color(theme::BANNER_TEXT),
            );
            let hidden = app.call.as_ref().map_or(0, |c| c.hidden_others);
            let submitted = app.review.as_ref().is_some_and(|r| r.submitted());
            let text = if hidden > 0 {
                format!("Blind: {hidden} other review(s) hidden until you submit yours.")
            } else if submitted {
                "Submitted: the other reviewers' answers are shown. This review counts only in the session."
                    .to_string()
            } else {
                "Blind until you submit; this review counts only in the session.".to_string()
            };
            ui.label(RichText::new(text).small().color(theme::BANNER_TEXT));
            ui.horizontal(|ui| {
                if ui.small_button("Sessions…").clicked() {
                    app.push(Command::ShowCalibration);
                }
                if ui
                    .small_button("Leave session")
                    .on_hover_text("Back to your ordinary review of this call")
                    .clicked()
                {
                    app.push(Command::LeaveSession);
                }
            });
        });
    }
    let Some(call) = &app.call else { return };
    if call.others.is_empty() {
        return;
    }
    egui::CollapsingHeader::new(format!("Other reviews of this call ({})", call.others.len()))
        .id_salt("callqa-other-reviews")
        .show(ui, |ui| {
            for (r, card) in &call.others {
                let state = match r.status {
                    crate::model::scorecard::ReviewStatus::Submitted => "submitted",
                    crate::model::scorecard::ReviewStatus::Draft => "draft",
                };
                ui.label(RichText::new(format!("{} · {state} · {}", r.reviewer, r.score.summary())).strong());
                for item in card.items() {
                    let Some(a) = r.answers.iter().find(|a| a.key == item.key) else { continue };
                    let answer = a.answer.map_or("–", |x| match x {
                        Answer::Yes => "Yes",
                        Answer::No => "No",
                        Answer::NotApplicable => "N.A.",
                    });
                    let mut line = format!("{}: {answer}", item.title);
                    if !a.comment.is_empty() {
                        line.push_str(&format!(" — {}", a.comment));
                    }
                    ui.label(RichText::new(line).small());
                }
                ui.add_space(4.0);
            }
        });
}

fn footer(app: &mut CallqaApp, review: &Review, ui: &mut egui::Ui) {
    score(review, ui);
    let status = match &review.status {
        CallStatus::NotReviewed => "Not saved yet".to_string(),
        CallStatus::Draft { by } => format!("Draft by {by}"),
        CallStatus::Submitted { by } if review.amending() => format!("Submitted by {by} · amending"),
        CallStatus::Submitted { by } => format!("Submitted by {by}"),
    };
    let (dirty, bad) = match (&review.save_error, review.dirty, review.save_in_flight()) {
        (Some((e, _)), true, _) => (format!(" · NOT SAVED: {e}"), true),
        (_, true, true) | (_, false, true) => (" · saving…".to_string(), false),
        (_, true, false) if review.amending() => {
            (" · unsaved amendment: Save amendment (a reason is asked) or Cancel".to_string(), false)
        }
        (_, true, false) => (" · unsaved changes (autosaved in a moment)".to_string(), false),
        (_, false, false) => (String::new(), false),
    };
    let color = if bad { theme::ERROR } else { ui.visuals().text_color() };
    ui.label(RichText::new(format!("{status}{dirty}")).small().color(color));
    let waiting = app.unsaved.len();
    if waiting > 0 {
        ui.label(
            RichText::new(format!("{waiting} review(s) of other calls not saved yet (retrying)"))
                .small()
                .color(theme::ERROR),
        );
    }
    ui.horizontal_wrapped(|ui| {
        let locked = review.locked();
        if review.amending() {
            let hint =
                if review.complete() { "Ctrl+S; a reason is asked" } else { "Answer every item first" };
            let can_save = review.complete() && review.dirty;
            if ui.add_enabled(can_save, egui::Button::new("Save amendment")).on_hover_text(hint).clicked() {
                app.push(Command::AskAmendReason);
            }
            if ui.button("Cancel amendment").on_hover_text("Put the submitted answers back").clicked() {
                app.push(Command::CancelAmend);
            }
        } else if locked && review.session.is_some() {
            ui.label(RichText::new("Final: a calibration review is not changed").small().weak());
        } else if locked {
            if ui
                .button("Amend")
                .on_hover_text("Change this submitted review; every change is kept in the audit log")
                .clicked()
            {
                app.push(Command::Amend);
            }
        } else if ui.button("Save draft").on_hover_text("Ctrl+S").clicked() {
            app.push(Command::SaveDraft);
        }
        let can_submit = !review.submitted() && review.complete();
        let hint = if review.complete() { "Ctrl+Enter" } else { "Answer every item first" };
        if ui.add_enabled(can_submit, egui::Button::new("Submit")).on_hover_text(hint).clicked() {
            app.push(Command::Submit);
        }
        if ui.button("Next unreviewed →").clicked() {
            app.push(Command::NextUnreviewed);
        }
    });
}

fn score(review: &Review, ui: &mut egui::Ui) {
    match crate::app::review::score_text(review) {
        Some((headline, formula)) => {
            ui.label(RichText::new(headline).heading());
            ui.label(RichText::new(formula).small().weak());
        }
        None => {
            ui.label(RichText::new("Score: –").heading());
        }
    }
}
