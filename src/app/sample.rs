//! The Sample… dialog (Review menu): a lead draws a reproducible per-agent sample of the
//! calls the database knows (the procedure is [`crate::model::sample`], run on the store
//! thread), looks at it, and stores it as a named review queue assigned to reviewers — the
//! window's `callqa sample`. The seed is prefilled at random, shown, and stored with the queue.

use super::CallqaApp;
use crate::jobs::store_worker::{NewQueue, SamplePreview, SampleSpec, StoreRequest};
use crate::model::sample::{SampleFilter, SplitMix64, Stratify};

/// The dialog's fields, as typed, and the last sample drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct SampleForm {
    pub per_agent: String,
    pub seed: String,
    /// How picks are spread over each agent's calls.
    pub stratify: Stratify,
    pub exclude_reviewed: bool,
    /// Seconds.
    pub min_duration: String,
    /// `YYYY-MM-DD` or empty.
    pub from: String,
    pub to: String,
    pub name: String,
    /// Reviewers, comma-separated.
    pub assign: String,
    /// The sample for the fields as they were when asked (`None`: not drawn yet).
    pub preview: Option<Box<SamplePreview>>,
    /// A request is on the store thread.
    pub waiting: bool,
}

impl SampleForm {
    /// A new form with a random seed.
    pub fn new() -> SampleForm {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        // Mixed, and kept below 2^53 so a spreadsheet or JSON reader shows it exactly.
        let seed = SplitMix64::new(nanos ^ u64::from(std::process::id())).next_u64() % 1_000_000_000;
        SampleForm {
            per_agent: "5".into(),
            seed: seed.to_string(),
            stratify: Stratify::Duration,
            exclude_reviewed: true,
            min_duration: "0".into(),
            from: String::new(),
            to: String::new(),
            name: String::new(),
            assign: String::new(),
            preview: None,
            waiting: false,
        }
    }

    /// The fields checked: what to sample, or what to fix (said in the dialog's words).
    pub fn spec(&self) -> Result<SampleSpec, String> {
        let per_agent = match self.per_agent.trim().parse::<usize>() {
            Ok(n) if n >= 1 => n,
            _ => {
                return Err(format!(
                    "Calls per agent must be a whole number, 1 or more (not {:?}).",
                    self.per_agent
                ));
            }
        };
        let seed =
            self.seed.trim().parse::<u64>().map_err(|_| {
                format!("The seed must be a whole number of 0 or more (not {:?}).", self.seed)
            })?;
        let min_duration_s = match self.min_duration.trim() {
            "" => 0.0,
            t => match t.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => v,
                _ => return Err(format!("Min duration must be 0 or more seconds (not {t:?}).")),
            },
        };
        let (from, to) = super::date_range(&self.from, &self.to)?;
        let mut assign: Vec<String> = Vec::new();
        for r in self.assign.split(',').map(str::trim).filter(|r| !r.is_empty()) {
            if !assign.iter().any(|x| x == r) {
                assign.push(r.to_string());
            }
        }
        Ok(SampleSpec {
            per_agent,
            seed,
            filter: SampleFilter { from, to, min_duration_s, exclude_reviewed: self.exclude_reviewed },
            stratify: self.stratify,
            assign,
        })
    }
}

impl Default for SampleForm {
    fn default() -> Self {
        SampleForm::new()
    }
}

impl CallqaApp {
    /// Preview (`create` false) or create the queue: checked here, drawn on the store thread.
    pub(super) fn ask_sample(&mut self, create: bool) {
        let Some(form) = &self.sample_form else { return };
        let spec = match form.spec() {
            Ok(s) => s,
            Err(e) => {
                self.say(e, true);
                return;
            }
        };
        let create = if create {
            let name = form.name.trim().to_string();
            if name.is_empty() {
                self.say("Give the queue a name first.", true);
                return;
            }
            let Some(by) = self.reviewer().map(str::to_string) else {
                self.say("Enter your name first: the queue records who made it.", true);
                return;
            };
            Some(NewQueue { name, created_by: by })
        } else {
            None
        };
        if let Some(f) = &mut self.sample_form {
            f.waiting = true;
        }
        self.jobs.store(StoreRequest::Sample { spec: Box::new(spec), create });
    }

    /// The store's answer: the preview is shown; a queue made closes the dialog.
    pub(super) fn on_sample(&mut self, result: Result<Box<SamplePreview>, String>) {
        let Some(form) = &mut self.sample_form else { return };
        form.waiting = false;
        match result {
            Ok(p) => match p.queue.clone() {
                Some((_, name)) => {
                    let (n, seed) = (p.rows.len(), p.spec.seed);
                    self.sample_form = None;
                    self.say(format!("Queue \"{name}\" created: {n} call(s), seed {seed}."), false);
                    self.refresh_queue();
                }
                None => form.preview = Some(p),
            },
            Err(e) => self.say(e, true),
        }
    }
}
