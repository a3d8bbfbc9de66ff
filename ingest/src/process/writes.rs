//! Where a transaction's writes go: executed one by one, or kept and sent together.
//!
//! On SQLite every statement is a round trip to the connection's own thread (a wake-up
//! there and one back), and a group's deliveries are applied one after the other under
//! the one write lock: the round trips, not SQLite's work, were most of a group's time
//! (a profile at 1,600 deliveries/s showed the machine more than half idle). A group
//! there keeps its writes and sends them as one multi-statement string — SQLite
//! prepares and runs each statement in turn, binding the `?` parameters across them in
//! order — right before the next read (which must see them) and at the end. A failing
//! statement fails the group, which is then processed delivery by delivery as before.
//!
//! PostgreSQL runs prepared statements one at a time (the extended protocol takes one
//! statement per message), so its writes go at once.

use sea_orm::{ConnectionTrait, DbErr, Statement, Value};

pub(crate) struct Writes(Option<Kept>);

/// The writes kept so far: one SQL string and its parameters in order.
#[derive(Default)]
struct Kept {
    sql: String,
    values: Vec<Value>,
}

impl Writes {
    /// Each write executed as it is made.
    pub fn at_once() -> Self {
        Self(None)
    }

    /// Writes kept until [`Self::flush`] where the backend can take them together
    /// (SQLite), else at once.
    pub fn batched(backend: sea_orm::DatabaseBackend) -> Self {
        match backend {
            sea_orm::DatabaseBackend::Sqlite => Self(Some(Kept::default())),
            _ => Self::at_once(),
        }
    }

    /// Whether writes are kept: a kept insert cannot say whether it inserted, so the
    /// caller must know the row is new (on SQLite, under the write lock, it does).
    pub fn batching(&self) -> bool {
        self.0.is_some()
    }

    /// Executes a write, or keeps it.
    pub async fn run<C: ConnectionTrait>(
        &mut self,
        db: &C,
        statement: Statement,
    ) -> Result<(), DbErr> {
        match &mut self.0 {
            Some(kept) => {
                if !kept.sql.is_empty() {
                    kept.sql.push_str(";\n");
                }
                kept.sql.push_str(&statement.sql);
                if let Some(values) = statement.values {
                    kept.values.extend(values.0);
                }
                Ok(())
            }
            None => db.execute_raw(statement).await.map(drop),
        }
    }

    /// Sends what was kept, in one round trip: before a read, and before the commit.
    pub async fn flush<C: ConnectionTrait>(&mut self, db: &C) -> Result<(), DbErr> {
        let Some(kept) = &mut self.0 else {
            return Ok(());
        };
        if kept.sql.is_empty() {
            return Ok(());
        }
        let Kept { sql, values } = std::mem::take(kept);
        db.execute_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            sql,
            values,
        ))
        .await
        .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use sea_orm::{ConnectionTrait, DatabaseBackend, Statement, TransactionTrait};

    use super::Writes;

    fn insert(name: &str, n: i64) -> Statement {
        Statement::from_sql_and_values(
            DatabaseBackend::Sqlite,
            "INSERT INTO t (name, n) VALUES (?, ?)",
            [name.into(), n.into()],
        )
    }

    async fn rows<C: ConnectionTrait>(db: &C) -> Vec<(String, i64)> {
        db.query_all_raw(Statement::from_string(
            DatabaseBackend::Sqlite,
            "SELECT name, n FROM t ORDER BY rowid",
        ))
        .await
        .unwrap()
        .iter()
        .map(|row| {
            (
                row.try_get("", "name").unwrap(),
                row.try_get("", "n").unwrap(),
            )
        })
        .collect()
    }

    /// An in-memory SQLite with one table `t (name UNIQUE, n)`.
    async fn database() -> sea_orm::DatabaseConnection {
        let db = sea_orm::Database::connect("sqlite::memory:").await.unwrap();
        db.execute_unprepared("CREATE TABLE t (name TEXT NOT NULL UNIQUE, n INTEGER NOT NULL)")
            .await
            .unwrap();
        db
    }

    #[tokio::test]
    async fn kept_writes_reach_sqlite_together_with_their_parameters_in_order() {
        let db = database().await;
        let txn = db.begin().await.unwrap();
        let mut writes = Writes::batched(DatabaseBackend::Sqlite);
        assert!(writes.batching());
        writes.run(&txn, insert("a", 1)).await.unwrap();
        writes.run(&txn, insert("b", 2)).await.unwrap();
        let update = Statement::from_sql_and_values(
            DatabaseBackend::Sqlite,
            "UPDATE t SET n = n + ? WHERE name = ?",
            [10.into(), "a".into()],
        );
        writes.run(&txn, update).await.unwrap();
        assert!(rows(&txn).await.is_empty(), "kept until flushed");
        writes.flush(&txn).await.unwrap();
        assert_eq!(
            rows(&txn).await,
            [("a".to_owned(), 11), ("b".to_owned(), 2)]
        );
        // A failing statement fails the flush (the caller rolls back).
        writes.run(&txn, insert("c", 3)).await.unwrap();
        writes.run(&txn, insert("a", 4)).await.unwrap();
        assert!(writes.flush(&txn).await.is_err());
        txn.rollback().await.unwrap();
        assert!(rows(&db).await.is_empty());
    }

    #[tokio::test]
    async fn writes_at_once_are_executed_as_they_come() {
        let db = database().await;
        let mut writes = Writes::at_once();
        assert!(!writes.batching());
        writes.run(&db, insert("a", 1)).await.unwrap();
        assert_eq!(rows(&db).await, [("a".to_owned(), 1)]);
        assert!(writes.run(&db, insert("a", 2)).await.is_err());
    }
}
