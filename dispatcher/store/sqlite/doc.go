// Package sqlite is the embedded store.Store: one SQLite file, the default journal of a
// dispatcher that runs as a single replica.
//
// Guarantees:
//   - Durability: the file is in WAL mode with synchronous=FULL unless told otherwise, so a
//     call that returned without error is on disk (fsync) and survives a crash of the
//     process or the machine.
//   - Atomicity: one Intake, one Apply batch, one Claim is one unit; a failed call leaves
//     nothing behind. A forbidden transition, a version conflict or a missing line fails
//     that change only and writes nothing for it.
//   - Group commit: every write goes through one writer connection. Calls made while a
//     commit is in progress are gathered and committed together in the next transaction,
//     each in its own savepoint, so concurrent callers share one fsync without sharing
//     failures. Reads use a separate pool of read-only connections and never wait for
//     the writer.
//   - Schema: the migrations embedded in the binary are applied at Open, in order, each
//     once; the applied versions are kept in schema_migrations.
//
// The driver is modernc.org/sqlite (pure Go, CGO_ENABLED=0). It was chosen against
// github.com/ncruces/go-sqlite3 by BenchmarkPipeline (see BENCHMARKS.md, "Store").
package sqlite
