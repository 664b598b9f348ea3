//! Review → Calibration → New session…: a lead makes a blind calibration session in the
//! window — the window's `callqa calibration create`. The calls are picked from those the call
//! list shows when the form opens (its filters apply: narrow the list first; the open call is
//! ticked), the reviewers from every name the database knows plus names typed in. The form's
//! own mistakes (no name, no call, fewer than two reviewers) are said at once; the store
//! thread creates the session with [`crate::store::Store::create_session`] and refuses a name
//! already used. The lead recorded is the window's reviewer name.

use super::CallqaApp;
use crate::jobs::store_worker::StoreRequest;
use crate::store::SessionDraft;

/// A call the form offers.
#[derive(Clone, Debug, PartialEq)]
pub struct FormCall {
    pub call_id: i64,
    pub name: String,
    pub agent: String,
    pub duration_s: Option<f64>,
    pub picked: bool,
}

/// The New session… form: its fields as typed and ticked.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionForm {
    pub name: String,
    /// The calls the call list showed when the form opened.
    pub calls: Vec<FormCall>,
    /// The names to pick from (the database's, then those added here), each with its tick.
    pub reviewers: Vec<(String, bool)>,
    /// The "Add a reviewer" field.
    pub new_reviewer: String,
    /// The database's reviewer names have arrived.
    pub reviewers_loaded: bool,
    /// The session is being created on the store thread.
    pub waiting: bool,
    /// What to fix before the session can be made (shown in the form).
    pub problem: Option<String>,
}

impl SessionForm {
    /// The reviewers ticked, in the order listed.
    pub fn picked_reviewers(&self) -> Vec<String> {
        self.reviewers.iter().filter(|r| r.1).map(|r| r.0.clone()).collect()
    }

    /// The calls ticked, in the order listed.
    pub fn picked_calls(&self) -> Vec<i64> {
        self.calls.iter().filter(|c| c.picked).map(|c| c.call_id).collect()
    }

    /// Ticks `name` (an existing entry when it differs only in case), adding it if new.
    fn tick(&mut self, name: &str) {
        match self.reviewers.iter_mut().find(|r| r.0.to_lowercase() == name.to_lowercase()) {
            Some(r) => r.1 = true,
            None => self.reviewers.push((name.to_string(), true)),
        }
    }

    /// The form checked: the session to create, or what to fix (in the form's words).
    pub fn draft(&self, lead: &str) -> Result<SessionDraft, String> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err("Give the session a name.".into());
        }
        let call_ids = self.picked_calls();
        if call_ids.is_empty() {
            return Err("Tick at least one call to calibrate.".into());
        }
        let reviewers = self.picked_reviewers();
        if reviewers.len() < 2 {
            return Err(format!(
                "Tick at least two reviewers (calibration compares their answers); {} ticked.",
                reviewers.len()
            ));
        }
        Ok(SessionDraft { name: name.to_string(), call_ids, reviewers, created_by: lead.to_string() })
    }
}

impl CallqaApp {
    /// Opens the form on the calls the call list shows now (the open call ticked) and asks
    /// the store for the reviewer names; or closes it.
    pub(super) fn show_new_session(&mut self, show: bool) {
        self.focus_field = show;
        if !show {
            self.session_form = None;
            return;
        }
        let open = self.call.as_ref().and_then(|c| c.call_id);
        let view = self.library.view().to_vec();
        let calls = view
            .iter()
            .filter_map(|&i| self.library.entries.get(i))
            .filter(|e| e.merged_into.is_none() && e.scorable())
            .filter_map(|e| {
                Some(FormCall {
                    call_id: e.call_id?,
                    name: e.name.clone(),
                    agent: e.agent.clone(),
                    duration_s: e.duration_s(),
                    picked: e.call_id == open,
                })
            })
            .collect();
        self.session_form = Some(SessionForm {
            name: String::new(),
            calls,
            reviewers: Vec::new(),
            new_reviewer: String::new(),
            reviewers_loaded: false,
            waiting: false,
            problem: None,
        });
        self.jobs.store(StoreRequest::KnownReviewers);
    }

