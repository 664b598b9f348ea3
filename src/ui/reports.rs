//! The Reports window (Review → Reports): per agent the average score (a bar chart, drawn
//! with `egui_plot`) and pass rate per item, per item the fail rate, per reviewer the reviews
//! done and the offset from the other reviewers of the same calls; filters; an agent's calls
//! (click one to open it); every table to CSV.

use egui::RichText;

use crate::app::reports::{ReportTable, fail_rate};
use crate::app::{CallqaApp, Command};

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |p| format!("{:.0} %", p * 100.0))
}

fn score(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |p| format!("{p:.1}"))
}

pub fn draw(app: &mut CallqaApp, ctx: &egui::Context) {
    // Taken while drawing (the figures are not copied each frame), put back after.
    let Some(mut view) = app.reports.take() else { return };
    let mut open = true;
    // Opens below the menu and the banner, so what the filters or an export say stays in view.
    egui::Window::new("Reports").default_width(900.0).default_pos([24.0, 96.0]).open(&mut open).show(ctx, |ui| {
        ui.horizontal_wrapped(|ui| {
            let l = ui.label("From");
            ui.add(egui::TextEdit::singleline(&mut view.from).desired_width(90.0).hint_text("YYYY-MM-DD"))
                .labelled_by(l.id);
            let l = ui.label("To");
            ui.add(egui::TextEdit::singleline(&mut view.to).desired_width(90.0).hint_text("YYYY-MM-DD"))
                .labelled_by(l.id);
            let (agents, queues, teams) = match &view.data {
                Some(Ok(d)) => (d.agents.clone(), d.queues.clone(), d.teams.clone()),
                _ => (Vec::new(), Vec::new(), Vec::new()),
            };
            egui::ComboBox::new("report_agent", "Agent")
                .selected_text(view.agent.clone().unwrap_or_else(|| "All".into()))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut view.agent, None, "All");
                    for a in agents {
                        ui.selectable_value(&mut view.agent, Some(a.clone()), a);
                    }
                });
            egui::ComboBox::new("report_queue", "Queue")
                .selected_text(view.queue.clone().unwrap_or_else(|| "All calls".into()))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut view.queue, None, "All calls");
                    for q in queues {
                        ui.selectable_value(&mut view.queue, Some(q.clone()), q);
                    }
                });
            egui::ComboBox::new("report_team", "Team")
                .selected_text(view.team.clone().unwrap_or_else(|| "All teams".into()))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut view.team, None, "All teams");
                    for t in teams {
                        ui.selectable_value(&mut view.team, Some(t.clone()), t);
                    }
                });
            if ui.button("Apply").on_hover_text("Compute the report with these filters").clicked() {
                app.push(Command::LoadReport);
            }
            if view.waiting {
                ui.spinner();
            }
        });
        ui.horizontal_wrapped(|ui| {
            let l = ui.label("CSV folder");
            ui.add(egui::TextEdit::singleline(&mut view.csv_dir).desired_width(260.0).hint_text("/path/to/folder"))
                .labelled_by(l.id);
            for t in [ReportTable::Agents, ReportTable::Items, ReportTable::Reviewers, ReportTable::Calls] {
                let enabled = t != ReportTable::Calls || view.selected_agent.is_some();
                if ui.add_enabled(enabled, egui::Button::new(format!("Export {} CSV", t.label()))).clicked() {
                    app.push(Command::ExportReport(t));
                }
            }
        });
        ui.separator();
        let data = match &view.data {
            None => {
                ui.label(RichText::new("Computing…").weak());
                return;
            }
            Some(Err(e)) => {
                ui.label(RichText::new(e.as_str()).color(crate::ui::theme::ERROR));
                return;
            }
            Some(Ok(d)) => d,
        };
        let shown = data.filter.clone();
        ui.label(
            RichText::new(format!(
                "{} submitted review(s){}{}{}{}",
                data.by_agent.overall.reviews,
                match (&shown.from, &shown.to) {
                    (None, None) => String::new(),
                    (f, t) => format!(" · recorded {} to {}", f.as_deref().unwrap_or("…"), t.as_deref().unwrap_or("…")),
                },
                shown.agent.as_ref().map(|a| format!(" · agent {a}")).unwrap_or_default(),
                shown.queue.as_ref().map(|q| format!(" · queue {q}")).unwrap_or_default(),
                shown.team.as_ref().map(|t| format!(" · team {t}")).unwrap_or_default(),
            ))
            .weak(),
        );
        if data.by_agent.overall.reviews == 0 {
            ui.label("No submitted review matches these filters.");
            return;
        }
        egui::ScrollArea::vertical().max_height(520.0).show(ui, |ui| {
            ui.heading("Agents");
            if let Some(agent) = chart(ui, data) {
                app.push(Command::ReportAgent(Some(agent)));
            }
            let items = &data.by_agent.overall.items;
            // The team column when any call has a team.
            let with_teams = data.by_agent.groups.iter().any(|g| !g.teams.is_empty());
            egui::Grid::new("report_agents").striped(true).show(ui, |ui| {
                ui.label(RichText::new("Agent").strong());
                if with_teams {
                    ui.label(RichText::new("Teams").strong());
                }
                for h in ["Reviews", "Avg score", "Critical fails"] {
                    ui.label(RichText::new(h).strong());
                }
                for i in items {
                    ui.label(RichText::new(&i.key).strong()).on_hover_text(format!("{}: pass rate", i.title));
                }
                ui.end_row();
                for g in &data.by_agent.groups {
                    let on = view.selected_agent.as_ref() == Some(&g.group);
                    if ui.selectable_label(on, &g.group).on_hover_text("List this agent's calls").clicked() {
                        app.push(Command::ReportAgent((!on).then(|| g.group.clone())));
                    }
                    if with_teams {
                        ui.label(if g.teams.is_empty() { "-".to_string() } else { g.teams.join(", ") });
                    }
                    ui.label(g.reviews.to_string());
                    ui.label(score(g.avg_percent));
                    ui.label(pct(g.critical_fail_rate));
                    for i in items {
                        ui.label(pct(g.items.iter().find(|s| s.key == i.key).and_then(|s| s.pass_rate)));
                    }
                    ui.end_row();
                }
            });
            if let Some(agent) = &view.selected_agent {
                ui.add_space(6.0);
                ui.label(RichText::new(format!("Calls of {agent}")).strong());
                egui::Grid::new("report_calls").striped(true).show(ui, |ui| {
                    for c in data.calls.iter().filter(|c| &c.agent == agent) {
                        match &c.path {
                            Some(p) => {
                                if ui.link(&c.file_name).on_hover_text("Open this call").clicked() {
                                    app.push(Command::SelectCall(p.clone()));
                                }
                            }
                            None => {
                                ui.label(format!("{} (file missing)", c.file_name));
                            }
                        }
                        ui.label(c.recorded_at.clone().unwrap_or_default());
                        ui.label(&c.reviewer);
                        ui.label(score(c.percent));
                        ui.end_row();
                    }
                });
            }
            ui.add_space(8.0);
            ui.heading("Items");
            egui::Grid::new("report_items").striped(true).show(ui, |ui| {
                for h in ["Item", "Yes", "No", "N.A.", "Fail rate"] {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                for i in items {
                    ui.label(&i.title).on_hover_text(&i.key);
                    ui.label(i.yes.to_string());
                    ui.label(i.no.to_string());
                    ui.label(i.na.to_string());
                    ui.label(pct(fail_rate(i)));
                    ui.end_row();
                }
            });
            ui.add_space(8.0);
            ui.heading("Reviewers");
            egui::Grid::new("report_reviewers").striped(true).show(ui, |ui| {
                for h in ["Reviewer", "Reviews done", "Avg score", "Offset", "Review time"] {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                for g in &data.by_reviewer.groups {
                    let bias = data.offsets.iter().find(|b| b.reviewer == g.group);
                    ui.label(&g.group);
                    ui.label(g.reviews.to_string());
                    ui.label(score(g.avg_percent));
                    let offset = bias.and_then(|b| b.mean_offset).map_or_else(
                        || "-".to_string(),
                        |o| format!("{o:+.1} over {} call(s)", bias.map_or(0, |b| b.calls)),
                    );
                    ui.label(offset).on_hover_text(
                        "Mean of (this reviewer's score − the other reviewers' mean) over the calls they all scored",
                    );
                    ui.label(g.median_review_share.map_or_else(|| "-".to_string(), |s| format!("{s:.2}× the call")))
                        .on_hover_text(
                            "Median active review time (the call open in the window, focused) as a share of \
                             the call's length; reviews made on the command line have none",
                        );
                    ui.end_row();
                }
            });
            ui.add_space(8.0);
            ui.heading("Trend");
            trend(ui, data);
        });
    });
    if app.reports.is_none() {
        app.reports = Some(view);
    }
    if !open {
        app.push(Command::ShowReports(false));
    }
}

