//! The `Command` enum: everything a button, menu, shortcut or drop can ask the app to do.
//! [`super::CallqaApp::apply`] is the one function that carries them out.

use std::path::PathBuf;

use crate::model::Speaker;
use crate::model::scorecard::Answer;

use super::library::{SortKey, StatusFilter};

/// One thing the user asked for.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    // Opening calls
    /// Add files and folders to the library (folders are scanned recursively); the first file opens.
    Open(Vec<PathBuf>),
    /// Show the system file dialog (several files).
    OpenFilesDialog,
    /// Show the system folder dialog.
    OpenFolderDialog,
    /// Show the in-app path field / file browser (works where no desktop portal answers).
    ShowOpenPath(bool),
    /// List the folder the path field points into (on a worker thread).
    ListPath(String),
    /// Open (or close) the "clip this moment" form.
    ShowClipForm(bool),
    /// Add the clip the form describes to its coaching set.
    AddClip,
    /// Open (or close) the coaching-sets window.
    ShowClipSets(bool),
    /// Open a clip's call at the clip's start, with the clip highlighted.
    GoToClip {
        path: std::path::PathBuf,
        start_s: f64,
        end_s: f64,
    },
    /// Remove a clip from its set.
    RemoveClip(i64),
    /// Open the call at this library path in the workspace.
    SelectCall(PathBuf),
    /// Open the next call that has no submitted review: in the chosen queue (or in "My
    /// queue" while it is shown), else in the library's shown order.
    NextUnreviewed,
    /// Show "My queue" in the call list (true) or every call (false).
    ShowMyQueue(bool),
    /// Go through this queue with "Next unreviewed" (`None`: every queue of mine / the library).
    ChooseQueue(Option<String>),
    /// Ask the store for this reviewer's queue again.
    RefreshQueue,
    /// Open (or close) the Sample… dialog.
    ShowSampleForm(bool),
    /// Draw the sample the dialog describes and list it (nothing stored).
    PreviewSample,
    /// Draw it and store it as a review queue.
    CreateQueue,
    /// Open (or close) the Reports window.
    ShowReports(bool),
    /// Compute the report under the window's filters (on the store thread).
    LoadReport,
    /// List this agent's calls under the tables (`None`: none).
    ReportAgent(Option<String>),
    /// Write a table of the report as CSV into the window's folder.
    ExportReport(super::reports::ReportTable),

    // Calibration sessions
    /// Review → Calibration: lists the sessions (and their figures once the asker may see them).
    ShowCalibration,
    HideCalibration,
    /// Opens a call of a calibration session, to score it blind in the session.
    OpenSessionCall {
        session: i64,
        name: String,
        path: std::path::PathBuf,
    },
    /// Back to ordinary reviews (the open call is opened again outside the session).
    LeaveSession,

    // Transcript
    /// The transcript panel's find text (matches are highlighted).
    FindInTranscript(String),
    /// Jump to the next (true) or previous match of the find text and play from there.
    NextTranscriptMatch(bool),

    // Library
    SetFilter(String),
    /// The library's "Said…" filter: only calls whose transcript has this phrase.
    SetSaidFilter(String),
    SetStatusFilter(StatusFilter),
    SortBy(SortKey),

    // Playback
    TogglePlay,
    Play,
    Pause,
    Stop,
    /// Seek to a call time, seconds.
    Seek(f64),
    /// Seek by a number of seconds from the playhead.
    SeekBy(f64),
    SeekStart,
    SeekEnd,
    SetVolume(f32),
    /// Mute or unmute one side.
    SetMute(Speaker, bool),
    /// Hear only this side (`None`: both).
    Solo(Option<Speaker>),
    SetSpeed(f32),
    /// One step faster (+1) or slower (-1) on the speed ladder.
    SpeedStep(i32),
    SetSkipSilence(bool),
    SetAutoRewind(bool),
    /// Jump to the next (+1) or previous (-1) overtalk, silence or hold start, with a pre-roll.
    JumpEvent(i32),

    // Waveform view
    /// Zoom by a factor (> 1 zooms in) around a call time (`None`: the view centre).
    Zoom {
        factor: f64,
        anchor_s: Option<f64>,
    },
    /// Scroll the view to start at this time.
    ScrollTo(f64),
    /// Scroll by a fraction of the visible span.
    ScrollBy(f64),
    /// Show the whole call.
    FitWhole,

    // Scorecard
    SelectItem(usize),
    /// Answer an item; `stamp` also adds the playhead as evidence.
    SetAnswer {
        key: String,
        answer: Option<Answer>,
        stamp: bool,
    },
    SetComment {
        key: String,
        text: String,
    },
    /// Add the playhead time to the item's evidence (never to an N.A. item).
    StampPlayhead {
        key: String,
    },
    /// Take one evidence time off an item.
    Unstamp {
        key: String,
        time_s: f64,
    },
    /// Take back the last answer or evidence change of a draft (Ctrl+Z).
    Undo,
    /// Focus the comment box of the selected item.
    FocusComment,
    SaveDraft,
    Submit,
    /// Open the submitted review for changes.
    Amend,
    /// Ask for the reason of the amendment (the last step before it is saved).
    AskAmendReason,
    /// Save the amendment with this reason (kept in the audit row).
    SaveAmendment(String),
    /// Leave amend mode: the submitted review is restored as it was.
    CancelAmend,
    SetReviewer(String),
    /// Open the reviewer-name field ("change"), with the keyboard.
    EditReviewer,
    /// Close the reviewer-name field, keeping the name as it was.
    CancelEditReviewer,
    ShowShortcuts(bool),
    /// Show or hide the call list / the scorecard panel.
    ShowLibrary(bool),
    ShowScorecard(bool),
    /// Dismiss the message banner.
    DismissMessage,
    /// Esc: close the topmost dialog or field, changing nothing.
    Cancel,
    /// The window is being closed with unsaved changes: ask what to do.
    CloseRequested,
    /// The answer to that question.
    Close(super::CloseChoice),

    // Calibration sessions, made in the window
    /// Review → Calibration → New session…: open (or close) the form.
    ShowNewSession(bool),
    /// Add the name typed in the form's "Add a reviewer" field to its reviewers (checked).
    AddSessionReviewer,
    /// Create the session the form describes (checked here, stored on the store thread).
    CreateSession,

    // Where the reviews are
    /// File → Review store…: open (or close) the form.
    ShowStoreForm(bool),
    /// Use this team store URL (`Some`) or this computer's review database (`None`) from the
    /// next start.
    UseStore(Option<String>),
}
