//! The intake's two databases behind one small interface, so that every query the intake makes
//! is written once: SQLite (a file, one machine) or PostgreSQL (several intake nodes, one truth).
//!
//! SQL is written with `$1`, `$2` … placeholders (PostgreSQL's; SQLite gets `?1`, `?2` …), integer
//! columns are BIGINT and binary ones `{blob}` (BLOB or BYTEA) in the schema.

use super::IntakeError;
use std::sync::{Condvar, Mutex};

/// A value bound to a placeholder.
#[derive(Debug, Clone, Copy)]
pub enum P<'a> {
    /// BIGINT.
    Int(i64),
    /// TEXT.
    Text(&'a str),
    /// BLOB / BYTEA.
    Blob(&'a [u8]),
}

/// A value read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Val {
    /// SQL NULL.
    Null,
    /// An integer.
    Int(i64),
    /// Text.
    Text(String),
    /// Bytes.
    Blob(Vec<u8>),
}

/// One row read back.
#[derive(Debug, Clone)]
pub struct Row(pub Vec<Val>);

impl Row {
    fn at(&self, i: usize) -> Result<&Val, IntakeError> {
        self.0.get(i).ok_or_else(|| IntakeError::Store(format!("a query returned no column {i}")))
    }

    /// Column `i` as an integer.
    pub fn int(&self, i: usize) -> Result<i64, IntakeError> {
        match self.at(i)? {
            Val::Int(v) => Ok(*v),
            other => Err(IntakeError::Store(format!("column {i} is {other:?}, not an integer"))),
        }
    }

    /// Column `i` as text.
    pub fn text(&self, i: usize) -> Result<String, IntakeError> {
        match self.at(i)? {
            Val::Text(v) => Ok(v.clone()),
            other => Err(IntakeError::Store(format!("column {i} is {other:?}, not text"))),
        }
    }

    /// Column `i` as text, or `None` for NULL.
    pub fn opt_text(&self, i: usize) -> Result<Option<String>, IntakeError> {
        match self.at(i)? {
            Val::Null => Ok(None),
            _ => self.text(i).map(Some),
        }
    }

    /// Column `i` as bytes (moved out of the row).
    pub fn take_blob(&mut self, i: usize) -> Result<Vec<u8>, IntakeError> {
        match self.0.get_mut(i).map(|v| std::mem::replace(v, Val::Null)) {
            Some(Val::Blob(v)) => Ok(v),
            other => Err(IntakeError::Store(format!("column {i} is {other:?}, not bytes"))),
        }
    }
}

