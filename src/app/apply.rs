//! [`CallqaApp::apply`]: the one function that carries out a [`Command`], and the small steps
//! it is made of (open, select, save, jump).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::transport::SPEEDS;
use super::{CallqaApp, CloseChoice, Command, Message, OpenCall, Prefs, Review, WaveView, evidence};
use crate::jobs::StoreRequest;
use crate::jobs::store_worker::CallStatus;
use crate::model::Span;
use crate::model::scorecard::Answer;

use super::CallEntry;

/// Seconds of pre-roll before an event a jump lands on.
pub const JUMP_PREROLL_S: f64 = 2.0;
/// A draft is saved this long after the last edit.
pub const AUTOSAVE_AFTER: Duration = Duration::from_secs(2);
/// A save that failed is tried again this long after.
pub const RETRY_AFTER: Duration = Duration::from_secs(5);

impl CallqaApp {
    /// Carries out one command.
    pub fn apply(&mut self, c: Command) {
        match c {
            Command::Open(paths) => self.open_paths(paths),
            Command::OpenFilesDialog => {
                // Where no desktop portal answers, rfd returns None at once: offer the path field.
                match rfd::FileDialog::new().add_filter("WAV", &["wav", "WAV"]).pick_files() {
                    Some(files) if !files.is_empty() => self.open_paths(files),
                    _ => self.open_path = Some(self.open_path.take().unwrap_or_default()),
                }
            }
            Command::OpenFolderDialog => match rfd::FileDialog::new().pick_folder() {
                Some(dir) => self.open_paths(vec![dir]),
                None => self.open_path = Some(self.open_path.take().unwrap_or_default()),
            },
            Command::ShowOpenPath(show) => {
                self.open_path = show.then(String::new);
                self.focus_field = show;
                self.path_listing = None;
                self.path_listing_asked = None;
            }
            Command::ListPath(typed) => {
                if self.path_listing_asked.as_deref() != Some(typed.as_str()) {
                    self.path_listing_asked = Some(typed.clone());
                    self.jobs.list_dir(typed);
                }
            }
            Command::ShowClipForm(true) => self.open_clip_form(),
            Command::ShowClipForm(false) => self.clip_form = None,
            Command::AddClip => self.add_clip(),
            Command::ShowClipSets(true) => {
                self.clip_sets = Some(None);
                self.jobs.store(crate::jobs::StoreRequest::ListClips);
            }
            Command::ShowClipSets(false) => self.clip_sets = None,
            Command::GoToClip { path, start_s, end_s } => self.go_to_clip(path, start_s, end_s),
            Command::RemoveClip(id) => match self.reviewer().map(str::to_string) {
                Some(actor) => self.jobs.store(crate::jobs::StoreRequest::RemoveClip { id, actor }),
                None => self.say("Enter your name as reviewer first.", true),
            },
            Command::SelectCall(path) => self.select_call(path),
            Command::NextUnreviewed => {
                if self.queue_choice.is_some() || self.show_queue {
                    self.next_in_queue();
                } else {
                    self.next_unreviewed();
                }
            }
            Command::ShowMyQueue(show) => {
                self.show_queue = show;
                if show {
                    // The queue is drawn in the call list: show it if it was hidden.
                    self.prefs.show_library = true;
                    self.refresh_queue();
                }
            }
            Command::ChooseQueue(q) => self.queue_choice = q,
            Command::RefreshQueue => self.refresh_queue(),
            Command::ShowSampleForm(show) => {
                self.sample_form = show.then(super::sample::SampleForm::new);
                self.focus_field = show;
            }
            Command::ShowReports(true) => {
                if self.reports.is_none() {
                    self.reports = Some(super::reports::ReportsView::default());
                }
                self.load_report();
            }
            Command::ShowReports(false) => self.reports = None,
            Command::LoadReport => self.load_report(),
            Command::ReportAgent(a) => {
                if let Some(r) = &mut self.reports {
                    r.selected_agent = a;
                }
            }
            Command::ExportReport(t) => self.export_report(t),
            Command::PreviewSample => self.ask_sample(false),
            Command::CreateQueue => self.ask_sample(true),
            Command::ShowCalibration => {
                self.sessions = Some(None);
                let reviewer = self.reviewer().map(str::to_string);
                self.jobs.store(StoreRequest::Sessions { reviewer });
            }
            Command::HideCalibration => self.sessions = None,
            Command::OpenSessionCall { session, name, path } => {
                self.sessions = None;
                self.session = Some((session, name));
                self.open_call_at(path, true);
            }
            Command::LeaveSession => {
                self.session = None;
                if let Some(path) = self.call.as_ref().map(|c| c.path.clone()) {
                    self.open_call_at(path, true);
                }
            }
            Command::FindInTranscript(t) => {
                self.transcript_find = t;
                self.find_in_transcript();
            }
            Command::NextTranscriptMatch(forward) => self.next_transcript_match(forward),
            Command::SetSaidFilter(t) => {
                self.library.set_said(t.clone());
                if !t.trim().is_empty() {
                    self.jobs.store(crate::jobs::StoreRequest::Search { phrase: t });
                }
            }
            Command::SetFilter(t) => {
                self.library.set_filter(t);
                self.prefs.library = self.library.remembered();
            }
            Command::SetStatusFilter(f) => {
                self.library.set_status_filter(f);
                self.prefs.library = self.library.remembered();
            }
            Command::SortBy(k) => {
                self.library.sort_by(k);
                self.prefs.library = self.library.remembered();
            }

            Command::TogglePlay => {
                if self.transport.is_playing() {
                    self.transport.pause();
                } else {
                    self.transport.play(self.prefs.auto_rewind);
                }
            }
            Command::Play => self.transport.play(self.prefs.auto_rewind),
            Command::Pause => self.transport.pause(),
            Command::Stop => self.transport.stop(),
            Command::Seek(t) => self.seek(t),
            Command::SeekBy(d) => self.seek(self.playhead_s() + d),
            Command::SeekStart => self.seek(0.0),
            Command::SeekEnd => self.seek(self.call.as_ref().map_or(0.0, |c| c.view.duration_s)),
            Command::SetVolume(v) => {
                self.transport.set_volume(v);
                self.prefs.volume = self.transport.volume;
            }
            Command::SetMute(who, m) => self.transport.set_mute(who, m),
            Command::Solo(who) => self.transport.set_solo(who),
            Command::SetSpeed(s) => self.set_speed(s),
            Command::SpeedStep(step) => {
                let cur = SPEEDS.iter().position(|&s| (s - self.transport.speed).abs() < 0.01).unwrap_or(2);
                let next = (cur as i64 + i64::from(step)).clamp(0, SPEEDS.len() as i64 - 1) as usize;
                self.set_speed(SPEEDS.get(next).copied().unwrap_or(1.0));
            }
            Command::SetSkipSilence(on) => {
                self.prefs.skip_silence = on;
                self.update_skip();
            }
            Command::SetAutoRewind(on) => self.prefs.auto_rewind = on,
            Command::JumpEvent(dir) => self.jump(dir),

            Command::Zoom { factor, anchor_s } => {
                // Buttons and keys zoom around the playhead when it is in view.
                let t = self.playhead_s();
                self.with_view(|v| {
                    let anchor = anchor_s.or_else(|| (t >= v.start_s && t <= v.end_s()).then_some(t));
                    v.zoom(factor, anchor);
                });
            }
            Command::ScrollTo(t) => self.with_view(|v| v.scroll_to(t)),
            Command::ScrollBy(f) => self.with_view(|v| v.scroll_to(v.start_s + f * v.span_s)),
            Command::FitWhole => self.with_view(WaveView::fit),

            Command::SelectItem(i) => {
                if let Some(r) = &mut self.review
                    && i < r.answers.len()
                {
                    r.selected = Some(i);
                }
            }
            Command::SetAnswer { key, answer, stamp } => {
                // The moment heard is evidence for a yes or a no (not for N.A., and not the
                // untouched start of a call that was never played).
                let t = self.playhead_s();
                let stamp = stamp && t > 0.05 && matches!(answer, Some(a) if a != Answer::NotApplicable);
                if let Some(r) = self.editable_review()
                    && r.set_answer(&key, answer)
                    && stamp
                {
                    r.stamp(&key, t);
                }
            }
            Command::SetComment { key, text } => {
                if let Some(r) = self.editable_review() {
                    r.set_comment(&key, text);
                }
            }
            Command::StampPlayhead { key } => {
                let t = self.playhead_s();
                if let Some(r) = self.editable_review()
                    && !r.stamp(&key, t)
                    && r.answer_mut(&key).is_some_and(|a| a.answer == Some(Answer::NotApplicable))
                {
                    self.say("An item answered N.A. takes no evidence.", false);
                }
            }
            Command::Unstamp { key, time_s } => {
                if let Some(r) = self.editable_review() {
                    r.unstamp(&key, time_s);
                }
            }
            Command::Undo => {
                if let Some(r) = self.editable_review()
                    && !r.undo()
                {
                    self.say("Nothing to undo.", false);
                }
            }
            Command::FocusComment => {
                self.focus_comment = self.review.as_ref().and_then(|r| r.selected.and_then(|i| r.key_at(i)));
            }
            Command::SaveDraft => {
                if self.review.as_ref().is_some_and(Review::amending) {
                    self.apply(Command::AskAmendReason);
                } else {
                    self.save(false);
                }
            }
            Command::Amend if self.review.as_ref().is_some_and(|r| r.session.is_some()) => {
                self.say("A submitted calibration review is final: it is not amended.", true);
            }
            Command::Amend => {
                if self.reviewer().is_some() && self.review.as_mut().is_some_and(Review::start_amending) {
                    self.say(
                        "Amending a submitted review: change what you need, then Save amendment (a reason is asked and kept in the audit log) or Cancel.",
                        false,
                    );
                }
            }
            Command::AskAmendReason => match &self.review {
                Some(r) if r.amending() && !r.complete() => {
                    self.say("Answer every item before saving the amendment.", true);
                }
                Some(r) if r.amending() && !r.dirty => {
                    self.say("Nothing was changed: the submitted review stays as it is.", false);
                    self.apply(Command::CancelAmend);
                }
                Some(r) if r.amending() => {
                    self.amend_reason = Some(String::new());
                    self.focus_field = true;
                }
                _ => {}
            },
            Command::SaveAmendment(reason) => self.save_amendment(reason),
            Command::CancelAmend => {
                self.amend_reason = None;
                if let Some(r) = self.review.as_mut().filter(|r| r.amending()) {
                    r.cancel_amending();
                    self.say("Amendment cancelled: the review is as it was submitted.", false);
                }
            }
            Command::Submit => self.save(true),
            Command::SetReviewer(name) => {
                let name = name.trim().to_string();
                if name.is_empty() {
                    self.say("Type your name first.", true);
                    return;
                }
                if self.review.as_ref().is_some_and(|r| r.dirty || r.amending()) {
                    self.say("Save or cancel the changes to this review before changing the reviewer.", true);
                    return;
                }
                self.editing_reviewer = false;
                self.reviewer_draft.clone_from(&name);
                if name != self.prefs.reviewer {
                    self.prefs.reviewer = name;
                    // Load this reviewer's review of the open call, and their queue.
                    self.review = None;
                    self.load_review();
                    self.my_queue = None;
                    self.queue_choice = None;
                    self.refresh_queue();
                }
            }
            Command::EditReviewer if self.team_login.is_some() => {
                self.say("On the team store you review as your login; connect as another login to review as someone else.", true);
            }
            Command::EditReviewer => {
                // An empty field with the keyboard (the old name is its hint; Esc keeps it).
                self.editing_reviewer = true;
                self.focus_field = true;
                self.reviewer_draft.clear();
            }
            Command::CancelEditReviewer => {
                if !self.prefs.reviewer.trim().is_empty() {
                    self.editing_reviewer = false;
                    self.reviewer_draft = self.prefs.reviewer.clone();
                }
            }
            Command::ShowShortcuts(show) => self.show_shortcuts = show,
            Command::ShowLibrary(show) => self.prefs.show_library = show,
            Command::ShowScorecard(show) => self.prefs.show_scorecard = show,
            Command::DismissMessage => self.message = None,
            Command::Cancel => self.cancel_topmost(),
            Command::CloseRequested => self.confirm_close = true,
            Command::Close(choice) => self.close(choice),
            Command::ShowNewSession(show) => self.show_new_session(show),
            Command::AddSessionReviewer => self.add_session_reviewer(),
            Command::CreateSession => self.create_session(),
            Command::ShowStoreForm(show) => {
                self.store_form = show.then(|| self.prefs.team_store.clone());
                self.focus_field = show;
            }
            Command::UseStore(url) => self.use_store(url),
        }
    }

