//! Phrase rules per checklist item. (Being written: see issue 16.)
