//! Review queues in the team store, with the SQLite store's meaning (`store/queues.rs`):
//! everyone reads them ("My queue", `report --queue`); a lead makes them (the server's
//! policies refuse a reviewer). An item is done when its reviewer (anyone, if unassigned) has
//! submitted a review of the call outside calibration sessions.

use std::collections::HashMap;

use postgres::types::ToSql;

use super::calls::utc;
use super::{PgError, PgStore};
use crate::store::{CallRecord, QueueDraft, QueueInfo, QueueItem};

impl PgStore {
    /// Creates a queue with its items in one transaction (audited by the server). A login that
    /// is not a lead is refused ([`PgError::Denied`]); a name already used is refused.
    pub fn create_queue(&mut self, d: &QueueDraft) -> Result<i64, PgError> {
        let mut tx = self.client.transaction()?;
        let id: i64 = tx
            .query_one(
                "INSERT INTO callqa.queues (name, seed, params) VALUES ($1, $2, $3) RETURNING id",
                &[&d.name.trim(), &d.seed.to_string(), &d.params.to_string()],
            )?
            .get(0);
        let st = tx.prepare(
            "INSERT INTO callqa.queue_items (queue_id, call_id, reviewer, position) VALUES ($1, $2, $3, $4)",
        )?;
        for (pos, item) in d.items.iter().enumerate() {
            let pos = i32::try_from(pos).map_err(|_| PgError::BadData("too many queue items".into()))?;
            let reviewer = item.reviewer.as_deref().map(str::trim).filter(|r| !r.is_empty());
            tx.execute(&st, &[&id, &item.call_id, &reviewer, &pos])?;
        }
        tx.commit()?;
        Ok(id)
    }

    /// Every queue, the newest first.
    pub fn queues(&mut self) -> Result<Vec<QueueInfo>, PgError> {
        self.queues_where("true", &[])
    }

    /// The queue with this name, if any.
    pub fn queue_by_name(&mut self, name: &str) -> Result<Option<QueueInfo>, PgError> {
        Ok(self.queues_where("q.name = $1", &[&name.trim()])?.into_iter().next())
    }

    fn queues_where(&mut self, cond: &str, args: &[&(dyn ToSql + Sync)]) -> Result<Vec<QueueInfo>, PgError> {
        let sql = format!(
            "SELECT q.id, q.name, q.seed, q.params, q.created_by, {} FROM callqa.queues q WHERE {cond} \
             ORDER BY q.created_at DESC, q.id DESC",
            utc("q.created_at")
        );
        let rows = self.client.query(&sql, args)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let (id, name, seed, params, created_by, created_at): (
                i64,
                String,
                String,
                String,
                String,
                String,
            ) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?, r.try_get(5)?);
            let seed = seed.parse().map_err(|_| PgError::BadData(format!("queue {name:?} seed {seed:?}")))?;
            let params = serde_json::from_str(&params)
                .map_err(|e| PgError::BadData(format!("queue {name:?} parameters: {e}")))?;
            let items = self.queue_items(id, None)?;
            out.push(QueueInfo {
                id,
                name,
                seed,
                params,
                created_by,
                created_at,
                done: items.iter().filter(|i| i.done).count(),
                items: items.len(),
            });
        }
        Ok(out)
    }

    /// A queue's calls in queue order; only one reviewer's when `reviewer` is given.
    pub fn queue_items(&mut self, queue_id: i64, reviewer: Option<&str>) -> Result<Vec<QueueItem>, PgError> {
        self.items_where("q.id = $1 AND ($2::text IS NULL OR i.reviewer = $2)", &[&queue_id, &reviewer])
    }

    /// "My queue": every item assigned to `reviewer`, the ones not done first, then by queue
    /// (the newest first) and position.
    pub fn my_queue(&mut self, reviewer: &str) -> Result<Vec<QueueItem>, PgError> {
        let mut items = self.items_where("i.reviewer = $1", &[&reviewer.trim()])?;
        items.sort_by_key(|i| i.done); // stable: keeps the queue order within each half
        Ok(items)
    }

    fn items_where(&mut self, cond: &str, args: &[&(dyn ToSql + Sync)]) -> Result<Vec<QueueItem>, PgError> {
        let sql = format!(
            "SELECT q.name, i.position, i.call_id, i.reviewer, EXISTS (SELECT 1 FROM callqa.reviews r \
               WHERE r.call_id = i.call_id AND r.status = 'submitted' \
               AND NOT EXISTS (SELECT 1 FROM callqa.review_sessions rs WHERE rs.review_id = r.id) \
               AND (i.reviewer IS NULL OR r.reviewer = i.reviewer)) \
             FROM callqa.queue_items i JOIN callqa.queues q ON q.id = i.queue_id WHERE {cond} \
             ORDER BY q.created_at DESC, q.id DESC, i.position"
        );
        let rows = self.client.query(&sql, args)?;
        let mut calls: HashMap<i64, CallRecord> = HashMap::new();
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let call_id: i64 = r.try_get(2)?;
            let call = match calls.get(&call_id) {
                Some(c) => c.clone(),
                None => {
                    let c = self.call(call_id)?;
                    calls.insert(call_id, c.clone());
                    c
                }
            };
            out.push(QueueItem {
                queue: r.try_get(0)?,
                position: i64::from(r.try_get::<_, i32>(1)?),
                call,
                reviewer: r.try_get(3)?,
                done: r.try_get(4)?,
            });
        }
        Ok(out)
    }
}