/// Which engine, for the few statements that differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// Statements inside one transaction.
pub trait Tx {
    /// Runs a statement; returns the rows it changed.
    fn exec(&mut self, sql: &str, params: &[P<'_>]) -> Result<u64, IntakeError>;
    /// Runs a query; returns its rows.
    fn rows(&mut self, sql: &str, params: &[P<'_>]) -> Result<Vec<Row>, IntakeError>;
    /// The engine.
    fn dialect(&self) -> Dialect;

    /// The first row, if any.
    fn row(&mut self, sql: &str, params: &[P<'_>]) -> Result<Option<Row>, IntakeError> {
        Ok(self.rows(sql, params)?.into_iter().next())
    }

    /// Serialises transactions about one key across every node (PostgreSQL's advisory lock; a
    /// SQLite transaction already holds the whole database).
    fn lock_key(&mut self, key: &str) -> Result<(), IntakeError> {
        match self.dialect() {
            Dialect::Sqlite => Ok(()),
            Dialect::Postgres => self.rows("SELECT pg_advisory_xact_lock(hashtext($1))", &[P::Text(key)]).map(|_| ()),
        }
    }
}

/// A database the intake runs transactions on.
pub trait Db: Send + Sync {
    /// Runs `f` in one transaction, committed if it returns `Ok`, rolled back otherwise.
    fn run(&self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<(), IntakeError>) -> Result<(), IntakeError>;
    /// The engine.
    fn dialect(&self) -> Dialect;
}

/// Runs `f` in one transaction and returns what it returns.
pub fn transaction<T>(db: &dyn Db, mut f: impl FnMut(&mut dyn Tx) -> Result<T, IntakeError>) -> Result<T, IntakeError> {
    let mut out = None;
    db.run(&mut |tx| {
        out = Some(f(tx)?);
        Ok(())
    })?;
    out.ok_or_else(|| IntakeError::Store("a transaction ended without its result".into()))
}

/// `$N` placeholders as SQLite's `?N`.
fn sqlite_sql(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

/// The schema with `{blob}` filled in for the engine.
pub fn schema_sql(dialect: Dialect, schema: &str) -> String {
    schema.replace("{blob}", if dialect == Dialect::Sqlite { "BLOB" } else { "BYTEA" })
}

/// SQLite: one connection, one transaction at a time (a single machine's intake).
pub struct Sqlite(Mutex<rusqlite::Connection>);

fn sqlite_err(e: rusqlite::Error) -> IntakeError {
    IntakeError::Store(format!("SQLite: {e}"))
}

impl Sqlite {
    /// Opens (or creates) the database file at `path`.
    pub fn open(path: &std::path::Path) -> Result<Sqlite, IntakeError> {
        let conn = rusqlite::Connection::open(path)
            .map_err(|e| IntakeError::Store(format!("cannot open {}: {e}", path.display())))?;
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 30000;")
            .map_err(|e| IntakeError::Store(format!("{}: {e}", path.display())))?;
        Ok(Sqlite(Mutex::new(conn)))
    }
}

impl rusqlite::ToSql for P<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match self {
            P::Int(v) => ToSqlOutput::from(*v),
            P::Text(v) => ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes())),
            P::Blob(v) => ToSqlOutput::Borrowed(ValueRef::Blob(v)),
        })
    }
}

struct SqliteTx<'a>(&'a rusqlite::Transaction<'a>);

impl Tx for SqliteTx<'_> {
    fn exec(&mut self, sql: &str, params: &[P<'_>]) -> Result<u64, IntakeError> {
        let mut stmt = self.0.prepare_cached(&sqlite_sql(sql)).map_err(sqlite_err)?;
        stmt.execute(rusqlite::params_from_iter(params)).map(|n| n as u64).map_err(sqlite_err)
    }

    fn rows(&mut self, sql: &str, params: &[P<'_>]) -> Result<Vec<Row>, IntakeError> {
        use rusqlite::types::ValueRef;
        let mut stmt = self.0.prepare_cached(&sqlite_sql(sql)).map_err(sqlite_err)?;
        let width = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(params)).map_err(sqlite_err)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(sqlite_err)? {
            let mut values = Vec::with_capacity(width);
            for i in 0..width {
                values.push(match row.get_ref(i).map_err(sqlite_err)? {
                    ValueRef::Null => Val::Null,
                    ValueRef::Integer(v) => Val::Int(v),
                    ValueRef::Real(v) => Val::Int(v as i64),
                    ValueRef::Text(v) => Val::Text(String::from_utf8_lossy(v).into_owned()),
                    ValueRef::Blob(v) => Val::Blob(v.to_vec()),
                });
            }
            out.push(Row(values));
        }
        Ok(out)
    }

    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }
}

impl Db for Sqlite {
    fn run(&self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<(), IntakeError>) -> Result<(), IntakeError> {
        // A panic while holding the lock leaves a connection that is still usable: SQLite rolled back.
        let mut conn = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(sqlite_err)?;
        f(&mut SqliteTx(&tx))?;
        tx.commit().map_err(sqlite_err)
    }

    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }
}

/// PostgreSQL: a small pool of connections, so a long finish does not hold up the chunks other
/// kits are sending.
pub struct Postgres {
    url: String,
    idle: Mutex<(Vec<postgres::Client>, usize)>,
    freed: Condvar,
    max: usize,
}

fn pg_err(e: postgres::Error) -> IntakeError {
    IntakeError::Store(format!("PostgreSQL: {e}"))
}

impl Postgres {
    /// A pool of at most `max` connections to `url` (one is made now, to fail early).
    pub fn connect(url: &str, max: usize) -> Result<Postgres, IntakeError> {
        let pool = Postgres { url: url.to_string(), idle: Mutex::new((Vec::new(), 0)), freed: Condvar::new(), max };
        let first = pool.new_client()?;
        *pool.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = (vec![first], 1);
        Ok(pool)
    }

    fn new_client(&self) -> Result<postgres::Client, IntakeError> {
        postgres::Client::connect(&self.url, postgres::NoTls).map_err(|e| {
            IntakeError::Store(format!(
                "cannot connect to PostgreSQL ({e}): check the connection string and that the server runs"
            ))
        })
    }

    fn take(&self) -> Result<postgres::Client, IntakeError> {
        let mut idle = self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        loop {
            if let Some(client) = idle.0.pop() {
                if !client.is_closed() {
                    return Ok(client);
                }
                idle.1 -= 1;
                continue;
            }
            if idle.1 < self.max {
                idle.1 += 1;
                drop(idle);
                return self.new_client().inspect_err(|_| {
                    self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner).1 -= 1;
                    self.freed.notify_one();
                });
            }
            idle = self.freed.wait(idle).unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }

