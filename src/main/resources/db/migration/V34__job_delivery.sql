-- A quiz's source job must be one of its owner's jobs. The database checks it, so the quiz feature
-- reads nothing of the job table, which belongs to the feature above it.
ALTER TABLE generation_jobs ADD CONSTRAINT generation_jobs_id_user_key UNIQUE (id, user_id);
ALTER TABLE quizzes DROP CONSTRAINT quizzes_source_job_id_fkey,
    ADD CONSTRAINT quizzes_source_job_owner_fkey FOREIGN KEY (source_job_id, user_id)
        REFERENCES generation_jobs (id, user_id);

-- A success that delivered its content (a quiz or an insight) in its own commit keeps a digest of
-- what it delivered: a retry carrying the same content is a replay, other content a conflict.
ALTER TABLE generation_jobs ADD COLUMN delivery_hash bytea;
