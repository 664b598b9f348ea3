//! Review queues: a named list of calls (a sample, see [`crate::model::sample`]), each
//! assigned to a reviewer or to no one, with the seed and the parameters that drew it. A
//! queue is created whole in one transaction with an audit row (`create_queue`) that lists
//! every item; queues are not edited afterwards.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::calls::{self, CallRecord};
use super::schema::NOW;
use super::{Store, StoreError};

/// A queue to create.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueDraft {
    /// Unique among queues; not empty.
    pub name: String,
    pub seed: u64,
    /// How the sample was drawn (stored as given, for the record).
    pub params: serde_json::Value,
    /// Who made it (for the audit log); not empty.
    pub created_by: String,
    /// In queue order; each call at most once.
    pub items: Vec<QueueItemDraft>,
}

/// One call of a queue to create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueItemDraft {
    pub call_id: i64,
    pub reviewer: Option<String>,
}

/// A stored queue, without its items.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QueueInfo {
    pub id: i64,
    pub name: String,
    pub seed: u64,
    pub params: serde_json::Value,
    pub created_by: String,
    pub created_at: String,
    /// Calls in the queue.
    pub items: usize,
    /// Of those, how many are done (see [`QueueItem::done`]).
    pub done: usize,
}

/// One call of a stored queue.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QueueItem {
    pub queue: String,
    /// Order in the queue, from 0.
    pub position: i64,
    #[serde(skip)]
    pub call: CallRecord,
    pub reviewer: Option<String>,
    /// The assigned reviewer has submitted a review of the call (an unassigned item: anyone
    /// has).
    pub done: bool,
}

impl Store {
    /// Creates a queue with its items, one transaction and one audit row. Refused by the
    /// schema's constraints (nothing written; a `StoreError::Sql` naming the constraint): an
    /// empty name or creator, a name already used, a call listed twice, an unknown call.
    /// Callers check the name first ([`Store::queue_by_name`]) to say it in their own words.
    pub fn create_queue(&mut self, d: &QueueDraft) -> Result<i64, StoreError> {
        let name = d.name.trim().to_string();
        let by = d.created_by.trim().to_string();
        let items: Vec<(i64, Option<&str>)> = d
            .items
            .iter()
            .map(|i| (i.call_id, i.reviewer.as_deref().map(str::trim).filter(|r| !r.is_empty())))
            .collect();
        self.write(|tx| {
            tx.execute(
                &format!(
                    "INSERT INTO queues (name, seed, params, created_by, created_at) \
                     VALUES (?1, ?2, ?3, ?4, {NOW})"
                ),
                params![name, d.seed.to_string(), d.params.to_string(), by],
            )?;
            let id = tx.last_insert_rowid();
            {
                let mut st = tx.prepare_cached(
                    "INSERT INTO queue_items (queue_id, call_id, reviewer, position) VALUES (?1, ?2, ?3, ?4)",
                )?;
                for (pos, (call_id, reviewer)) in items.iter().enumerate() {
                    st.execute(params![id, call_id, reviewer, pos as i64])?;
                }
            }
            let listed: Vec<serde_json::Value> =
                items.iter().map(|i| serde_json::json!([i.0, i.1])).collect();
            let detail = serde_json::json!({
                "queue": id, "name": name, "seed": d.seed.to_string(), "params": d.params, "items": listed,
            });
            calls::audit(tx, &by, "create_queue", None, None, &detail)?;
            Ok(id)
        })
    }

    /// Every queue, the newest first.
    pub fn queues(&self) -> Result<Vec<QueueInfo>, StoreError> {
        let ids: Vec<i64> = self.read(|c| {
            let mut st = c.prepare("SELECT id FROM queues ORDER BY created_at DESC, id DESC")?;
            let ids = st.query_map([], |r| r.get(0))?.collect::<Result<Vec<_>, _>>()?;
            Ok(ids)
        })?;
        ids.into_iter().map(|id| self.queue_info(id)).collect()
    }

    /// The queue with this name, if any.
    pub fn queue_by_name(&self, name: &str) -> Result<Option<QueueInfo>, StoreError> {
        let id: Option<i64> = self.read(|c| {
            Ok(c.query_row("SELECT id FROM queues WHERE name = ?1", [name.trim()], |r| r.get(0))
                .optional()?)
        })?;
        id.map(|id| self.queue_info(id)).transpose()
    }

    fn queue_info(&self, id: i64) -> Result<QueueInfo, StoreError> {
        let raw = self.read(|c| {
            c.query_row(
                "SELECT id, name, seed, params, created_by, created_at FROM queues WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                    ))
                },
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("queue {id}")))
        })?;
        let (id, name, seed, params, created_by, created_at) = raw;
        let seed = seed.parse().map_err(|_| StoreError::BadData(format!("queue {name:?} seed {seed:?}")))?;
        let params = serde_json::from_str(&params)
            .map_err(|e| StoreError::BadData(format!("queue {name:?} parameters: {e}")))?;
        let items = self.queue_items(id, None)?;
        Ok(QueueInfo {
            id,
            name,
            seed,
            params,
            created_by,
            created_at,
            done: items.iter().filter(|i| i.done).count(),
            items: items.len(),
        })
    }

    /// A queue's calls in queue order; only one reviewer's when `reviewer` is given.
    pub fn queue_items(&self, queue_id: i64, reviewer: Option<&str>) -> Result<Vec<QueueItem>, StoreError> {
        self.items_where("q.id = ?1 AND (?2 IS NULL OR i.reviewer = ?2)", params![queue_id, reviewer])
    }

    /// "My queue": every item assigned to `reviewer` in every queue, the ones not done first,
    /// then by queue (the newest first) and position.
    pub fn my_queue(&self, reviewer: &str) -> Result<Vec<QueueItem>, StoreError> {
        let mut items = self.items_where("i.reviewer = ?1", params![reviewer.trim()])?;
        items.sort_by_key(|i| i.done); // stable: keeps the queue order within each half
        Ok(items)
    }

    fn items_where(&self, cond: &str, args: impl rusqlite::Params) -> Result<Vec<QueueItem>, StoreError> {
        let rows: Vec<(String, i64, i64, Option<String>, bool)> = self.read(|c| {
            let mut st = c.prepare(&format!(
                "SELECT q.name, i.position, i.call_id, i.reviewer, EXISTS (SELECT 1 FROM reviews r \
                   WHERE r.call_id = i.call_id AND r.status = 'submitted' \
                   AND NOT EXISTS (SELECT 1 FROM review_sessions rs WHERE rs.review_id = r.id) \
                   AND (i.reviewer IS NULL OR r.reviewer = i.reviewer)) \
                 FROM queue_items i JOIN queues q ON q.id = i.queue_id WHERE {cond} \
                 ORDER BY q.created_at DESC, q.id DESC, i.position"
            ))?;
            let rows = st
                .query_map(args, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })?;
        rows.into_iter()
            .map(|(queue, position, call_id, reviewer, done)| {
                Ok(QueueItem { queue, position, call: self.call(call_id)?, reviewer, done })
            })
            .collect()
    }
}
