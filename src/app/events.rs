//! Applying what the workers report: library rows, peaks and analyses, store replies.

use super::library::Probe;
use super::{CallqaApp, Command, Review};
use crate::jobs::store_worker::CallStatus;
use crate::jobs::{JobEvent, StoreEvent, StoreRequest};

impl CallqaApp {
    /// Drains and applies every worker event (start of each frame).
    pub(super) fn handle_events(&mut self) {
        for ev in self.jobs.drain() {
            self.handle_event(ev);
        }
    }

    fn handle_event(&mut self, ev: JobEvent) {
        match ev {
            JobEvent::Found { paths, .. } => {
                // The scan queued these for probing itself (`Jobs::drain` counts them).
                for p in paths {
                    self.library.add(p);
                }
            }
            JobEvent::ScanDone { root, error } => {
                self.library.scans_running = self.library.scans_running.saturating_sub(1);
                if let Some(e) = error {
                    self.say(format!("{e}: {}", root.display()), true);
                }
            }
            JobEvent::Probed { path, result } => self.on_probed(path, result),
            JobEvent::Identified { generation, meta, .. } => {
                if let Some(c) = self.call.as_mut().filter(|c| c.generation == generation) {
                    c.channels = Some(meta.channels);
                    if c.view.duration_s == 0.0 && meta.duration_s > 0.0 {
                        c.view.set_duration(meta.duration_s);
                        self.transport.set_duration(meta.duration_s);
                    }
                }
            }
            JobEvent::Playable { generation, result } => {
                if self.call.as_ref().is_some_and(|c| c.generation == generation) {
                    self.transport.attach(result);
                    self.update_skip();
                }
            }
            JobEvent::Peaks { generation, peaks, progress } => {
                if let Some(c) = self.call.as_mut().filter(|c| c.generation == generation) {
                    if c.first_peaks_after.is_none() {
                        c.first_peaks_after = Some(c.opened_at.elapsed());
                        if self.frame_stats.enabled {
                            eprintln!(
                                "open-stats: first peaks after {:.3} s (analysis thread at {:.3} s)",
                                c.opened_at.elapsed().as_secs_f64(),
                                progress.elapsed_s
                            );
                        }
                    }
                    let d = progress.frames_total as f64 / f64::from(peaks.sample_rate.max(1));
                    if c.view.duration_s == 0.0 {
                        c.view.set_duration(d);
                        self.transport.set_duration(d);
                    }
                    c.peaks = Some(peaks);
                    c.progress = progress;
                }
            }
            JobEvent::Analysed { generation, result } => {
                let Some(c) = self.call.as_mut().filter(|c| c.generation == generation) else { return };
                match result {
                    Ok(a) => {
                        c.view.set_duration(a.duration_s);
                        self.transport.set_duration(a.duration_s);
                        c.peaks = Some(std::sync::Arc::new(a.peaks.clone()));
                        c.progress.frames_done = c.progress.frames_total.max(a.peaks.frames);
                        if self.frame_stats.enabled {
                            eprintln!(
                                "open-stats: analysis done after {:.3} s",
                                c.opened_at.elapsed().as_secs_f64()
                            );
                        }
                        c.analysis = Some(a);
                        self.update_skip();
                        self.save_metrics();
                    }
                    Err(e) => {
                        // The file cannot be opened (or has no audio): said once, nothing waits.
                        c.error = Some(e);
                        c.progress = Default::default();
                    }
                }
            }
            JobEvent::Store(ev) => self.on_store(ev),
            JobEvent::Listing { typed, listing } => {
                // Only the listing for what the field says now is kept.
                if self.open_path.as_deref() == Some(typed.as_str()) {
                    self.path_listing = Some((typed, listing));
                }
            }
        }
    }