    fn give_back(&self, client: postgres::Client) {
        let mut idle = self.idle.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if client.is_closed() {
            idle.1 -= 1;
        } else {
            idle.0.push(client);
        }
        self.freed.notify_one();
    }
}

struct PgTx<'a, 'b>(&'a mut postgres::Transaction<'b>);

fn pg_params<'p>(params: &'p [P<'_>]) -> Vec<&'p (dyn postgres::types::ToSql + Sync)> {
    params
        .iter()
        .map(|p| match p {
            P::Int(v) => v as &(dyn postgres::types::ToSql + Sync),
            P::Text(v) => v as &(dyn postgres::types::ToSql + Sync),
            P::Blob(v) => v as &(dyn postgres::types::ToSql + Sync),
        })
        .collect()
}

impl Tx for PgTx<'_, '_> {
    fn exec(&mut self, sql: &str, params: &[P<'_>]) -> Result<u64, IntakeError> {
        self.0.execute(sql, &pg_params(params)).map_err(pg_err)
    }

    fn rows(&mut self, sql: &str, params: &[P<'_>]) -> Result<Vec<Row>, IntakeError> {
        use postgres::types::Type;
        let rows = self.0.query(sql, &pg_params(params)).map_err(pg_err)?;
        rows.iter()
            .map(|row| {
                (0..row.len())
                    .map(|i| {
                        let ty = row.columns()[i].type_();
                        let value = if *ty == Type::INT8 {
                            row.try_get::<_, Option<i64>>(i).map(|v| v.map_or(Val::Null, Val::Int))
                        } else if *ty == Type::INT4 {
                            row.try_get::<_, Option<i32>>(i).map(|v| v.map_or(Val::Null, |v| Val::Int(v.into())))
                        } else if *ty == Type::BYTEA {
                            row.try_get::<_, Option<Vec<u8>>>(i).map(|v| v.map_or(Val::Null, Val::Blob))
                        } else if *ty == Type::VOID {
                            Ok(Val::Null)
                        } else {
                            row.try_get::<_, Option<String>>(i).map(|v| v.map_or(Val::Null, Val::Text))
                        };
                        value.map_err(pg_err)
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map(Row)
            })
            .collect()
    }

    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }
}

impl Db for Postgres {
    fn run(&self, f: &mut dyn FnMut(&mut dyn Tx) -> Result<(), IntakeError>) -> Result<(), IntakeError> {
        let mut client = self.take()?;
        let result = (|| {
            let mut tx = client.transaction().map_err(pg_err)?;
            f(&mut PgTx(&mut tx))?;
            tx.commit().map_err(pg_err)
        })();
        self.give_back(client);
        result
    }

    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_sqlites_numbered_ones() {
        assert_eq!(sqlite_sql("SELECT a FROM t WHERE b = $1 AND c = $12"), "SELECT a FROM t WHERE b = ?1 AND c = ?12");
        assert_eq!(sqlite_sql("SELECT '$' || x"), "SELECT '$' || x");
    }

    #[test]
    fn a_sqlite_transaction_commits_on_ok_and_rolls_back_on_error() {
        let dir = tempfile::tempdir().unwrap();
        let db = Sqlite::open(&dir.path().join("t.db")).unwrap();
        transaction(&db, |tx| tx.exec("CREATE TABLE t (n BIGINT, s TEXT, b BLOB)", &[])).unwrap();
        transaction(&db, |tx| {
            tx.exec("INSERT INTO t VALUES ($1, $2, $3)", &[P::Int(7), P::Text("x"), P::Blob(b"\0\x01")])
        })
        .unwrap();
        let failed: Result<(), _> = transaction(&db, |tx| {
            tx.exec("INSERT INTO t VALUES ($1, $2, $3)", &[P::Int(8), P::Text("y"), P::Blob(b"")])?;
            Err(IntakeError::Store("stop".into()))
        });
        assert!(failed.is_err());
        let mut rows = transaction(&db, |tx| tx.rows("SELECT n, s, b, NULL FROM t", &[])).unwrap();
        assert_eq!(rows.len(), 1, "the failed transaction left nothing");
        assert_eq!((rows[0].int(0).unwrap(), rows[0].text(1).unwrap()), (7, "x".to_string()));
        assert_eq!(rows[0].take_blob(2).unwrap(), b"\0\x01");
        assert_eq!(rows[0].opt_text(3).unwrap(), None);
    }
}
