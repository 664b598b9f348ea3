//! The review store: the only place with SQL (issue 5).
