//! Every colour and size the review window uses, in one place.

use egui::Color32;

/// Waveform of the agent lane.
pub const AGENT_WAVE: Color32 = Color32::from_rgb(0x4a, 0x90, 0xd9);
/// Waveform of the customer lane.
pub const CUSTOMER_WAVE: Color32 = Color32::from_rgb(0x3f, 0xb0, 0x6f);
/// Waveform of a mono ("Mixed") lane.
pub const MIXED_WAVE: Color32 = Color32::from_rgb(0x8a, 0x8f, 0xc8);
/// Lane background.
pub const LANE_BG: Color32 = Color32::from_rgb(0x1c, 0x1f, 0x24);
/// Talk-span bar under a lane.
pub const TALK_BAR: Color32 = Color32::from_rgba_premultiplied(0x70, 0x78, 0x88, 0x90);

/// Overtalk started by the agent (the agent interrupted).
pub const OVERTALK_AGENT: Color32 = Color32::from_rgba_premultiplied(0x38, 0x12, 0x0a, 0x38);
/// Overtalk started by the customer.
pub const OVERTALK_CUSTOMER: Color32 = Color32::from_rgba_premultiplied(0x34, 0x28, 0x04, 0x38);
/// Solid marker colours (ruler ticks, legend) for the two overtalk kinds.
pub const OVERTALK_AGENT_SOLID: Color32 = Color32::from_rgb(0xe0, 0x50, 0x30);
pub const OVERTALK_CUSTOMER_SOLID: Color32 = Color32::from_rgb(0xe8, 0xb8, 0x20);
/// Dead air.
pub const SILENCE: Color32 = Color32::from_rgba_premultiplied(0x22, 0x22, 0x28, 0x40);
pub const SILENCE_SOLID: Color32 = Color32::from_rgb(0x90, 0x90, 0xa0);
/// Hold music.
pub const HOLD: Color32 = Color32::from_rgba_premultiplied(0x28, 0x10, 0x38, 0x40);
pub const HOLD_SOLID: Color32 = Color32::from_rgb(0xb0, 0x70, 0xe0);
/// The event a jump landed on.
pub const HIGHLIGHT: Color32 = Color32::from_rgb(0xff, 0xff, 0xff);

/// Playhead line.
pub const PLAYHEAD: Color32 = Color32::from_rgb(0xff, 0x40, 0x40);
/// Time ruler text and ticks.
pub const RULER: Color32 = Color32::from_rgb(0xa0, 0xa4, 0xac);

/// Warning banners (no audio device, file warnings).
pub const BANNER_BG: Color32 = Color32::from_rgb(0x5a, 0x45, 0x10);
pub const BANNER_TEXT: Color32 = Color32::from_rgb(0xff, 0xf0, 0xc0);
/// Error text (broken files, failed saves).
pub const ERROR: Color32 = Color32::from_rgb(0xff, 0x70, 0x60);
/// Review status colours in the library.
pub const STATUS_NONE: Color32 = Color32::from_rgb(0x90, 0x90, 0x90);
pub const STATUS_DRAFT: Color32 = Color32::from_rgb(0xe8, 0xb8, 0x20);
pub const STATUS_SUBMITTED: Color32 = Color32::from_rgb(0x50, 0xc0, 0x70);
/// Answer buttons.
pub const ANSWER_YES: Color32 = Color32::from_rgb(0x2e, 0x7d, 0x32);
pub const ANSWER_NO: Color32 = Color32::from_rgb(0xb7, 0x1c, 0x1c);
pub const ANSWER_NA: Color32 = Color32::from_rgb(0x55, 0x5a, 0x64);

/// Height of one waveform lane, points.
pub const LANE_HEIGHT: f32 = 120.0;
/// Height of the time ruler, points.
pub const RULER_HEIGHT: f32 = 22.0;
/// Height of the talk bar under each lane, points.
pub const TALK_BAR_HEIGHT: f32 = 5.0;

/// The colour of an overtalk span by who started it (translucent, for overlays).
pub fn overtalk_fill(by: crate::model::Speaker) -> Color32 {
    match by {
        crate::model::Speaker::Agent => OVERTALK_AGENT,
        crate::model::Speaker::Customer => OVERTALK_CUSTOMER,
    }
}

/// The solid colour of an overtalk marker by who started it.
pub fn overtalk_solid(by: crate::model::Speaker) -> Color32 {
    match by {
        crate::model::Speaker::Agent => OVERTALK_AGENT_SOLID,
        crate::model::Speaker::Customer => OVERTALK_CUSTOMER_SOLID,
    }
}
/// A coaching clip to copy / to avoid.
pub const GOOD: Color32 = Color32::from_rgb(0x5c, 0xc8, 0x7a);
pub const BAD: Color32 = Color32::from_rgb(0xff, 0x70, 0x60);
