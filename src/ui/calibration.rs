//! Review → Calibration…: the sessions window (each session's calls with the asker's status
//! and "Score blind", its figures once the asker may see them, with the evidence the
//! reviewers stamped beside each item they disagree on: a click opens the call there) and the
//! New session… form a lead makes a session with. Everything shown comes from the store
//! thread (`StoreRequest::Sessions`, `KnownReviewers`); buttons push commands.

use egui::RichText;

use crate::app::calibration::SessionForm;
use crate::app::{CallqaApp, Command};
use crate::jobs::store_worker::SessionRow;
use crate::model::clock;

pub fn draw(app: &mut CallqaApp, ctx: &egui::Context) {
    sessions(app, ctx);
    new_session(app, ctx);
}

/// Review → Calibration: the sessions, the asker's first. Per call the asker's status and
/// "Score blind"; the figures (agreement and Fleiss' kappa per item, each reviewer's offset,
/// the calls' scores and disagreements) once the asker has submitted every call of the
/// session, or at once for a session they do not score (a lead).
fn sessions(app: &mut CallqaApp, ctx: &egui::Context) {
    let Some(state) = app.sessions.take() else { return };
    let mut open = true;
    egui::Window::new("Calibration sessions")
        .collapsible(false)
        .default_pos([24.0, 96.0])
        .open(&mut open)
        .show(ctx, |ui| {
            let forming = app.session_form.is_some();
            if ui
                .add_enabled(!forming, egui::Button::new("New session…"))
                .on_hover_text("Pick calls and reviewers for a blind calibration session (you are its lead)")
                .clicked()
            {
                app.push(Command::ShowNewSession(true));
            }
            let Some(list) = &state else {
                ui.label("Loading…");
                return;
            };
            if list.is_empty() {
                ui.label(
                    "No calibration sessions yet. Make one with New session… (or: callqa calibration create NAME --calls FILE… --reviewers a,b,c).",
                );
                return;
            }
            egui::ScrollArea::vertical().max_height(520.0).show(ui, |ui| {
                for s in list {
                    session(app, ui, s);
                    ui.separator();
                }
            });
        });
    app.sessions = Some(state);
    if !open {
        app.push(Command::HideCalibration);
    }
}

fn session(app: &mut CallqaApp, ui: &mut egui::Ui, s: &SessionRow) {
    use crate::jobs::store_worker::CallStatus;
    ui.label(RichText::new(&s.name).strong());
    ui.label(
        RichText::new(format!("by {} · reviewers: {}", s.created_by, s.reviewers.join(", "))).small().weak(),
    );
    let n = s.reviewers.len();
    for c in &s.calls {
        ui.horizontal(|ui| {
            ui.label(&c.file_name);
            ui.label(RichText::new(format!("{} of {n} submitted", c.submitted)).small().weak());
            if s.mine {
                let (text, colour) = match &c.status {
                    CallStatus::NotReviewed => ("to score", crate::ui::theme::STATUS_NONE),
                    CallStatus::Draft { .. } => ("your draft", crate::ui::theme::STATUS_DRAFT),
                    CallStatus::Submitted { .. } => ("you submitted", crate::ui::theme::STATUS_SUBMITTED),
                };
                ui.label(RichText::new(text).small().color(colour));
                match &c.path {
                    Some(path) => {
                        let label = if matches!(c.status, CallStatus::Submitted { .. }) {
                            "Open"
                        } else {
                            "Score blind"
                        };
                        if ui
                            .small_button(label)
                            .on_hover_text(format!("{label}: {} in “{}”", c.file_name, s.name))
                            .clicked()
                        {
                            app.push(Command::OpenSessionCall {
                                session: s.id,
                                name: s.name.clone(),
                                path: path.clone(),
                            });
                        }
                    }
                    None => {
                        ui.label(RichText::new("file missing").small().color(crate::ui::theme::ERROR));
                    }
                }
            }
        });
    }
    match &s.figures {
        None => {
            ui.label(
                RichText::new("The session's figures show once you have submitted every call (blind).")
                    .small()
                    .weak(),
            );
        }
        Some(f) => {
            egui::CollapsingHeader::new(format!("Figures of “{}”", s.name))
                .id_salt(("session-figures", s.id))
                .show(ui, |ui| {
                    figures(app, ui, s, f);
                });
        }
    }
}

fn figures(
    app: &mut CallqaApp,
    ui: &mut egui::Ui,
    s: &SessionRow,
    f: &crate::model::calibration::Calibration,
) {
    if f.calls.is_empty() {
        ui.label(RichText::new("No call has two submitted reviews yet.").small().weak());
        return;
    }
    ui.label(RichText::new("Per item: every reviewer agreed on … of the calls; Fleiss' kappa").small());
    egui::Grid::new(ui.scope_id().with("items")).striped(true).show(ui, |ui| {
        for i in &f.items {
            ui.label(&i.item);
            ui.label(format!("{} of {}", i.agreed, i.calls));
            ui.label(i.fleiss_kappa.map_or("κ –".to_string(), |k| format!("κ {k:.2}")));
            ui.end_row();
        }
    });
    ui.label(RichText::new("Per reviewer: points above (lenient) or below (strict) the others").small());
    egui::Grid::new(ui.scope_id().with("reviewers")).striped(true).show(ui, |ui| {
        for r in &f.reviewers {
            ui.label(&r.reviewer);
            ui.label(r.mean_offset.map_or("–".to_string(), |o| format!("{o:+.1}")));
            ui.end_row();
        }
    });
    for c in &f.calls {
        let scores: Vec<String> = c
            .scores
            .iter()
            .map(|(r, s)| format!("{r} {}", s.map_or("-".to_string(), |p| format!("{p:.0}"))))
            .collect();
        ui.label(RichText::new(format!("{}: {}", c.name, scores.join(", "))).small());
        // The figures name a call by its content hash; the session's list has its path.
        let path = s.calls.iter().find(|x| x.hash == c.call).and_then(|x| x.path.as_ref());
        for d in &c.disagreements {
            ui.horizontal_wrapped(|ui| {
                let answers: Vec<String> = d.answers.iter().map(|(r, a)| format!("{r} {a}")).collect();
                ui.label(RichText::new(format!("    {}: {}", d.item, answers.join(", "))).small().weak());
                for (reviewer, t) in &d.evidence {
                    let text = format!("{reviewer} {}", clock(*t));
                    match path {
                        Some(path) => {
                            let hover = format!("Open {} at {} ({reviewer}'s evidence)", c.name, clock(*t));
                            if ui.link(RichText::new(&text).small()).on_hover_text(hover).clicked() {
                                // Opens the call (if it is not the open one) with the playhead
                                // on the stamp, marked.
                                app.push(Command::GoToClip { path: path.clone(), start_s: *t, end_s: *t });
                            }
                        }
                        None => {
                            ui.label(RichText::new(text).small().weak())
                                .on_hover_text("The call's file is not at any known path");
                        }
                    }
                }
            });
        }
    }
}

