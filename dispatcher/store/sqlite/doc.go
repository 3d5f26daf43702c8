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
//   - Checkpoints: a background connection copies the WAL into the database file
//     (PASSIVE checkpoints, every second by default), so commits do not pay for it.
//   - Schema: the migrations embedded in the binary are applied at Open, in order, each
//     once; the applied versions are kept in schema_migrations. A file written by a newer
//     schema is refused.
//   - Claims: leases are kept like any other write, so they survive a restart; a claimed
//     line is due again when its lease ends (the due_at column is the later of
//     NextAttemptAt and the lease's end, and Claim reads it through an index, one state at
//     a time, so a claim costs the same whatever the backlog).
//
// Open one Store per file. A second process opening the same file stays correct (every
// write transaction is BEGIN IMMEDIATE, so SQLite's file locks serialize the two writers
// and a claim's read and lease are one transaction) but waits on the other's locks, up to
// the busy timeout: the figures in BENCHMARKS.md are for one process.
//
// # Driver
//
// The driver is modernc.org/sqlite (pure Go, so the image builds with CGO_ENABLED=0).
// It was measured against github.com/ncruces/go-sqlite3 v0.37.0 (also pure Go, SQLite
// compiled from Wasm to Go) with the storetest benchmarks, alternating three runs of each
// on the shared 2-core machine (load average 13-17). Process CPU time per order, the
// figure that the load disturbs least (median of 3):
//
//	shape                        modernc    ncruces
//	Pipeline batch=32 workers=16  110 µs     118 µs
//	Pipeline batch=1 workers=128  151 µs     147 µs
//	Pipeline batch=256 workers=8   89 µs      92 µs
//	Claim (per line)               36 µs      35 µs
//
// The two are within noise of each other; modernc stays, since it is already in go.mod
// and ncruces would upgrade golang.org/x/crypto, x/net, x/term and x/text for the whole
// module. See BENCHMARKS.md ("Store") for the commands and wall-clock figures.
package sqlite
