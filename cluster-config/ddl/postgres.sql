-- Junction journal schema for PostgreSQL (pekko-persistence-jdbc 1.1.1 layout). This is the production DDL.
-- Every statement is idempotent and none needs a transaction of its own: run it with psql (without -1), or let the server
-- run it statement by statement at start (junction.persistence.create-schema = on).
CREATE TABLE IF NOT EXISTS public.event_journal (
    ordering BIGSERIAL,
    persistence_id VARCHAR(255) NOT NULL,
    sequence_number BIGINT NOT NULL,
    deleted BOOLEAN DEFAULT FALSE NOT NULL,
    writer VARCHAR(255) NOT NULL,
    write_timestamp BIGINT,
    adapter_manifest VARCHAR(255),
    event_ser_id INTEGER NOT NULL,
    event_ser_manifest VARCHAR(255) NOT NULL,
    event_payload BYTEA NOT NULL,
    meta_ser_id INTEGER,
    meta_ser_manifest VARCHAR(255),
    meta_payload BYTEA,
    PRIMARY KEY (persistence_id, sequence_number)
);

CREATE UNIQUE INDEX IF NOT EXISTS event_journal_ordering_idx ON public.event_journal (ordering);

CREATE TABLE IF NOT EXISTS public.event_tag (
    event_id BIGINT,
    tag VARCHAR(256),
    PRIMARY KEY (event_id, tag),
    CONSTRAINT fk_event_journal FOREIGN KEY (event_id) REFERENCES public.event_journal (ordering) ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS public.snapshot (
    persistence_id VARCHAR(255) NOT NULL,
    sequence_number BIGINT NOT NULL,
    created BIGINT NOT NULL,
    snapshot_ser_id INTEGER NOT NULL,
    snapshot_ser_manifest VARCHAR(255) NOT NULL,
    snapshot_payload BYTEA NOT NULL,
    meta_ser_id INTEGER,
    meta_ser_manifest VARCHAR(255),
    meta_payload BYTEA,
    PRIMARY KEY (persistence_id, sequence_number)
);

-- Junction's own: the idempotency keys of every inbox partition, written as a partition accepts them, so deduplication holds
-- for the whole window while only recent keys stay in memory, and a message is found by key or id for as long as it is
-- retained. Rows older than the dedup window and the retention period are deleted by the server.
CREATE TABLE IF NOT EXISTS public.junction_inbox_keys (
    persistence_id VARCHAR(255) NOT NULL,
    idempotency_key VARCHAR(255) NOT NULL,
    message_id VARCHAR(64) NOT NULL,
    body_hash BIGINT NOT NULL,
    accepted_at BIGINT NOT NULL,
    sequence_number BIGINT NOT NULL,
    PRIMARY KEY (persistence_id, idempotency_key)
);

CREATE INDEX IF NOT EXISTS junction_inbox_keys_message_idx ON public.junction_inbox_keys (message_id);

CREATE INDEX IF NOT EXISTS junction_inbox_keys_accepted_idx ON public.junction_inbox_keys (accepted_at);

-- Per integration and time bucket: what the nodes received and delivered (each node adds its counts every few seconds). The
-- built-in alerts read it, so freshness and the volume baseline are the same on every node and survive restarts.
CREATE TABLE IF NOT EXISTS public.junction_activity (
    integration VARCHAR(255) NOT NULL,
    bucket_start BIGINT NOT NULL,
    received BIGINT NOT NULL,
    delivered BIGINT NOT NULL,
    dead_lettered BIGINT NOT NULL,
    last_delivered_at BIGINT NOT NULL,
    PRIMARY KEY (integration, bucket_start)
);
-- Added after the first release: a delivery that ended filtered (a database made before gets the column here).
ALTER TABLE public.junction_activity ADD COLUMN IF NOT EXISTS filtered BIGINT NOT NULL DEFAULT 0;

-- The runs of polling and batch sources (GET /api/v1/runs): one row per run, written as it starts, after each page and as
-- it ends. Times are ISO-8601 instants, which sort as text.
CREATE TABLE IF NOT EXISTS public.junction_runs (
    id VARCHAR(64) NOT NULL PRIMARY KEY,
    integration VARCHAR(255) NOT NULL,
    source VARCHAR(64) NOT NULL,
    status VARCHAR(16) NOT NULL,
    started VARCHAR(40) NOT NULL,
    finished VARCHAR(40),
    window_from TEXT,
    window_to TEXT,
    watermark_before TEXT,
    watermark_after TEXT,
    pages BIGINT NOT NULL,
    items_read BIGINT NOT NULL,
    accepted BIGINT NOT NULL,
    duplicate BIGINT NOT NULL,
    invalid BIGINT NOT NULL,
    failed BIGINT NOT NULL,
    error VARCHAR(4000)
);

CREATE INDEX IF NOT EXISTS junction_runs_started ON public.junction_runs (integration, started);
