//! The "clip this moment" form: a trainer marks a good or bad moment of the open call for a
//! coaching set (stored by the store thread; exported with `callqa clips --export`).

use super::CallqaApp;
use crate::jobs::store_worker::StoreRequest;
use crate::store::{ClipDraft, ClipKind};

/// Default length of a new clip away from any event: the seconds before the playhead (what
/// was just heard).
const DEFAULT_CLIP_S: f64 = 4.0;
/// Context kept around an event a clip is made of.
const EVENT_MARGIN_S: f64 = 0.5;

/// The form's fields, as typed.
#[derive(Clone, Debug, PartialEq)]
pub struct ClipForm {
    pub from: String,
    pub to: String,
    pub good: bool,
    pub set: String,
    pub note: String,
}

impl CallqaApp {
    /// Opens the form on the event under the playhead (overtalk, dead air, hold, or the
    /// event a jump or click highlighted), with half a second around it; elsewhere on the 4 s
    /// just heard.
    pub(super) fn open_clip_form(&mut self) {
        let Some(call) = &self.call else {
            self.say("Open a call first.", true);
            return;
        };
        if !call.scorable() {
            self.say("This call has no audio that can be played, so it cannot be clipped.", true);
            return;
        }
        let duration = call.view.duration_s;
        let pos = self.playhead_s();
        let under = |(s, e): (f64, f64)| s - 0.05 <= pos && pos <= e + 0.05;
        let event = call.highlight.filter(|&h| under(h)).or_else(|| {
            call.analysis
                .as_ref()
                .and_then(|a| super::evidence::event_spans(a).into_iter().find(|&ev| under(ev)))
        });
        let (from, to) = match event {
            Some((s, e)) => ((s - EVENT_MARGIN_S).max(0.0), (e + EVENT_MARGIN_S).min(duration)),
            None if pos >= 1.0 => ((pos - DEFAULT_CLIP_S).max(0.0), pos),
            None => (0.0, DEFAULT_CLIP_S.min(duration.max(0.1))),
        };
        self.clip_form = Some(ClipForm {
            from: super::evidence::clock(from),
            to: super::evidence::clock(to),
            good: false,
            set: self.prefs.clip_set.clone(),
            note: String::new(),
        });
    }

    /// Checks the form and sends the clip to the store thread; the form stays open on a
    /// mistake, with the reason in the message bar.
    pub(super) fn add_clip(&mut self) {
        let Some(form) = self.clip_form.clone() else { return };
        let Some(author) = self.reviewer().map(str::to_string) else {
            self.say("Enter your name as reviewer first (it is the clip's author).", true);
            return;
        };
        let (Some(from), Some(to)) =
            (crate::model::parse_time(&form.from), crate::model::parse_time(&form.to))
        else {
            self.say("Write the times as seconds (65.2) or m:ss (1:05.2).", true);
            return;
        };
        if to <= from {
            self.say("The clip must end after it starts.", true);
            return;
        }
        if form.set.trim().is_empty() {
            self.say("Name the coaching set (e.g. \"Interruptions\").", true);
            return;
        }
        let call_id = self.call.as_ref().and_then(|c| c.call_id);
        let Some(call_id) = call_id else {
            self.say("This call is not in the database yet; try again in a moment.", true);
            return;
        };
        self.prefs.clip_set = form.set.trim().to_string();
        let kind = if form.good { ClipKind::Good } else { ClipKind::Bad };
        let draft = ClipDraft {
            set: form.set.clone(),
            call_id,
            start_s: from,
            end_s: to,
            kind,
            note: form.note.clone(),
            author,
        };
        self.jobs.store(StoreRequest::AddClip(draft));
    }
}

impl CallqaApp {
    /// Opens the clip's call (if it is not the open one) and puts the playhead at the clip's
    /// start, with the clip highlighted; when the call is still opening, that happens as soon
    /// as its length is known.
    pub(super) fn go_to_clip(&mut self, path: std::path::PathBuf, start_s: f64, end_s: f64) {
        if self.call.as_ref().is_some_and(|c| c.path == path) {
            self.land_on_clip(start_s, end_s);
        } else {
            self.pending_seek = Some((path.clone(), start_s, end_s));
            self.push(super::Command::Open(vec![path]));
        }
    }

    fn land_on_clip(&mut self, start_s: f64, end_s: f64) {
        self.push(super::Command::Seek(start_s));
        if let Some(c) = &mut self.call {
            c.highlight = Some((start_s, end_s));
        }
    }

    /// Applies a pending clip seek once the open call's length is known.
    pub(super) fn apply_pending_seek(&mut self) {
        let ready = match (&self.pending_seek, &self.call) {
            (Some((p, _, _)), Some(c)) => c.path == *p && c.view.duration_s > 0.0,
            _ => false,
        };
        if ready && let Some((_, start_s, end_s)) = self.pending_seek.take() {
            self.land_on_clip(start_s, end_s);
        }
    }
}