    fn on_probed(&mut self, path: std::path::PathBuf, result: Result<crate::jobs::ProbeInfo, String>) {
        let Some(entry) = self.library.get_mut(&path) else { return };
        match result {
            Ok(mut info) => {
                // The transcript goes to the store; the library row keeps only the header facts.
                let sidecar = info.sidecar.take();
                let req = StoreRequest::UpsertCall {
                    path: path.clone(),
                    hash: info.hash.clone(),
                    meta: Box::new(info.meta.clone()),
                    sidecar,
                };
                entry.set_probe(Probe::Ok(Box::new(info)));
                self.jobs.store(req);
            }
            Err(e) => entry.set_probe(Probe::Err(e)),
        }
        // The open call learns its duration or its error.
        let entry = self.library.get(&path).cloned();
        if let (Some(c), Some(e)) = (&mut self.call, entry)
            && c.path == path
        {
            if let Some(d) = e.duration_s()
                && c.view.duration_s == 0.0
            {
                c.view.set_duration(d);
                self.transport.set_duration(d);
            }
            if let Some(err) = e.error() {
                c.error = Some(err.to_string());
            }
        }
    }

    fn on_store(&mut self, ev: StoreEvent) {
        match ev {
            StoreEvent::CallRow { path, summary, paths } => self.library.set_call(&path, &summary, &paths),
            StoreEvent::Opened(o) => {
                self.library.set_call(&o.path, &o.summary, &o.paths);
                let Some(c) = self.call.as_mut().filter(|c| c.generation == o.generation) else { return };
                c.call_id = Some(o.summary.call_id);
                c.paths = o.paths;
                c.others = o.others;
                c.hidden_others = o.hidden_others;
                c.clips = o.clips;
                c.transcript = o.transcript;
                c.phrases = o.phrases;
                if let Some(why) = o.transcript_problem {
                    self.say(format!("The transcript next to this call was not stored: {why}"), true);
                }
                self.find_in_transcript();
                // Opened from the "Said…" filter: start where the words are said.
                if !self.library.said.trim().is_empty()
                    && self.transcript_find == self.library.said
                    && !self.transcript_matches.is_empty()
                {
                    self.push(Command::NextTranscriptMatch(true));
                }
                if let Some(loaded) = o.review {
                    self.review = Some(Review::from_loaded(loaded));
                } else {
                    self.load_review();
                }
                // The analysis may have finished before the store knew the call.
                self.save_metrics();
            }
            StoreEvent::OpenFailed { generation, error } => {
                if self.call.as_ref().is_some_and(|c| c.generation == generation) {
                    self.say(
                        format!(
                            "{error}. The call plays, but it cannot be scored until the database works again."
                        ),
                        true,
                    );
                }
            }
            StoreEvent::Library(rows) => {
                for row in &rows {
                    self.library.add_stored(row);
                }
            }
            StoreEvent::Review(loaded) => {
                let open_id = self.call.as_ref().and_then(|c| c.call_id);
                if open_id == Some(loaded.call_id) && self.review.as_ref().is_none_or(|r| !r.dirty) {
                    self.review = Some(Review::from_loaded(*loaded));
                }
            }
            StoreEvent::Saved { req, call_id, review_id, summary, submitted } => {
                self.on_saved(req, call_id, review_id, &summary, submitted)
            }
            StoreEvent::SaveFailed { req, call_id, error } => self.on_save_failed(req, call_id, &error),
            StoreEvent::Queued { req, call_id: _, waiting } => self.on_queued(req, waiting),
            StoreEvent::OutboxSent { sent, refused, waiting } => {
                self.outbox_waiting = waiting;
                if refused.is_empty() {
                    self.say(
                        format!("Sent {sent} change(s) that waited in the outbox to the team store."),
                        false,
                    );
                } else {
                    self.say(
                        format!(
                            "Sent {sent} change(s) that waited in the outbox; the team store refused {}: {} \
                             (they stay in the outbox: see callqa db sync)",
                            refused.len(),
                            refused.join("; ")
                        ),
                        true,
                    );
                }
                // The open review may have moved on (e.g. a submission that waited): load it.
                if self.review.as_ref().is_some_and(|r| !r.dirty && !r.save_in_flight()) {
                    self.load_review();
                }
            }
            StoreEvent::Clips(list) => {
                if let Some(c) = &mut self.call {
                    let id = c.call_id;
                    c.clips = list.iter().filter(|x| Some(x.call.id) == id).cloned().collect();
                }
                if self.clip_sets.is_some() {
                    self.clip_sets = Some(Some(list));
                }
            }
            StoreEvent::ClipAdded { id, set, clip } => {
                self.clip_form = None;
                if let (Some(c), Some(clip)) = (&mut self.call, clip)
                    && c.call_id == Some(clip.call.id)
                {
                    c.clips.push(*clip);
                }
                self.say(
                    format!(
                        "Clip {id} added to \"{set}\" (export the set with `callqa clips --export DIR`)."
                    ),
                    false,
                );
            }
            StoreEvent::Sample(result) => self.on_sample(result),
            StoreEvent::Report(result) => {
                if let Some(v) = &mut self.reports {
                    v.waiting = false;
                    if let Err(e) = &result {
                        self.message = Some(super::Message {
                            text: e.clone(),
                            error: true,
                            at: std::time::Instant::now(),
                        });
                    }
                    v.data = Some(result);
                }
            }
            StoreEvent::Exported(Ok((path, n))) => {
                self.say(format!("Exported {n} row(s) to {}.", path.display()), false);
            }
            StoreEvent::Exported(Err(e)) => self.say(e, true),
            StoreEvent::Queue { reviewer, items } => {
                if self.reviewer() == Some(reviewer.as_str()) {
                    if let Some(q) = &self.queue_choice
                        && !items.iter().any(|i| &i.queue == q)
                    {
                        self.queue_choice = None;
                    }
                    self.my_queue = Some(items);
                }
            }
            StoreEvent::SearchHits { phrase, hits } => match hits {
                Ok(hits) => self.library.set_said_hits(&phrase, &hits),
                Err(e) => self.say(format!("Cannot search the transcripts: {e}"), true),
            },
            StoreEvent::Sessions(list) => {
                if self.sessions.is_some() {
                    self.sessions = Some(Some(list));
                }
            }
            StoreEvent::Nothing => {}
            StoreEvent::MetricsSaved { .. } => {}
            StoreEvent::Error(e) => self.say(e, true),
            StoreEvent::Connected { login, place } => {
                self.store_place = place;
                // On the team store the reviewer is the login: the name follows it.
                if let Some(login) = login {
                    self.team_login = Some(login.clone());
                    if self.prefs.reviewer.trim() != login {
                        self.editing_reviewer = false;
                        self.push(Command::SetReviewer(login));
                    }
                }
            }
            StoreEvent::KnownReviewers(names) => self.on_known_reviewers(names),
            StoreEvent::SessionCreated(result) => self.on_session_created(result),
        }
    }

