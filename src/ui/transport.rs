//! The transport bar: play / pause / stop, position, volume, mute or solo each side, speed,
//! skip-silence and auto-rewind.

use egui::RichText;

use crate::app::evidence::clock;
use crate::app::transport::SPEEDS;
use crate::app::{CallqaApp, Command};
use crate::model::Speaker;

pub fn draw(app: &mut CallqaApp, ui: &mut egui::Ui) {
    let has_call = app.call.is_some();
    let scorable = app.call.as_ref().is_some_and(crate::app::OpenCall::scorable);
    let stereo = app.call.as_ref().and_then(|c| c.channels).is_some_and(|n| n >= 2);
    let duration = app.call.as_ref().map_or(0.0, |c| c.view.duration_s);
    let playing = app.transport.is_playing();
    let can_play = has_call && app.transport.has_player();
    ui.add_space(4.0);
    ui.horizontal_wrapped(|ui| {
        let play_label = if playing { "Pause" } else { "▶ Play" };
        if ui.add_enabled(can_play, egui::Button::new(play_label)).on_hover_text("Space").clicked() {
            app.push(Command::TogglePlay);
        }
        if ui.add_enabled(can_play, egui::Button::new("■ Stop")).clicked() {
            app.push(Command::Stop);
        }
        if ui.add_enabled(has_call, egui::Button::new("Start")).on_hover_text("Start (Home)").clicked() {
            app.push(Command::SeekStart);
        }
        if ui.add_enabled(has_call, egui::Button::new("−5 s")).on_hover_text("←").clicked() {
            app.push(Command::SeekBy(-5.0));
        }
        if ui.add_enabled(has_call, egui::Button::new("+5 s")).on_hover_text("→").clicked() {
            app.push(Command::SeekBy(5.0));
        }
        if ui
            .add_enabled(scorable, egui::Button::new("Clip…"))
            .on_hover_text("Add the event under the playhead (or the 4 s just heard) to a coaching set")
            .on_disabled_hover_text("Only a call that opened with audio can be clipped")
            .clicked()
        {
            app.push(Command::ShowClipForm(true));
        }
        let pos = app.playhead_s();
        // One piece: the position never wraps in the middle.
        ui.add(
            egui::Label::new(
                RichText::new(format!("{} / {}", clock(pos), clock(duration))).monospace().size(16.0),
            )
            .wrap_mode(egui::TextWrapMode::Extend),
        );
        ui.separator();

        ui.spacing_mut().slider_width = 70.0;
        let mut vol = app.transport.volume;
        if ui.add(egui::Slider::new(&mut vol, 0.0..=2.0).show_value(false).text("Volume")).changed() {
            app.push(Command::SetVolume(vol));
        }
        // Sides exist only in a two-channel recording: "Agent: Mute Solo  Customer: Mute Solo"
        // (each button's accessible name says its side).
        for who in [Speaker::Agent, Speaker::Customer].into_iter().filter(|_| stereo) {
            let name = if who == Speaker::Agent { "Agent" } else { "Customer" };
            ui.label(RichText::new(format!("{name}:")).weak());
            let muted = app.transport.muted.get(who.channel()).copied().unwrap_or(false);
            let r = ui
                .selectable_label(muted, "Mute")
                .on_hover_text(format!("Mute the {} side", name.to_lowercase()));
            r.widget_info(|| {
                egui::WidgetInfo::selected(egui::Role::Button, true, muted, format!("Mute {name}"))
            });
            if r.clicked() {
                app.push(Command::SetMute(who, !muted));
            }
            let solo = app.transport.solo == Some(who);
            let r = ui
                .selectable_label(solo, "Solo")
                .on_hover_text(format!("Hear only the {} side", name.to_lowercase()));
            r.widget_info(|| {
                egui::WidgetInfo::selected(egui::Role::Button, true, solo, format!("Solo {name}"))
            });
            if r.clicked() {
                app.push(Command::Solo(if solo { None } else { Some(who) }));
            }
        }
        ui.separator();
        let speed = app.transport.speed;
        egui::ComboBox::new("speed", "Speed")
            .selected_text(format!("{speed:.2}×"))
            .width(70.0)
            .show_ui(ui, |ui| {
                for s in SPEEDS {
                    if ui.selectable_label((s - speed).abs() < 0.01, format!("{s:.2}×")).clicked() {
                        app.push(Command::SetSpeed(s));
                    }
                }
            })
            .response
            .on_hover_text("Speed ([ and ])");
        let mut skip = app.prefs.skip_silence;
        if ui
            .checkbox(&mut skip, "Skip silence")
            .on_hover_text("Skip dead air and hold while playing (S)")
            .changed()
        {
            app.push(Command::SetSkipSilence(skip));
        }
        let mut rewind = app.prefs.auto_rewind;
        if ui
            .checkbox(&mut rewind, "Auto-rewind")
            .on_hover_text("Step back 2 s when resuming after a long pause")
            .changed()
        {
            app.push(Command::SetAutoRewind(rewind));
        }
    });
    ui.add_space(4.0);
}
