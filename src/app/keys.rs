//! Keyboard shortcuts and dropped files → [`Command`]s. The same commands the buttons push.
//!
//! `N` answers "No" on the selected item, so the issue's "N / Shift+N jump to the next /
//! previous event" moved to `J` / `Shift+J` (also `.` / `,`).
//!
//! Keyboard ownership: while a text field has the keyboard (a comment), only Ctrl shortcuts
//! apply; while a dialog or the reviewer-name field is open, no shortcut applies at all, so
//! stray typing can never answer, stamp or toggle anything. `Esc` always closes the topmost
//! dialog or field, changing nothing.

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
    ("Ctrl+S", "save draft (while amending: save the amendment, a reason is asked)"),
    ("Ctrl+Z", "undo the last answer or evidence change of a draft"),
    ("Ctrl+Enter", "submit"),
    ("Ctrl+O", "open files"),
    ("Ctrl+Shift+N", "next unreviewed call"),
    ("?", "show these shortcuts"),
    ("Esc", "close the dialog, cancel \"change\" or leave a text field"),
];

/// What the key handler needs to know about the app.
struct KeyContext {
    /// A text field has the keyboard: only Ctrl shortcuts apply.
    typing: bool,
    /// A dialog or the reviewer-name field is open: no shortcut applies (Esc cancels).
    modal: bool,
    /// Something Esc would close (a dialog, the name field, the shortcut or clip lists).
    cancellable: bool,
    /// The selected checklist item (updated by `1`–`9` within the frame, so "2 N" answers item 2).
    selected: Option<usize>,
    items: Vec<String>,
    skip_silence: bool,
    shortcuts_shown: bool,
}

/// Reads this frame's keys (in the order they were pressed) and drops into commands on the
/// app's queue. Keys that became commands are taken out of the input, so widgets don't see them.
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
    let mut kc = KeyContext {
        typing: ctx.text_edit_focused(),
        modal: app.modal_open(),
        cancellable: app.modal_open()
            || app.show_shortcuts
            || app.clip_sets.is_some()
            || app.sessions.is_some()
            || app.reports.is_some(),
        selected: app.review.as_ref().and_then(|r| r.selected),
        items: app
            .review
            .as_ref()
            .map(|r| r.answers.iter().map(|a| a.key.clone()).collect())
            .unwrap_or_default(),
        skip_silence: app.prefs.skip_silence,
        shortcuts_shown: app.show_shortcuts,
    };
    let mut out = Vec::new();
    ctx.input_mut(|i| {
        i.events.retain(|ev| {
            let egui::Event::Key { key, pressed: true, modifiers, .. } = ev else { return true };
            match command_for(*key, *modifiers, &mut kc) {
                Some(c) => {
                    out.push(c);
                    false
                }
                None => true,
            }
        });
    });
    app.queue.extend(out);
}