    /// Sets the banner message.
    pub fn say(&mut self, text: impl Into<String>, error: bool) {
        self.message = Some(Message { text: text.into(), error, at: Instant::now() });
    }

    /// File → Review store…: remembered for the next start (the open store stays until then:
    /// nothing unsaved is stranded between two stores).
    fn use_store(&mut self, url: Option<String>) {
        let Some(url) = url.map(|u| u.trim().to_string()) else {
            self.prefs.team_store.clear();
            self.store_form = None;
            self.say("From the next start callqa uses this computer's review database.", false);
            return;
        };
        match crate::store::backend::Target::parse(&url) {
            crate::store::backend::Target::Team(_) => match crate::store::pg::parse_url(&url) {
                Ok((config, _)) => {
                    let place = crate::store::pg::describe(&config);
                    self.prefs.team_store = url;
                    self.store_form = None;
                    self.say(
                        format!(
                            "From the next start callqa uses the team store {place} (restart the window)."
                        ),
                        false,
                    );
                }
                Err(e) => self.say(format!("{e}"), true),
            },
            crate::store::backend::Target::Local(_) => self.say(
                "A team store's address starts with postgres:// (e.g. postgres://asha@dbhost/callqa).",
                true,
            ),
        }
    }

    /// Esc: the topmost dialog or field closes, nothing else changes.
    fn cancel_topmost(&mut self) {
        if self.store_form.is_some() {
            self.store_form = None;
            self.focus_field = false;
        } else if self.confirm_close {
            self.confirm_close = false;
        } else if self.amend_reason.is_some() {
            self.amend_reason = None;
        } else if self.clip_form.is_some() {
            self.clip_form = None;
        } else if self.sample_form.is_some() {
            self.sample_form = None;
            self.focus_field = false;
        } else if self.open_path.is_some() {
            self.apply(Command::ShowOpenPath(false));
        } else if self.editing_reviewer {
            self.apply(Command::CancelEditReviewer);
        } else if self.show_shortcuts {
            self.show_shortcuts = false;
        } else if self.clip_sets.is_some() {
            self.clip_sets = None;
        } else if self.session_form.is_some() {
            self.show_new_session(false);
        } else if self.sessions.is_some() {
            self.sessions = None;
        } else if self.reports.is_some() {
            self.reports = None;
        }
    }

