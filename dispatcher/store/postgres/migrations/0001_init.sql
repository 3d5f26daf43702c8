-- Orders are stored once per intake that brought new lines; lines point at their order.
-- Times are Unix nanoseconds (0: none), like the SQLite journal.
CREATE TABLE orders (
	id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	source     TEXT   NOT NULL,
	bill_no    TEXT   NOT NULL,
	body       BYTEA  NOT NULL,
	created_at BIGINT NOT NULL
);

CREATE TABLE lines (
	id                    TEXT    COLLATE "C" PRIMARY KEY,
	order_id              BIGINT  NOT NULL REFERENCES orders (id),
	idx                   INTEGER NOT NULL,
	source                TEXT    NOT NULL,
	bill_no               TEXT    NOT NULL,
	entry_id              TEXT    NOT NULL,
	state                 TEXT    NOT NULL,
	version               BIGINT  NOT NULL,
	supplier              TEXT    NOT NULL DEFAULT '',
	rule                  TEXT    NOT NULL DEFAULT '',
	tier                  INTEGER NOT NULL DEFAULT 0,
	explain               BYTEA,
	tried                 JSONB   NOT NULL DEFAULT '[]',
	idempotency_key       TEXT    NOT NULL DEFAULT '',
	attempts              INTEGER NOT NULL DEFAULT 0,
	next_attempt_at       BIGINT  NOT NULL DEFAULT 0,
	supplier_order_id     TEXT    NOT NULL DEFAULT '',
	purchase_order_no     TEXT    NOT NULL DEFAULT '',
	shipment              TEXT    NOT NULL DEFAULT '',
	shipment_written_back BOOLEAN NOT NULL DEFAULT false,
	reason                TEXT    NOT NULL DEFAULT '',
	last_response         TEXT    NOT NULL DEFAULT '',
	created_at            BIGINT  NOT NULL,
	updated_at            BIGINT  NOT NULL,
	accepted_at           BIGINT  NOT NULL DEFAULT 0,
	lease_owner           TEXT    NOT NULL DEFAULT '',
	lease_until           BIGINT  NOT NULL DEFAULT 0,
	-- due_at is MAX(next_attempt_at, lease_until): when Claim may take the line. It
	-- keeps leased lines out of the claim index range.
	due_at                BIGINT  NOT NULL DEFAULT 0
);

-- Claim: due lines of some states; Counts.
-- Claims read one state at a time in (due_at, id) order and stop at the limit.
CREATE INDEX lines_due ON lines (state, due_at, id);
-- Claim and List by supplier.
CREATE INDEX lines_supplier ON lines (supplier, state, due_at, id);
-- Shipment callbacks.
CREATE INDEX lines_supplier_order ON lines (supplier, supplier_order_id) WHERE supplier_order_id <> '';
CREATE INDEX lines_idempotency_key ON lines (idempotency_key) WHERE idempotency_key <> '';
CREATE INDEX lines_bill_no ON lines (bill_no);
CREATE INDEX lines_order_id ON lines (order_id);
-- AcceptedSince.
CREATE INDEX lines_accepted ON lines (accepted_at, supplier) WHERE accepted_at <> 0;

CREATE TABLE cursors (
	name  TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
