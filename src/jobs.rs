//! Named worker threads: load → analyse → save, results over channels (issue 6).