    fn close(&mut self, choice: CloseChoice) {
        self.confirm_close = false;
        match choice {
            CloseChoice::Stay => self.closing = false,
            CloseChoice::Discard => self.close_now = true,
            CloseChoice::SaveAndClose => {
                if self.review.as_ref().is_some_and(|r| r.dirty && r.amending()) {
                    self.say("Save or cancel the amendment first (it needs a reason).", true);
                    return;
                }
                self.closing = true;
                self.save_draft_now();
                self.retry_unsaved(true);
            }
        }
    }

    fn open_paths(&mut self, paths: Vec<PathBuf>) {
        self.focus_field = false;
        let mut first_file = None;
        // One spelling per file: `calls/a.wav` from the command line and the database's
        // absolute path are the same row.
        for p in paths.into_iter().map(|p| std::path::absolute(&p).unwrap_or(p)) {
            if p.is_dir() {
                Prefs::remember(&mut self.prefs.recent_folders, p.clone());
                self.library.scans_running += 1;
                self.jobs.scan_folder(p);
            } else {
                let (_, new) = self.library.add(p.clone());
                if new {
                    self.jobs.probe([p.clone()]);
                }
                Prefs::remember(&mut self.prefs.recent_files, p.clone());
                first_file.get_or_insert(p);
            }
        }
        self.open_path = None;
        if let Some(p) = first_file {
            self.select_call(p);
        }
    }

