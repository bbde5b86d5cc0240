-- Junction journal schema for the embedded H2 database (pekko-persistence-jdbc 1.1.1 layout).
-- Every statement is idempotent; the server runs them one by one at start when junction.persistence.create-schema = on.
CREATE TABLE IF NOT EXISTS PUBLIC."event_journal" (
    "ordering" BIGINT UNIQUE NOT NULL AUTO_INCREMENT,
    "deleted" BOOLEAN DEFAULT false NOT NULL,
    "persistence_id" VARCHAR(255) NOT NULL,
    "sequence_number" BIGINT NOT NULL,
    "writer" VARCHAR NOT NULL,
    "write_timestamp" BIGINT NOT NULL,
    "adapter_manifest" VARCHAR NOT NULL,
    "event_payload" BLOB NOT NULL,
    "event_ser_id" INTEGER NOT NULL,
    "event_ser_manifest" VARCHAR NOT NULL,
    "meta_payload" BLOB,
    "meta_ser_id" INTEGER,
    "meta_ser_manifest" VARCHAR,
    PRIMARY KEY("persistence_id", "sequence_number")
);

CREATE UNIQUE INDEX IF NOT EXISTS "event_journal_ordering_idx" ON PUBLIC."event_journal" ("ordering");

CREATE TABLE IF NOT EXISTS PUBLIC."event_tag" (
    "event_id" BIGINT NOT NULL,
    "tag" VARCHAR NOT NULL,
    PRIMARY KEY("event_id", "tag"),
    CONSTRAINT fk_event_journal FOREIGN KEY("event_id") REFERENCES "event_journal"("ordering") ON DELETE CASCADE
);

CREATE TABLE IF NOT EXISTS PUBLIC."snapshot" (
    "persistence_id" VARCHAR(255) NOT NULL,
    "sequence_number" BIGINT NOT NULL,
    "created" BIGINT NOT NULL,
    "snapshot_ser_id" INTEGER NOT NULL,
    "snapshot_ser_manifest" VARCHAR NOT NULL,
    "snapshot_payload" BLOB NOT NULL,
    "meta_ser_id" INTEGER,
    "meta_ser_manifest" VARCHAR,
    "meta_payload" BLOB,
    PRIMARY KEY("persistence_id", "sequence_number")
);

-- Junction's own: the idempotency keys of every inbox partition (see postgres.sql).
CREATE TABLE IF NOT EXISTS PUBLIC.junction_inbox_keys (
    persistence_id VARCHAR(255) NOT NULL,
    idempotency_key VARCHAR(255) NOT NULL,
    message_id VARCHAR(64) NOT NULL,
    body_hash BIGINT NOT NULL,
    accepted_at BIGINT NOT NULL,
    sequence_number BIGINT NOT NULL,
    PRIMARY KEY (persistence_id, idempotency_key)
);

CREATE INDEX IF NOT EXISTS junction_inbox_keys_message_idx ON PUBLIC.junction_inbox_keys (message_id);

CREATE INDEX IF NOT EXISTS junction_inbox_keys_accepted_idx ON PUBLIC.junction_inbox_keys (accepted_at);

-- Per integration and time bucket: what the nodes received and delivered (each node adds its counts every few seconds). The
-- built-in alerts read it, so freshness and the volume baseline are the same on every node and survive restarts.
CREATE TABLE IF NOT EXISTS PUBLIC.junction_activity (
    integration VARCHAR(255) NOT NULL,
    bucket_start BIGINT NOT NULL,
    received BIGINT NOT NULL,
    delivered BIGINT NOT NULL,
    dead_lettered BIGINT NOT NULL,
    last_delivered_at BIGINT NOT NULL,
    PRIMARY KEY (integration, bucket_start)
);
-- Added after the first release: a delivery that ended filtered (a database made before gets the column here).
ALTER TABLE PUBLIC.junction_activity ADD COLUMN IF NOT EXISTS filtered BIGINT NOT NULL DEFAULT 0;

-- The runs of polling and batch sources (GET /api/v1/runs): one row per run, written as it starts, after each page and as
-- it ends. Times are ISO-8601 instants, which sort as text.
CREATE TABLE IF NOT EXISTS PUBLIC.junction_runs (
    id VARCHAR(64) NOT NULL PRIMARY KEY,
    integration VARCHAR(255) NOT NULL,
    source VARCHAR(64) NOT NULL,
    status VARCHAR(16) NOT NULL,
    started VARCHAR(40) NOT NULL,
    finished VARCHAR(40),
    window_from VARCHAR(65536),
    window_to VARCHAR(65536),
    watermark_before VARCHAR(65536),
    watermark_after VARCHAR(65536),
    pages BIGINT NOT NULL,
    items_read BIGINT NOT NULL,
    accepted BIGINT NOT NULL,
    duplicate BIGINT NOT NULL,
    invalid BIGINT NOT NULL,
    failed BIGINT NOT NULL,
    error VARCHAR(4000)
);

CREATE INDEX IF NOT EXISTS junction_runs_started ON PUBLIC.junction_runs (integration, started);