/// The command a key press means, if any.
fn command_for(key: Key, m: Modifiers, kc: &mut KeyContext) -> Option<Command> {
    if key == Key::Escape && kc.cancellable {
        // One layer per press (a dialog over the list closes first).
        kc.cancellable = false;
        kc.shortcuts_shown = false;
        return Some(Command::Cancel);
    }
    if kc.modal {
        return None;
    }
    if m.command && !m.alt {
        return match key {
            Key::N if m.shift => Some(Command::NextUnreviewed),
            Key::S if !m.shift => Some(Command::SaveDraft),
            Key::Enter => Some(Command::Submit),
            Key::O if !m.shift => Some(Command::OpenFilesDialog),
            // In a text field Ctrl+Z is the field's own undo.
            Key::Z if !m.shift && !kc.typing => Some(Command::Undo),
            _ => None,
        };
    }
    if kc.typing || m.command || m.alt || m.ctrl {
        return None;
    }
    let shift = m.shift;
    let selected_key = || kc.selected.and_then(|i| kc.items.get(i).cloned());
    let answer = |a: Answer, key: Option<String>| {
        key.map(|key| Command::SetAnswer { key, answer: Some(a), stamp: true })
    };
    let digit =
        [Key::Num1, Key::Num2, Key::Num3, Key::Num4, Key::Num5, Key::Num6, Key::Num7, Key::Num8, Key::Num9]
            .iter()
            .position(|k| *k == key);
    if let Some(n) = digit {
        if n < kc.items.len() {
            kc.selected = Some(n);
        }
        return Some(Command::SelectItem(n));
    }
    Some(match key {
        Key::Space => Command::TogglePlay,
        Key::ArrowLeft => Command::SeekBy(if shift { -1.0 } else { -5.0 }),
        Key::ArrowRight => Command::SeekBy(if shift { 1.0 } else { 5.0 }),
        Key::Home => Command::SeekStart,
        Key::End => Command::SeekEnd,
        Key::J => Command::JumpEvent(if shift { -1 } else { 1 }),
        Key::Comma => Command::JumpEvent(-1),
        Key::Period => Command::JumpEvent(1),
        Key::OpenBracket => Command::SpeedStep(-1),
        Key::CloseBracket => Command::SpeedStep(1),
        Key::S => {
            kc.skip_silence = !kc.skip_silence;
            Command::SetSkipSilence(kc.skip_silence)
        }
        Key::Plus | Key::Equals => Command::Zoom { factor: 2.0, anchor_s: None },
        Key::Minus => Command::Zoom { factor: 0.5, anchor_s: None },
        Key::F => Command::FitWhole,
        Key::Y => return answer(Answer::Yes, selected_key()),
        Key::N => return answer(Answer::No, selected_key()),
        Key::A => return answer(Answer::NotApplicable, selected_key()),
        Key::C => return selected_key().map(|_| Command::FocusComment),
        Key::Questionmark => {
            kc.shortcuts_shown = !kc.shortcuts_shown;
            kc.cancellable = kc.shortcuts_shown;
            Command::ShowShortcuts(kc.shortcuts_shown)
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kc() -> KeyContext {
        KeyContext {
            typing: false,
            modal: false,
            cancellable: false,
            selected: Some(0),
            items: vec!["a".into(), "b".into()],
            skip_silence: false,
            shortcuts_shown: false,
        }
    }

    #[test]
    fn a_digit_then_an_answer_in_one_frame_answers_that_item() {
        let mut k = kc();
        assert_eq!(command_for(Key::Num2, Modifiers::NONE, &mut k), Some(Command::SelectItem(1)));
        assert_eq!(
            command_for(Key::N, Modifiers::NONE, &mut k),
            Some(Command::SetAnswer { key: "b".into(), answer: Some(Answer::No), stamp: true })
        );
        assert_eq!(command_for(Key::J, Modifiers::SHIFT, &mut k), Some(Command::JumpEvent(-1)));
        assert_eq!(command_for(Key::ArrowLeft, Modifiers::SHIFT, &mut k), Some(Command::SeekBy(-1.0)));
    }

    #[test]
    fn typing_leaves_only_ctrl_shortcuts() {
        let mut k = KeyContext { typing: true, ..kc() };
        assert_eq!(command_for(Key::Space, Modifiers::NONE, &mut k), None);
        assert_eq!(command_for(Key::N, Modifiers::NONE, &mut k), None);
        assert_eq!(command_for(Key::S, Modifiers::COMMAND, &mut k), Some(Command::SaveDraft));
        assert_eq!(command_for(Key::Enter, Modifiers::COMMAND, &mut k), Some(Command::Submit));
        assert_eq!(command_for(Key::Z, Modifiers::COMMAND, &mut k), None, "the field's own undo");
    }

    #[test]
    fn an_open_dialog_takes_every_key_but_esc() {
        let mut k = KeyContext { modal: true, cancellable: true, ..kc() };
        for key in [Key::A, Key::N, Key::Y, Key::S, Key::C, Key::Space, Key::Num2] {
            assert_eq!(command_for(key, Modifiers::NONE, &mut k), None, "{key:?}");
        }
        assert_eq!(command_for(Key::S, Modifiers::COMMAND, &mut k), None);
        assert_eq!(command_for(Key::Escape, Modifiers::NONE, &mut k), Some(Command::Cancel));
        // Esc with nothing open does nothing.
        assert_eq!(command_for(Key::Escape, Modifiers::NONE, &mut kc()), None);
        assert_eq!(command_for(Key::Z, Modifiers::COMMAND, &mut kc()), Some(Command::Undo));
    }
}
