-- A job create counts the user's jobs in flight (PENDING or RUNNING) against their limit, under the
-- user's balance locks: an index of just those rows keeps the count as short as the lock.
CREATE INDEX generation_jobs_in_flight_idx ON generation_jobs (user_id) WHERE status IN ('PENDING', 'RUNNING');
