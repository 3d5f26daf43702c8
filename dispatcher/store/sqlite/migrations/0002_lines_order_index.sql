-- lines.order_id references orders(id) with foreign keys on: without an index on the child
-- key, every DELETE FROM orders (intake drops the order row of a re-polled order whose
-- lines all exist) scans the whole lines table, and under a busy poll the writer stalls.
CREATE INDEX lines_order ON lines (order_id);
