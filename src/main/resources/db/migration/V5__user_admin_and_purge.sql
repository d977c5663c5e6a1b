-- Admin listing of users (a keyset position) and purge: a purged user's row stays as an
-- anonymised tombstone, because its append-only ledger still refers to it.

ALTER TABLE users ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE users ADD CONSTRAINT users_seq_key UNIQUE (seq);
ALTER TABLE users ADD COLUMN purged_at timestamptz;
ALTER TABLE users ADD CONSTRAINT users_purged_is_deleted CHECK (purged_at IS NULL OR deleted_at IS NOT NULL);

CREATE INDEX users_deleted_idx ON users (deleted_at) WHERE deleted_at IS NOT NULL AND purged_at IS NULL;
CREATE INDEX quizzes_deleted_idx ON quizzes (deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX insights_deleted_idx ON insights (deleted_at) WHERE deleted_at IS NOT NULL;
