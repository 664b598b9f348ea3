//! Scorecard versions: each distinct card content is stored once (canonical JSON + BLAKE3
//! hash). The same name with new content becomes the next version; reviews keep the version
//! they were made with.

use rusqlite::{OptionalExtension, Row, params};

use super::calls::audit;
use super::schema::NOW;
use super::{Store, StoreError, os_user};
use crate::model::scorecard::Scorecard;

/// One stored version of a scorecard.
#[derive(Clone, Debug, PartialEq)]
pub struct CardVersion {
    /// Row id: what reviews refer to.
    pub id: i64,
    pub name: String,
    /// 1, 2, ... per name.
    pub version: i64,
    pub hash: String,
    pub card: Scorecard,
    pub created_at: String,
}

const CARD_COLUMNS: &str = "id, name, version, hash, content, created_at";

fn card_from_row(r: &Row<'_>) -> rusqlite::Result<(i64, String, i64, String, String, String)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
}

fn to_version(raw: (i64, String, i64, String, String, String)) -> Result<CardVersion, StoreError> {
    let (id, name, version, hash, content, created_at) = raw;
    let card = Scorecard::from_json_str(&content)
        .map_err(|e| StoreError::BadData(format!("scorecard {name} v{version}: {e}")))?;
    Ok(CardVersion { id, name, version, hash, card, created_at })
}

impl Store {
    /// The built-in scorecard, stored on first use.
    pub fn default_scorecard(&mut self) -> Result<CardVersion, StoreError> {
        self.ensure_scorecard(&Scorecard::default_card())
    }

    /// Finds this exact card content, or stores it as the next version of its name.
    pub fn ensure_scorecard(&mut self, card: &Scorecard) -> Result<CardVersion, StoreError> {
        card.validate()?;
        let hash = card.content_hash();
        if let Some(found) = self.scorecard_by_hash(&hash)? {
            return Ok(found);
        }
        let content = card.canonical_json();
        let actor = os_user();
        let id = self.write(|tx| {
            let existing: Option<i64> =
                tx.query_row("SELECT id FROM scorecards WHERE hash = ?1", [&hash], |r| r.get(0)).optional()?;
            if let Some(id) = existing {
                return Ok(id);
            }
            let version: i64 = tx.query_row(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM scorecards WHERE name = ?1",
                [&card.name],
                |r| r.get(0),
            )?;
            tx.execute(
                &format!(
                    "INSERT INTO scorecards (name, version, hash, content, created_at) \
                     VALUES (?1, ?2, ?3, ?4, {NOW})"
                ),
                params![card.name, version, hash, content],
            )?;
            let id = tx.last_insert_rowid();
            let detail = serde_json::json!({ "scorecard_id": id, "name": card.name, "version": version, "hash": hash });
            audit(tx, &actor, "add_scorecard", None, None, &detail)?;
            Ok(id)
        })?;
        self.scorecard(id)
    }

    /// The scorecard version with this id.
    pub fn scorecard(&self, id: i64) -> Result<CardVersion, StoreError> {
        let raw = self.read(|c| {
            c.query_row(&format!("SELECT {CARD_COLUMNS} FROM scorecards WHERE id = ?1"), [id], card_from_row)
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("scorecard version {id}")))
        })?;
        to_version(raw)
    }

    /// The stored version with this content hash.
    pub fn scorecard_by_hash(&self, hash: &str) -> Result<Option<CardVersion>, StoreError> {
        let raw = self.read(|c| {
            Ok(c.query_row(
                &format!("SELECT {CARD_COLUMNS} FROM scorecards WHERE hash = ?1"),
                [hash],
                card_from_row,
            )
            .optional()?)
        })?;
        raw.map(to_version).transpose()
    }

    /// Every stored scorecard version, by name then version.
    pub fn scorecards(&self) -> Result<Vec<CardVersion>, StoreError> {
        let raw = self.read(|c| {
            let mut st =
                c.prepare(&format!("SELECT {CARD_COLUMNS} FROM scorecards ORDER BY name, version"))?;
            let rows = st.query_map([], card_from_row)?.collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })?;
        raw.into_iter().map(to_version).collect()
    }
}