    /// Stores the open call's analysis figures once both the analysis and the call's row are
    /// there (whichever came last calls this; the store thread writes them).
    fn save_metrics(&self) {
        let Some(c) = &self.call else { return };
        if let (Some(call_id), Some(a)) = (c.call_id, &c.analysis) {
            let metrics = Box::new(crate::store::CallMetrics::from_analysis(a));
            self.jobs.store(StoreRequest::SaveMetrics { call_id, metrics });
        }
    }

    /// A save the store confirmed: the review is clean if nothing changed since it was sent.
    fn on_saved(
        &mut self,
        req: u64,
        call_id: i64,
        review_id: i64,
        summary: &crate::jobs::store_worker::CallSummary,
        submitted: bool,
    ) {
        if let Some(e) = self.library.by_call_id_mut(call_id) {
            e.set_summary(summary);
        }
        // A submit may finish a queue item.
        self.refresh_queue();
        let mine = self.prefs.reviewer.trim().to_string();
        let status = summary.results.iter().find(|r| r.reviewer == mine).map(|r| {
            if r.submitted {
                CallStatus::Submitted { by: mine.clone() }
            } else {
                CallStatus::Draft { by: mine.clone() }
            }
        });
        self.unsaved.retain_mut(|(_, r)| {
            if r.saving.is_some_and(|(id, _)| id == req) {
                let (_, seq) = r.saving.take().unwrap_or_default();
                r.save_error = None;
                r.review_id = Some(review_id);
                r.dirty = r.edit_seq != seq;
            }
            r.dirty || r.save_in_flight()
        });
        let Some(r) = self.review.as_mut().filter(|r| r.saving.is_some_and(|(id, _)| id == req)) else {
            return;
        };
        let (_, seq) = r.saving.take().unwrap_or_default();
        let was_submitted = r.submitted();
        let was_amending = r.amend_from.take().is_some();
        r.review_id = Some(review_id);
        r.save_error = None;
        r.dirty = r.edit_seq != seq;
        if r.session.is_some() {
            // A calibration review is not in the call's summary: its own save says.
            r.status = if submitted {
                CallStatus::Submitted { by: mine.clone() }
            } else {
                CallStatus::Draft { by: mine.clone() }
            };
        } else if let Some(s) = status {
            r.status = s;
        }
        let in_session = r.session.is_some();
        let submitted_now = r.submitted();
        if was_amending {
            self.say("Amendment saved, with its reason, in the audit log.", false);
        } else if submitted_now && !was_submitted {
            if in_session {
                // Blind no more: the call opens again with the others' answers shown.
                self.say("Calibration review submitted: the other reviewers' answers are shown now.", false);
                if let Some((id, name)) = self.session.clone()
                    && let Some(path) = self.call.as_ref().map(|c| c.path.clone())
                {
                    self.push(Command::OpenSessionCall { session: id, name, path });
                }
            } else {
                self.say("Review submitted.", false);
                if self.prefs.next_after_submit {
                    self.push(Command::NextUnreviewed);
                }
            }
        } else if self.message.as_ref().is_some_and(|m| m.error && m.text.starts_with("Could not save")) {
            self.say("Saved.", false);
        }
    }

