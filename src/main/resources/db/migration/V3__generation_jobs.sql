-- Generation jobs and their status history. A job is created once per (user, job key) and
-- holds its cost (credit_holds) from creation until it is settled.

CREATE TABLE generation_jobs (
    id          uuid        PRIMARY KEY,
    seq         bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    user_id     uuid        NOT NULL REFERENCES users (id),
    job_key     text        NOT NULL CHECK (length(job_key) BETWEEN 1 AND 128),
    kind        text        NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_-]{0,39}$'),
    cost        bigint      NOT NULL CHECK (cost > 0),
    status      text        NOT NULL DEFAULT 'PENDING'
                            CHECK (status IN ('PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    result_ref  text        CHECK (length(result_ref) <= 500),
    error       text        CHECK (length(error) <= 2000),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    started_at  timestamptz,
    finished_at timestamptz,
    CONSTRAINT generation_jobs_user_key UNIQUE (user_id, job_key)
);

CREATE INDEX generation_jobs_user_idx ON generation_jobs (user_id, seq DESC);
CREATE INDEX generation_jobs_running_idx ON generation_jobs (started_at) WHERE status = 'RUNNING';

-- Deferred: a job's hold is taken before the job row is written, in the same transaction.
ALTER TABLE credit_holds ADD CONSTRAINT credit_holds_job_fk FOREIGN KEY (job_id) REFERENCES generation_jobs (id)
    DEFERRABLE INITIALLY DEFERRED;

CREATE TABLE job_transitions (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id      uuid        NOT NULL REFERENCES generation_jobs (id),
    from_status text,
    to_status   text        NOT NULL,
    actor       text        NOT NULL,
    reason      text        CHECK (length(reason) <= 2000),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX job_transitions_job_idx ON job_transitions (job_id, id);