    /// Opens a call in the workspace: analysis starts at once, the review loads when the
    /// store has the call's row.
    pub fn select_call(&mut self, path: PathBuf) {
        // A call picked anywhere else is an ordinary review: out of a calibration session.
        if self.session.take().is_some()
            && let Some(open) = self.call.as_ref().map(|c| c.path.clone())
            && open == path
        {
            self.open_call_at(path, true);
            return;
        }
        self.open_call_at(path, false);
    }

    /// Opens a call; `again`: also when it is the open one (to load it in or out of a
    /// calibration session).
    fn open_call_at(&mut self, path: PathBuf, again: bool) {
        if !again && self.call.as_ref().is_some_and(|c| c.path == path) {
            return;
        }
        if self.review.as_ref().is_some_and(|r| r.amending() && r.dirty) {
            self.say("Save the amendment (with its reason) or cancel it before opening another call.", true);
            return;
        }
        self.save_draft_now();
        self.flush_active_time();
        if let Some(r) = self.review.take().filter(|r| r.dirty || r.save_in_flight()) {
            // Kept until the store confirms its save (retried if it fails).
            self.unsaved.push((self.prefs.reviewer.trim().to_string(), r));
        }
        self.generation += 1;
        let entry = self.library.get(&path);
        let name = entry.map_or_else(|| path.display().to_string(), |e| e.name.clone());
        let duration = entry.and_then(|e| e.duration_s()).unwrap_or(0.0);
        let error = entry.and_then(|e| e.error().map(str::to_string));
        let channels = entry.and_then(CallEntry::channels);
        let mut view = WaveView::default();
        view.set_duration(duration);
        self.call = Some(OpenCall {
            path: path.clone(),
            name,
            generation: self.generation,
            peaks: None,
            analysis: None,
            progress: Default::default(),
            error: error.clone(),
            opened_at: Instant::now(),
            first_peaks_after: None,
            first_drawn_after: None,
            view,
            highlight: None,
            call_id: None,
            paths: Vec::new(),
            channels,
            others: Vec::new(),
            hidden_others: 0,
            clips: Vec::new(),
            transcript: None,
            phrases: Default::default(),
        });
        self.transcript_matches.clear();
        self.transcript_match = None;
        // Opened from the library's "Said…" filter: find the same words in this call.
        if !self.library.said.trim().is_empty() {
            self.transcript_find = self.library.said.clone();
        }
        self.review = None;
        self.transport.prepare(duration);
        self.update_skip();
        if error.is_none() {
            let reviewer = self.reviewer().map(str::to_string);
            let session = self.session.as_ref().map(|s| s.0);
            self.jobs.open_call(self.generation, path, reviewer, session, crate::analysis::Config::default());
        }
    }

