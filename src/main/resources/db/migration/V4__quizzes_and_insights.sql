-- Quizzes and their insights. Both are soft-deleted; rows deleted together with their owner
-- carry the owner's deleted_at, which is how a restore tells them from rows deleted on purpose.

CREATE TABLE quizzes (
    id            uuid        PRIMARY KEY,
    seq           bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    user_id       uuid        NOT NULL REFERENCES users (id),
    title         text        NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    questions     jsonb       NOT NULL CHECK (jsonb_typeof(questions) = 'array'),
    slug          text        CHECK (length(slug) BETWEEN 16 AND 64),
    published_at  timestamptz,
    source_job_id uuid        REFERENCES generation_jobs (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    deleted_at    timestamptz,
    CONSTRAINT quizzes_published CHECK ((slug IS NULL) = (published_at IS NULL))
);

CREATE UNIQUE INDEX quizzes_slug_key ON quizzes (slug);
CREATE INDEX quizzes_user_idx ON quizzes (user_id, seq DESC);

CREATE TABLE insights (
    id          uuid        PRIMARY KEY,
    quiz_id     uuid        NOT NULL REFERENCES quizzes (id),
    user_id     uuid        NOT NULL REFERENCES users (id),
    type        text        NOT NULL CHECK (type ~ '^[a-z][a-z0-9_-]{0,39}$'),
    status      text        NOT NULL DEFAULT 'READY' CHECK (status IN ('READY')),
    content     jsonb       NOT NULL CHECK (jsonb_typeof(content) = 'object'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    deleted_at  timestamptz,
    CONSTRAINT insights_quiz_type_key UNIQUE (quiz_id, type)
);

CREATE INDEX insights_user_idx ON insights (user_id);
