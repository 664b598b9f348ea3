//! Normalising text for matching. (Being written: see issue 16.)