    /// A save the team store could not take, kept in the outbox on this computer: the review
    /// is safe (clean), and the window says how many changes wait.
    fn on_queued(&mut self, req: u64, waiting: usize) {
        self.outbox_waiting = waiting;
        self.unsaved.retain_mut(|(_, r)| {
            if r.saving.is_some_and(|(id, _)| id == req) {
                let (_, seq) = r.saving.take().unwrap_or_default();
                r.save_error = None;
                r.dirty = r.edit_seq != seq;
            }
            r.dirty || r.save_in_flight()
        });
        if let Some(r) = self.review.as_mut().filter(|r| r.saving.is_some_and(|(id, _)| id == req)) {
            let (_, seq) = r.saving.take().unwrap_or_default();
            r.save_error = None;
            r.dirty = r.edit_seq != seq;
            r.amend_from = None;
        }
        self.say(
            format!(
                "The team store cannot be reached: your review is kept in the outbox on this computer \
                 ({waiting} change(s) waiting) and is sent when the server is back."
            ),
            false,
        );
    }

    /// A save that failed: the change is kept (still unsaved), said with the call's name, and
    /// tried again.
    fn on_save_failed(&mut self, req: u64, call_id: i64, error: &str) {
        let now = std::time::Instant::now();
        let name = self
            .library
            .entries
            .iter()
            .find(|e| e.call_id == Some(call_id) && e.merged_into.is_none())
            .map_or_else(|| format!("call {call_id}"), |e| e.name.clone());
        let mut retried = true;
        for (_, r) in &mut self.unsaved {
            if r.saving.is_some_and(|(id, _)| id == req) {
                r.saving = None;
                r.save_error = Some((error.to_string(), now));
            }
        }
        if let Some(r) = self.review.as_mut().filter(|r| r.saving.is_some_and(|(id, _)| id == req)) {
            r.saving = None;
            r.save_error = Some((error.to_string(), now));
            // An amendment or a submit is not retried on its own: the person presses again.
            retried = !r.submitted() && !r.amending();
        }
        self.closing = false;
        let then = if retried {
            "Your changes are kept and saving is tried again every 5 s."
        } else {
            "Your changes are kept: press the button again when the problem is fixed."
        };
        self.say(format!("Could not save your review of {name}: {error}. {then}"), true);
    }
}
