//! Applying what the workers report: library rows, peaks and analyses, store replies.

use super::library::Probe;
use super::{CallqaApp, Command, Review};
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
                    }
                    Err(e) => c.error = Some(e),
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
            Ok(info) => {
                let req = StoreRequest::UpsertCall {
                    path: path.clone(),
                    hash: info.hash.clone(),
                    meta: Box::new(info.meta.clone()),
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
            StoreEvent::CallRow { path, call_id, status, score } => {
                if let Some(e) = self.library.get_mut(&path) {
                    e.call_id = Some(call_id);
                    e.status = status;
                    e.score = score;
                }
                if self.call.as_ref().is_some_and(|c| c.path == path) && self.review.is_none() {
                    self.load_review();
                }
            }
            StoreEvent::Review(loaded) => {
                let open_id =
                    self.call.as_ref().and_then(|c| self.library.get(&c.path)).and_then(|e| e.call_id);
                if open_id == Some(loaded.call_id) {
                    self.review = Some(Review::from_loaded(*loaded));
                }
            }
            StoreEvent::Saved { call_id, review_id, status, score } => {
                let submitted = matches!(status, crate::jobs::store_worker::CallStatus::Submitted { .. });
                // An amendment saved is not a new submission (no "submitted", no moving on).
                let was_submitted =
                    self.review.as_ref().is_some_and(|r| r.call_id == call_id && r.submitted());
                if let Some(e) = self.library.by_call_id_mut(call_id) {
                    e.status = status.clone();
                    e.score = score;
                }
                if let Some(r) = self.review.as_mut().filter(|r| r.call_id == call_id) {
                    r.status = status;
                    r.review_id = Some(review_id);
                }
                if submitted && was_submitted {
                    self.say("Amendment saved.", false);
                } else if submitted {
                    self.say("Review submitted.", false);
                    if self.prefs.next_after_submit {
                        self.push(Command::NextUnreviewed);
                    }
                }
            }
            StoreEvent::Clips(list) => {
                if self.clip_sets.is_some() {
                    self.clip_sets = Some(Some(list));
                }
            }
            StoreEvent::ClipAdded { id, set } => {
                self.clip_form = None;
                self.say(
                    format!(
                        "Clip {id} added to \"{set}\" (export the set with `callqa clips --export DIR`)."
                    ),
                    false,
                );
            }
            StoreEvent::Error(e) => self.say(e, true),
        }
    }
}