/// A text field with a label in front (the label names the field for screen readers and tests).
fn labelled(ui: &mut egui::Ui, label: &str, text: &mut String, width: f32, hint: &str) -> egui::Response {
    let l = ui.label(label);
    ui.add(egui::TextEdit::singleline(text).desired_width(width).hint_text(hint)).labelled_by(l.id)
}

/// Review → Calibration → New session…: name, calls, reviewers; Create or Cancel (Esc).
fn new_session(app: &mut CallqaApp, ctx: &egui::Context) {
    // Taken while drawing (not copied each frame), put back after; the buttons' commands are
    // applied next frame.
    let Some(mut form) = app.session_form.take() else { return };
    let mut open = true;
    egui::Window::new("New calibration session")
        .collapsible(false)
        .pivot(egui::Align2::CENTER_CENTER)
        .default_pos(ctx.content_rect().center())
        .open(&mut open)
        .show(ctx, |ui| new_session_body(app, ui, &mut form));
    if app.session_form.is_none() {
        app.session_form = Some(form);
    }
    if !open {
        app.push(Command::ShowNewSession(false));
    }
}

fn new_session_body(app: &mut CallqaApp, ui: &mut egui::Ui, form: &mut SessionForm) {
    let lead = app.reviewer().unwrap_or("(enter your name first)").to_string();
    ui.label(
        RichText::new(format!(
            "Each reviewer scores every call blind; the figures show once they have submitted. Lead: {lead}."
        ))
        .weak()
        .small(),
    );
    ui.horizontal(|ui| {
        let r = labelled(ui, "Session name", &mut form.name, 260.0, "e.g. June – disputes");
        if app.focus_field {
            r.request_focus();
            app.focus_field = false;
        }
    });
    ui.add_space(4.0);
    let picked = form.calls.iter().filter(|c| c.picked).count();
    ui.horizontal(|ui| {
        ui.label(RichText::new(format!("Calls ({picked} of {} ticked)", form.calls.len())).strong());
        if ui.small_button("All").clicked() {
            form.calls.iter_mut().for_each(|c| c.picked = true);
        }
        if ui.small_button("None").clicked() {
            form.calls.iter_mut().for_each(|c| c.picked = false);
        }
    });
    ui.label(
        RichText::new(
            "The calls the call list shows (its filters apply: narrow it first, then open this form).",
        )
        .weak()
        .small(),
    );
    if form.calls.is_empty() {
        ui.label(
            RichText::new("The call list shows no call the database knows.").color(crate::ui::theme::ERROR),
        );
    }
    egui::ScrollArea::vertical().id_salt("session_form_calls").max_height(220.0).show(ui, |ui| {
        for c in &mut form.calls {
            ui.horizontal(|ui| {
                ui.checkbox(&mut c.picked, &c.name);
                let mut facts = Vec::new();
                if !c.agent.is_empty() {
                    facts.push(c.agent.clone());
                }
                if let Some(d) = c.duration_s {
                    facts.push(clock(d));
                }
                ui.label(RichText::new(facts.join(" · ")).weak().small());
            });
        }
    });
    ui.add_space(4.0);
    let ticked = form.reviewers.iter().filter(|r| r.1).count();
    ui.label(RichText::new(format!("Reviewers ({ticked} ticked; two or more)")).strong());
    if !form.reviewers_loaded {
        ui.spinner();
    } else if form.reviewers.is_empty() {
        ui.label(RichText::new("No reviewer names in the database yet: add them below.").weak().small());
    }
    ui.horizontal_wrapped(|ui| {
        for (name, on) in &mut form.reviewers {
            ui.checkbox(on, name.as_str());
        }
    });
    ui.horizontal(|ui| {
        let r = labelled(ui, "Add a reviewer", &mut form.new_reviewer, 180.0, "name");
        let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button("Add").clicked() || enter {
            app.push(Command::AddSessionReviewer);
        }
    });
    if let Some(p) = &form.problem {
        ui.label(RichText::new(p).color(crate::ui::theme::ERROR));
    }
    ui.horizontal(|ui| {
        if ui.add_enabled(!form.waiting, egui::Button::new("Create session")).clicked() {
            app.push(Command::CreateSession);
        }
        if ui.button("Cancel").on_hover_text("Esc").clicked() {
            app.push(Command::ShowNewSession(false));
        }
        if form.waiting {
            ui.spinner();
        }
    });
}