    /// Asks the store for the open call's review by this reviewer (needs the call's row).
    pub fn load_review(&mut self) {
        let Some(call_id) = self.call.as_ref().and_then(|c| c.call_id) else { return };
        let Some(reviewer) = self.reviewer().map(str::to_string) else { return };
        let session = self.session.as_ref().map(|s| s.0);
        self.jobs.store(StoreRequest::LoadReview { call_id, reviewer, session });
    }

    fn next_unreviewed(&mut self) {
        let current = self.call.as_ref().map(|c| c.path.clone());
        let view = self.library.view().to_vec();
        let start = current
            .as_ref()
            .and_then(|p| {
                view.iter().position(|&i| self.library.entries.get(i).is_some_and(|e| &e.path == p))
            })
            .map_or(0, |i| i + 1);
        let n = view.len();
        let next = (0..n).map(|k| (start + k) % n.max(1)).find_map(|k| {
            let e = view.get(k).and_then(|&i| self.library.entries.get(i))?;
            let todo = e.scorable()
                && !matches!(e.status, CallStatus::Submitted { .. })
                && Some(&e.path) != current.as_ref();
            todo.then(|| e.path.clone())
        });
        match next {
            Some(p) => self.select_call(p),
            None => self.say("Every call in the list has a submitted review.", false),
        }
    }

