//! Keyboard shortcuts and dropped files → [`Command`]s. The same commands the buttons push.
//!
//! `N` answers "No" on the selected item, so the issue's "N / Shift+N jump to the next /
//! previous event" moved to `J` / `Shift+J` (also `.` / `,`). Shortcuts without Ctrl are off
//! while a text field has the keyboard (typing a comment or a name).

use egui::{Key, Modifiers};

use super::{CallqaApp, Command};
use crate::model::scorecard::Answer;

/// (keys, what they do), for the `?` window and the README.
pub const SHORTCUTS: &[(&str, &str)] = &[
    ("Space", "play / pause"),
    ("← / →", "back / forward 5 s (Shift: 1 s)"),
    ("Home / End", "start / end of the call"),
    ("J / Shift+J  (. / ,)", "next / previous overtalk, dead air or hold (2 s pre-roll)"),
    ("[ / ]", "slower / faster"),
    ("S", "skip silence and hold on / off"),
    ("+ / − / F", "zoom in / out / fit the whole call"),
    ("1 – 9", "select checklist item"),
    ("Y / N / A", "answer yes / no / N.A. and stamp the playhead as evidence"),
    ("C", "comment on the selected item"),
    ("Ctrl+S", "save draft"),
    ("Ctrl+Enter", "submit"),
    ("Ctrl+O", "open files"),
    ("Ctrl+Shift+N", "next unreviewed call"),
    ("?", "show these shortcuts"),
    ("Esc", "close this window / leave a text field"),
];

/// Reads this frame's keys and drops into commands on the app's queue.
pub(super) fn collect(app: &mut CallqaApp, ctx: &egui::Context) {
    let dropped: Vec<std::path::PathBuf> = ctx.input(|i| {
        i.raw
            .dropped_files
            .iter()
            .map(|f| f.path().to_path_buf())
            .filter(|p| !p.as_os_str().is_empty())
            .collect()
    });
    if !dropped.is_empty() {
        app.queue.push(Command::Open(dropped));
    }

    let typing = ctx.egui_wants_keyboard_input();
    let selected_key = app.review.as_ref().and_then(|r| r.selected.and_then(|i| r.key_at(i)));
    let mut out = Vec::new();
    ctx.input_mut(|i| {
        // With Ctrl: work while typing too. Most specific first.
        if i.consume_key(Modifiers::COMMAND | Modifiers::SHIFT, Key::N) {
            out.push(Command::NextUnreviewed);
        }
        if i.consume_key(Modifiers::COMMAND, Key::S) {
            out.push(Command::SaveDraft);
        }
        if i.consume_key(Modifiers::COMMAND, Key::Enter) {
            out.push(Command::Submit);
        }
        if i.consume_key(Modifiers::COMMAND, Key::O) {
            out.push(Command::OpenFilesDialog);
        }
        if typing {
            return;
        }
        if i.consume_key(Modifiers::NONE, Key::Space) {
            out.push(Command::TogglePlay);
        }
        for (key, secs) in [(Key::ArrowLeft, -1.0), (Key::ArrowRight, 1.0)] {
            if i.consume_key(Modifiers::SHIFT, key) {
                out.push(Command::SeekBy(secs));
            } else if i.consume_key(Modifiers::NONE, key) {
                out.push(Command::SeekBy(secs * 5.0));
            }
        }
        if i.consume_key(Modifiers::NONE, Key::Home) {
            out.push(Command::SeekStart);
        }
        if i.consume_key(Modifiers::NONE, Key::End) {
            out.push(Command::SeekEnd);
        }
        if i.consume_key(Modifiers::SHIFT, Key::J) || i.consume_key(Modifiers::NONE, Key::Comma) {
            out.push(Command::JumpEvent(-1));
        } else if i.consume_key(Modifiers::NONE, Key::J) || i.consume_key(Modifiers::NONE, Key::Period) {
            out.push(Command::JumpEvent(1));
        }
        if i.consume_key(Modifiers::NONE, Key::OpenBracket) {
            out.push(Command::SpeedStep(-1));
        }
        if i.consume_key(Modifiers::NONE, Key::CloseBracket) {
            out.push(Command::SpeedStep(1));
        }
        if i.consume_key(Modifiers::NONE, Key::S) {
            out.push(Command::SetSkipSilence(!app.prefs.skip_silence));
        }
        if i.consume_key(Modifiers::NONE, Key::Plus) || i.consume_key(Modifiers::NONE, Key::Equals) {
            out.push(Command::Zoom { factor: 2.0, anchor_s: None });
        }
        if i.consume_key(Modifiers::NONE, Key::Minus) {
            out.push(Command::Zoom { factor: 0.5, anchor_s: None });
        }
        if i.consume_key(Modifiers::NONE, Key::F) {
            out.push(Command::FitWhole);
        }
        let digits = [
            Key::Num1,
            Key::Num2,
            Key::Num3,
            Key::Num4,
            Key::Num5,
            Key::Num6,
            Key::Num7,
            Key::Num8,
            Key::Num9,
        ];
        for (n, k) in digits.into_iter().enumerate() {
            if i.consume_key(Modifiers::NONE, k) {
                out.push(Command::SelectItem(n));
            }
        }
        if let Some(key) = &selected_key {
            for (k, answer) in [(Key::Y, Answer::Yes), (Key::N, Answer::No), (Key::A, Answer::NotApplicable)]
            {
                if i.consume_key(Modifiers::NONE, k) {
                    out.push(Command::SetAnswer { key: key.clone(), answer: Some(answer), stamp: true });
                }
            }
            if i.consume_key(Modifiers::NONE, Key::C) {
                out.push(Command::FocusComment);
            }
        }
        if i.consume_key(Modifiers::NONE, Key::Questionmark) {
            out.push(Command::ShowShortcuts(!app.show_shortcuts));
        }
        if i.consume_key(Modifiers::NONE, Key::Escape) && app.show_shortcuts {
            out.push(Command::ShowShortcuts(false));
        }
    });
    app.queue.extend(out);
}
