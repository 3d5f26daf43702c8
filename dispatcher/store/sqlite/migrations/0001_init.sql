-- Orders are stored once per intake that brought new lines; lines point at their order.
CREATE TABLE orders (
	id         INTEGER PRIMARY KEY,
	source     TEXT    NOT NULL,
	bill_no    TEXT    NOT NULL,
	body       BLOB    NOT NULL,
	created_at INTEGER NOT NULL
);

CREATE TABLE lines (
	id                    TEXT    PRIMARY KEY,
	order_id              INTEGER NOT NULL REFERENCES orders (id),
	idx                   INTEGER NOT NULL,
	source                TEXT    NOT NULL,
	bill_no               TEXT    NOT NULL,
	entry_id              TEXT    NOT NULL,
	state                 TEXT    NOT NULL,
	version               INTEGER NOT NULL,
	supplier              TEXT    NOT NULL DEFAULT '',
	rule                  TEXT    NOT NULL DEFAULT '',
	tier                  INTEGER NOT NULL DEFAULT 0,
	explain               BLOB,
	tried                 TEXT    NOT NULL DEFAULT '[]',
	idempotency_key       TEXT    NOT NULL DEFAULT '',
	attempts              INTEGER NOT NULL DEFAULT 0,
	next_attempt_at       INTEGER NOT NULL DEFAULT 0,
	supplier_order_id     TEXT    NOT NULL DEFAULT '',
	purchase_order_no     TEXT    NOT NULL DEFAULT '',
	shipment              TEXT    NOT NULL DEFAULT '',
	shipment_written_back INTEGER NOT NULL DEFAULT 0,
	reason                TEXT    NOT NULL DEFAULT '',
	last_response         TEXT    NOT NULL DEFAULT '',
	created_at            INTEGER NOT NULL,
	updated_at            INTEGER NOT NULL,
	accepted_at           INTEGER NOT NULL DEFAULT 0,
	lease_owner           TEXT    NOT NULL DEFAULT '',
	lease_until           INTEGER NOT NULL DEFAULT 0,
	-- due_at is MAX(next_attempt_at, lease_until): when Claim may take the line. It
	-- keeps leased lines out of the claim index range.
	due_at                INTEGER NOT NULL DEFAULT 0
);

-- Claim: due lines of some states; Counts. Claims read one state at a time in
-- (due_at, rowid) order, which this index gives, and stop at the limit.
CREATE INDEX lines_due ON lines (state, due_at);
-- Claim and List by supplier.
CREATE INDEX lines_supplier ON lines (supplier, state, due_at);
-- Shipment callbacks.
CREATE INDEX lines_supplier_order ON lines (supplier, supplier_order_id) WHERE supplier_order_id <> '';
CREATE INDEX lines_idempotency_key ON lines (idempotency_key) WHERE idempotency_key <> '';
CREATE INDEX lines_bill_no ON lines (bill_no);
-- AcceptedSince.
CREATE INDEX lines_accepted ON lines (accepted_at, supplier) WHERE accepted_at <> 0;

CREATE TABLE cursors (
	name  TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
