//! Fonts: egui's defaults plus an embedded Noto Sans Devanagari as a fallback, so Hindi file
//! names, INFO tags, comments and scorecard text render (egui 0.37 shapes Devanagari).
//! Licence: assets/fonts/LICENSE-NotoSansDevanagari.txt (SIL OFL 1.1).

use egui::epaint::text::{FontInsert, FontPriority, InsertFontFamily};
use egui::{FontData, FontFamily};

/// Noto Sans Devanagari Regular (from Debian's fonts-noto-core).
pub const NOTO_SANS_DEVANAGARI: &[u8] = include_bytes!("../../assets/fonts/NotoSansDevanagari-Regular.ttf");

/// Adds the Devanagari font as the last fallback of both families. Call once per context
/// (the app's creation, and the kittest harness setup).
pub fn install(ctx: &egui::Context) {
    ctx.add_font(FontInsert::new(
        "noto_sans_devanagari",
        FontData::from_static(NOTO_SANS_DEVANAGARI),
        vec![
            InsertFontFamily { family: FontFamily::Proportional, priority: FontPriority::Lowest },
            InsertFontFamily { family: FontFamily::Monospace, priority: FontPriority::Lowest },
        ],
    ));
}
