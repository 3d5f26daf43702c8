// Package postgres is the store.Store for several dispatcher replicas sharing one
// PostgreSQL database (pgx v5, pgxpool).
//
// Guarantees:
//   - Durability and atomicity are PostgreSQL's: one Intake, one Apply batch, one Claim is
//     one transaction, committed before the call returns. A forbidden transition, a
//     version conflict or a missing line fails that change only and writes nothing for it.
//   - Work sharing: Claim selects due lines with SELECT … FOR UPDATE SKIP LOCKED and leases
//     them to the caller, so replicas claiming at once never get the same line; a lease
//     that is not released ends at its time, and the line of a crashed replica comes back.
//     Apply checks state and version (optimistic locking), so a replica that lost its
//     lease cannot overwrite the work of the one that took the line over.
//   - Intake is idempotent across replicas: lines are inserted ON CONFLICT DO NOTHING.
//   - Schema: the migrations embedded in the binary are applied at Open, each once, in one
//     transaction holding an advisory lock per schema, so replicas starting together do
//     not race; the applied versions are kept in schema_migrations. WithSchema puts the
//     journal in its own schema (search_path), so several policies, or tests, share one
//     database.
package postgres