    /// Asks the store for this reviewer's queue ("My queue").
    pub fn refresh_queue(&mut self) {
        if let Some(reviewer) = self.reviewer().map(str::to_string) {
            self.jobs.store(StoreRequest::MyQueue { reviewer });
        }
    }

    /// The queue items "My queue" shows: the chosen queue's (in queue order), or all of mine
    /// (not done first, as the store sorts them).
    pub fn queue_items(&self) -> Vec<&crate::jobs::store_worker::QueueRow> {
        let Some(items) = &self.my_queue else { return Vec::new() };
        match &self.queue_choice {
            Some(q) => {
                let mut v: Vec<_> = items.iter().filter(|i| &i.queue == q).collect();
                v.sort_by_key(|i| i.position);
                v
            }
            None => items.iter().collect(),
        }
    }

    /// "Next unreviewed" through the queue: the first item not done (in the order listed),
    /// other than the open call, whose file is there.
    fn next_in_queue(&mut self) {
        let current = self.call.as_ref().map(|c| c.path.clone());
        let items = self.queue_items();
        let total = items.len();
        let done = items.iter().filter(|i| i.done).count();
        let todo: Vec<_> = items.iter().filter(|i| !i.done).collect();
        let next = todo.iter().filter_map(|i| i.path.clone()).find(|p| Some(p) != current.as_ref());
        let missing = todo.iter().filter(|i| i.path.is_none()).count();
        let which =
            self.queue_choice.clone().map_or_else(|| "your queue".to_string(), |q| format!("queue \"{q}\""));
        match next {
            Some(p) => self.select_call(p),
            None if self.my_queue.is_none() => self.say("Your queue is still loading.", false),
            None if missing > 0 => self.say(
                format!("Nothing else to open in {which}: {missing} call(s) not done have no file at their known path."),
                true,
            ),
            None => self.say(format!("Every call in {which} is done ({done} of {total})."), false),
        }
    }

    fn seek(&mut self, t: f64) {
        self.transport.seek(t);
        let t = self.playhead_s();
        self.with_view(|v| v.follow(t));
    }

    fn set_speed(&mut self, s: f32) {
        self.transport.set_speed(s);
        self.prefs.speed = self.transport.speed;
    }

    fn with_view(&mut self, f: impl FnOnce(&mut WaveView)) {
        if let Some(c) = &mut self.call {
            f(&mut c.view);
        }
    }

    /// Gives the player the analysis' dead air and hold as skip regions.
    pub fn update_skip(&mut self) {
        let regions: Vec<Span> = self
            .call
            .as_ref()
            .and_then(|c| c.analysis.as_ref())
            .map(|a| {
                a.silence
                    .iter()
                    .copied()
                    .chain(a.hold.iter().map(|h| Span::new(h.start_s, h.end_s)))
                    .collect()
            })
            .unwrap_or_default();
        self.transport.set_skip(regions, self.prefs.skip_silence);
    }

    /// Jumps to the next/previous event start with a pre-roll, keeps playing, highlights it.
    fn jump(&mut self, dir: i32) {
        let Some(call) = &self.call else { return };
        let Some(a) = &call.analysis else { return };
        let events = evidence::event_spans(a);
        let now = self.playhead_s();
        // The event whose pre-rolled start is just after (or before) the playhead.
        let target = if dir >= 0 {
            events.iter().find(|e| e.0 - JUMP_PREROLL_S > now + 0.05)
        } else {
            events.iter().rev().find(|e| e.0 - JUMP_PREROLL_S < now - 0.5)
        };
        match target.copied() {
            Some(ev) => {
                if let Some(c) = &mut self.call {
                    c.highlight = Some(ev);
                }
                self.seek((ev.0 - JUMP_PREROLL_S).max(0.0));
            }
            None => self.say(if dir >= 0 { "No later event." } else { "No earlier event." }, false),
        }
    }

