//! Fonts: egui's defaults plus an embedded Noto Sans Devanagari as a fallback, so Hindi file
//! names, INFO tags, comments and scorecard text render (egui 0.37 shapes Devanagari); and
//! egui's bundled Hack as the proportional family's last fallback, for the few symbols the UI
//! uses (▶ ■ ▲ ▼ ← → ♪). Licence: assets/fonts/LICENSE-NotoSansDevanagari.txt (SIL OFL 1.1).

use std::sync::Arc;

use egui::{FontData, FontDefinitions, FontFamily};

/// Noto Sans Devanagari Regular (from Debian's fonts-noto-core).
pub const NOTO_SANS_DEVANAGARI: &[u8] = include_bytes!("../../assets/fonts/NotoSansDevanagari-Regular.ttf");
const DEVANAGARI: &str = "noto_sans_devanagari";

/// The font definitions the window uses.
pub fn definitions() -> FontDefinitions {
    let mut defs = FontDefinitions::default();
    defs.font_data.insert(DEVANAGARI.to_owned(), Arc::new(FontData::from_static(NOTO_SANS_DEVANAGARI)));
    let has_hack = defs.font_data.contains_key("Hack");
    for (family, extra) in [(FontFamily::Proportional, has_hack), (FontFamily::Monospace, false)] {
        let list = defs.families.entry(family).or_default();
        list.push(DEVANAGARI.to_owned());
        if extra {
            list.push("Hack".to_owned());
        }
    }
    defs
}

/// Installs [`definitions`] on a context. Call once per context (the app's creation, and the
/// kittest harness setup).
pub fn install(ctx: &egui::Context) {
    ctx.set_fonts(definitions());
}