/// Average score per agent as bars (0–100); returns the agent whose bar was clicked.
fn chart(ui: &mut egui::Ui, data: &crate::jobs::store_worker::ReportData) -> Option<String> {
    use egui_plot::{Bar, BarChart, Plot};
    let groups = &data.by_agent.groups;
    let bars: Vec<Bar> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            Bar::new(i as f64, g.avg_percent.unwrap_or(0.0))
                .name(&g.group)
                .width(0.6)
                .fill(crate::ui::theme::STATUS_SUBMITTED)
        })
        .collect();
    let names: Vec<String> = groups.iter().map(|g| g.group.clone()).collect();
    let r = Plot::new("report_agent_chart")
        .height(150.0)
        .include_y(0.0)
        .include_y(100.0)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .x_axis_formatter(move |mark, _| {
            let i = mark.value.round();
            if (mark.value - i).abs() < 1e-6 && i >= 0.0 {
                names.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .show(ui, |p| p.bar_chart(BarChart::new("Average score", bars)));
    let n = groups.len();
    r.response.widget_info(|| {
        egui::WidgetInfo::labeled(egui::Role::Image, true, format!("Chart: average score of {n} agent(s)"))
    });
    // A click on (or right beside) a bar picks its agent.
    let pos = r
        .response
        .interact_pointer_pos()
        .or_else(|| r.response.hover_pos())
        .filter(|_| r.response.clicked())?;
    let x = r.transform.value_from_position(pos).x;
    let i = x.round();
    ((x - i).abs() <= 0.4 && i >= 0.0).then(|| groups.get(i as usize).map(|g| g.group.clone())).flatten()
}

/// Each agent's average score per week (of the calls' recording dates) as lines.
fn trend(ui: &mut egui::Ui, data: &crate::jobs::store_worker::ReportData) {
    use egui_plot::{Legend, Line, Plot, PlotPoints};
    let weeks: usize = data.trend.iter().map(|t| t.weeks.len()).sum();
    if weeks == 0 {
        ui.label(RichText::new("Weekly trend: no reviewed call has a recording date.").small().weak());
        return;
    }
    ui.label(RichText::new("Average score per week (of the calls' recording dates)").small());
    let r = Plot::new("report_trend_chart")
        .height(140.0)
        .include_y(0.0)
        .include_y(100.0)
        .legend(Legend::default())
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .x_axis_formatter(|mark, _| crate::model::report::date_of(mark.value.round() as i64))
        .show(ui, |p| {
            for t in &data.trend {
                let points: PlotPoints<'_> = t.weeks.iter().map(|w| [w.1 as f64, w.2]).collect();
                p.line(Line::new(format!("{} (weekly)", t.agent), points));
            }
        });
    let n = data.trend.len();
    r.response.widget_info(|| {
        egui::WidgetInfo::labeled(
            egui::Role::Image,
            true,
            format!("Chart: weekly average score of {n} agent(s)"),
        )
    });
}