    fn editable_review(&mut self) -> Option<&mut super::Review> {
        if self.reviewer().is_none() {
            self.say("Enter your name as reviewer first (and press Save name).", true);
            return None;
        }
        if self.call.as_ref().is_some_and(|c| !c.scorable()) {
            self.say("This call has no audio that can be played, so it cannot be scored.", true);
            return None;
        }
        if self.review.as_ref().is_some_and(super::Review::locked) {
            self.say(
                "This review is submitted. Press Amend to change it (every change is kept in the audit log).",
                true,
            );
            return None;
        }
        self.review.as_mut()
    }

    /// Saves (draft) or submits the open review on the store thread. The review stays
    /// dirty until the store confirms this save (`StoreEvent::Saved` with its id).
    fn save(&mut self, submit: bool) {
        let Some(reviewer) = self.reviewer().map(str::to_string) else {
            self.say("Enter your name as reviewer first (and press Save name).", true);
            return;
        };
        let Some(r) = &self.review else {
            self.say("No review is open.", true);
            return;
        };
        if r.amending() {
            self.say("This is an amendment: press Save amendment (a reason is asked) or Cancel.", true);
            return;
        }
        if submit && r.submitted() {
            self.say("This review is already submitted. Press Amend to change it.", false);
            return;
        }
        if submit && !r.complete() {
            self.say("Answer every item (yes, no or N.A.) before submitting.", true);
            return;
        }
        self.send_save(reviewer, submit, None);
    }

    fn save_amendment(&mut self, reason: String) {
        let Some(reviewer) = self.reviewer().map(str::to_string) else { return };
        let reason = reason.trim().to_string();
        if reason.is_empty() {
            self.say("Say why the submitted review is changed (the reason is kept in the audit log).", true);
            return;
        }
        match &self.review {
            Some(r) if r.amending() && r.complete() => {}
            Some(r) if r.amending() => {
                self.say("Answer every item before saving the amendment.", true);
                return;
            }
            _ => return,
        }
        self.amend_reason = None;
        self.send_save(reviewer, true, Some(reason));
    }

    fn send_save(&mut self, reviewer: String, submit: bool, amend_reason: Option<String>) {
        let req = self.next_request;
        self.next_request += 1;
        let Some(r) = &mut self.review else { return };
        r.saving = Some((req, r.edit_seq));
        let draft = r.draft(reviewer);
        let session = r.session;
        self.jobs.store(StoreRequest::SaveReview { req, draft, submit, amend_reason, session });
    }

    /// Saves a changed draft now (before switching calls and on close).
    pub fn save_draft_now(&mut self) {
        if self.review.as_ref().is_some_and(|r| r.saveable() && !r.save_in_flight()) {
            self.save(false);
        }
    }

    /// Sends again the saves of calls no longer open that failed (`now`: without waiting).
    fn retry_unsaved(&mut self, now: bool) {
        for (reviewer, r) in &mut self.unsaved {
            let due = r.saving.is_none()
                && r.dirty
                && r.save_error.as_ref().is_none_or(|(_, at)| now || at.elapsed() >= RETRY_AFTER);
            if !due {
                continue;
            }
            let reviewer = reviewer.clone();
            let req = self.next_request;
            self.next_request += 1;
            r.saving = Some((req, r.edit_seq));
            let draft = r.draft(reviewer);
            let session = r.session;
            self.jobs.store(StoreRequest::SaveReview {
                req,
                draft,
                submit: false,
                amend_reason: None,
                session,
            });
        }
    }