    /// Adds the name typed in "Add a reviewer" (ticked); a name already listed is ticked.
    pub(super) fn add_session_reviewer(&mut self) {
        let Some(form) = &mut self.session_form else { return };
        let name = form.new_reviewer.trim().to_string();
        if name.is_empty() {
            form.problem = Some("Type the reviewer's name in \"Add a reviewer\" first.".into());
            return;
        }
        form.tick(&name);
        form.new_reviewer.clear();
        form.problem = None;
    }

    /// Checks the form and asks the store thread to create the session; the form stays open
    /// with the reason when something is missing.
    pub(super) fn create_session(&mut self) {
        let lead = self.reviewer().map(str::to_string);
        let Some(form) = &mut self.session_form else { return };
        if form.waiting {
            return;
        }
        // A name typed in "Add a reviewer" but not added yet is meant too.
        if !form.new_reviewer.trim().is_empty() {
            let name = form.new_reviewer.trim().to_string();
            form.tick(&name);
            form.new_reviewer.clear();
        }
        let Some(lead) = lead else {
            form.problem = Some("Enter your name first: the session records you as its lead.".into());
            return;
        };
        match form.draft(&lead) {
            Ok(draft) => {
                form.problem = None;
                form.waiting = true;
                self.jobs.store(StoreRequest::CreateSession(draft));
            }
            Err(why) => form.problem = Some(why),
        }
    }

    /// The database's reviewer names, added to the form's list (unticked).
    pub(super) fn on_known_reviewers(&mut self, names: Result<Vec<String>, String>) {
        let Some(form) = &mut self.session_form else { return };
        form.reviewers_loaded = true;
        match names {
            Ok(names) => {
                for n in names {
                    if !form.reviewers.iter().any(|r| r.0 == n) {
                        form.reviewers.push((n, false));
                    }
                }
            }
            Err(e) => form.problem = Some(format!("The reviewer names cannot be listed: {e}")),
        }
    }

    /// The store's answer: made (the form closes, the session list is asked again), or why
    /// not (the form stays open and says it).
    pub(super) fn on_session_created(&mut self, result: Result<(i64, String), String>) {
        let Some(form) = &mut self.session_form else { return };
        form.waiting = false;
        match result {
            Ok((_, name)) => {
                let (calls, reviewers) = (form.picked_calls().len(), form.picked_reviewers().join(", "));
                self.session_form = None;
                self.focus_field = false;
                self.say(
                    format!(
                        "Calibration session “{name}” created: {calls} call(s), reviewers {reviewers}. \
                         Each finds it under Review → Calibration… to score blind."
                    ),
                    false,
                );
                if self.sessions.is_some() {
                    let reviewer = self.reviewer().map(str::to_string);
                    self.jobs.store(StoreRequest::Sessions { reviewer });
                }
            }
            Err(e) => form.problem = Some(e),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn form() -> SessionForm {
        let call = |id, picked| FormCall {
            call_id: id,
            name: format!("c{id}.wav"),
            agent: String::new(),
            duration_s: Some(30.0),
            picked,
        };
        SessionForm {
            name: " June ".into(),
            calls: vec![call(1, true), call(2, false), call(3, true)],
            reviewers: vec![("Asha".into(), true), ("Ben".into(), false)],
            new_reviewer: String::new(),
            reviewers_loaded: true,
            waiting: false,
            problem: None,
        }
    }

    #[test]
    fn the_form_says_what_is_missing() {
        let mut f = form();
        assert!(f.draft("Priya").unwrap_err().contains("at least two reviewers"));
        f.tick("ben");
        assert_eq!(f.reviewers.len(), 2, "a name differing only in case ticks the listed one");
        let d = f.draft("Priya").unwrap();
        assert_eq!(
            (d.name.as_str(), d.call_ids, d.reviewers),
            ("June", vec![1, 3], vec!["Asha".into(), "Ben".into()])
        );
        assert_eq!(d.created_by, "Priya");
        f.name = "  ".into();
        assert_eq!(f.draft("Priya").unwrap_err(), "Give the session a name.");
        f.name = "June".into();
        f.calls.iter_mut().for_each(|c| c.picked = false);
        assert!(f.draft("Priya").unwrap_err().contains("at least one call"));
    }
}
