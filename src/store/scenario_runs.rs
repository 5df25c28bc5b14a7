//! Training scenario runs (migration 7): who ran which scenario, when, and how it was judged.

use super::{OrStore, Store, StoreError, Tx};
use chrono::{DateTime, Utc};
use rusqlite::params;

/// One run of a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioRun {
    /// Row id.
    pub id: i64,
    /// The scenario's id.
    pub scenario: String,
    /// The trainee's login name.
    pub trainee: String,
    /// Who started it.
    pub trainer: String,
    /// Started, UTC text.
    pub started_at: String,
    /// Ended, UTC text (None while open).
    pub ended_at: Option<String>,
    /// Handled right (None while open).
    pub passed: Option<bool>,
    /// Message keys of the checks missed.
    pub missed: Vec<String>,
}

impl Store {
    /// Every run, oldest first.
    pub fn scenario_runs(&self) -> Result<Vec<ScenarioRun>, StoreError> {
        let mut stmt = self
            .conn()
            .prepare(
                "SELECT id, scenario, trainee, trainer, started_at, ended_at, passed, coalesce(missed, '[]')
                 FROM scenario_runs ORDER BY started_at, id",
            )
            .or_store(self.path())?;
        let rows = stmt
            .query_map([], |r| {
                let missed: String = r.get(7)?;
                Ok(ScenarioRun {
                    id: r.get(0)?,
                    scenario: r.get(1)?,
                    trainee: r.get(2)?,
                    trainer: r.get(3)?,
                    started_at: r.get(4)?,
                    ended_at: r.get(5)?,
                    passed: r.get(6)?,
                    missed: serde_json::from_str(&missed).unwrap_or_default(),
                })
            })
            .or_store(self.path())?;
        rows.map(|r| r.or_store(self.path())).collect()
    }

    /// The run still open, if any.
    pub fn open_scenario_run(&self) -> Result<Option<ScenarioRun>, StoreError> {
        Ok(self.scenario_runs()?.into_iter().rev().find(|r| r.ended_at.is_none()))
    }
}

impl Tx<'_> {
    /// Records a run starting; returns its id.
    pub fn start_scenario_run(
        &self,
        scenario: &str,
        trainee: &str,
        trainer: &str,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        self.conn()
            .execute(
                "INSERT INTO scenario_runs (scenario, trainee, trainer, started_at) VALUES (?1, ?2, ?3, ?4)",
                params![scenario, trainee, trainer, crate::packet::utc_text(at)],
            )
            .or_store(self.path())?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Records how a run was judged.
    pub fn end_scenario_run(
        &self,
        id: i64,
        passed: bool,
        missed: &[String],
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let missed = serde_json::to_string(missed).unwrap_or_else(|_| "[]".into());
        self.conn()
            .execute(
                "UPDATE scenario_runs SET ended_at = ?2, passed = ?3, missed = ?4 WHERE id = ?1",
                params![id, crate::packet::utc_text(at), passed, missed],
            )
            .or_store(self.path())?;
        Ok(())
    }
}