    /// Time-driven work: autosave and retries, fading messages, playback end.
    pub(super) fn tick(&mut self) {
        let due = self.review.as_ref().is_some_and(|r| {
            r.saveable()
                && !r.save_in_flight()
                && r.last_edit.is_some_and(|t| t.elapsed() >= AUTOSAVE_AFTER)
                && r.save_error.as_ref().is_none_or(|(_, at)| at.elapsed() >= RETRY_AFTER)
        });
        if due {
            self.save(false);
        } else if self.review.as_ref().is_some_and(|r| r.dirty) || !self.unsaved.is_empty() {
            self.ctx.request_repaint_after(Duration::from_millis(500));
        }
        self.retry_unsaved(false);
        if self.closing
            && self.unsaved_count() == 0
            && !self.review.as_ref().is_some_and(Review::save_in_flight)
        {
            self.close_now = true;
        }
        if let Some(m) = &self.message
            && !m.error
        {
            match super::MESSAGE_FADES_AFTER.checked_sub(m.at.elapsed()) {
                Some(left) => self.ctx.request_repaint_after(left),
                None => self.message = None,
            }
        }
        if self.transport.ended() {
            self.transport.pause();
        }
        if self.transport.is_playing() {
            let t = self.playhead_s();
            self.with_view(|v| v.follow(t));
        }
        for skip in self.transport.take_skip_events() {
            if let Some(c) = &mut self.call {
                c.highlight = Some((skip.start_s, skip.end_s));
            }
        }
    }
}

impl CallqaApp {
    /// Finds the find text in the open call's transcript (cheap: the words' tokens were
    /// normalised on the store thread).
    pub(crate) fn find_in_transcript(&mut self) {
        let t = self.call.as_ref().and_then(|c| c.transcript.clone());
        self.transcript_matches = t.map(|t| t.find(&self.transcript_find)).unwrap_or_default();
        self.transcript_match = None;
    }

    /// Seeks to the next (or previous) match after (before) the playhead.
    fn next_transcript_match(&mut self, forward: bool) {
        let Some(t) = self.call.as_ref().and_then(|c| c.transcript.clone()) else { return };
        let start =
            |r: &Vec<usize>| r.first().and_then(|&i| t.transcript.words.get(i)).map_or(0.0, |w| w.start_s);
        let now = self.playhead_s();
        let n = self.transcript_matches.len();
        if n == 0 {
            return;
        }
        let i = match (forward, self.transcript_match) {
            (true, Some(i)) => (i + 1) % n,
            (false, Some(i)) => (i + n - 1) % n,
            (true, None) => self.transcript_matches.iter().position(|r| start(r) > now + 0.05).unwrap_or(0),
            (false, None) => {
                self.transcript_matches.iter().rposition(|r| start(r) < now - 0.05).unwrap_or(n - 1)
            }
        };
        self.transcript_match = Some(i);
        if let Some(r) = self.transcript_matches.get(i) {
            let at = start(r);
            self.seek(at);
        }
    }
}

/// Longest gap between two frames counted as active review time (an idle window draws no
/// frames; a longer gap is someone away from the desk).
const MAX_ACTIVE_GAP: Duration = Duration::from_secs(120);
/// Active review time is sent to the store once this much has gathered (and when the call
/// is left or the window closed).
const ACTIVE_FLUSH_S: f64 = 30.0;

impl CallqaApp {
    /// Counts the time since the last frame as active review time when the window had the
    /// focus then and a call with a review is open; sends it when enough has gathered.
    pub(crate) fn count_active_time(&mut self, focused: bool) {
        let now = Instant::now();
        if let (Some((last, was_focused)), Some(r)) = (self.active_clock, self.review.as_mut())
            && was_focused
            && self.call.as_ref().is_some_and(|c| c.error.is_none())
        {
            r.active_pending_s += now.duration_since(last).min(MAX_ACTIVE_GAP).as_secs_f64();
        }
        self.active_clock = Some((now, focused));
        if self.review.as_ref().is_some_and(|r| r.active_pending_s >= ACTIVE_FLUSH_S) {
            self.flush_active_time();
        }
    }

    /// Sends the open review's gathered active time to the store (once it has an id).
    pub(crate) fn flush_active_time(&mut self) {
        let Some(r) = self.review.as_mut() else { return };
        let (Some(review_id), seconds) = (r.review_id, r.active_pending_s) else { return };
        if seconds > 0.0 {
            r.active_pending_s = 0.0;
            self.jobs.store(StoreRequest::AddActiveTime { review_id, seconds });
        }
    }
}
