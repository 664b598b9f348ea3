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

/// What the key handler needs to know about the app.
struct KeyContext {
    /// A text field has the keyboard: only Ctrl shortcuts apply.
    typing: bool,
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
    if m.command && !m.alt {
        return match key {
            Key::N if m.shift => Some(Command::NextUnreviewed),
            Key::S if !m.shift => Some(Command::SaveDraft),
            Key::Enter => Some(Command::Submit),
            Key::O if !m.shift => Some(Command::OpenFilesDialog),
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
            Command::ShowShortcuts(kc.shortcuts_shown)
        }
        Key::Escape if kc.shortcuts_shown => {
            kc.shortcuts_shown = false;
            Command::ShowShortcuts(false)
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
    }
}
