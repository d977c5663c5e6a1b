-- Per-user statistics for operators (GET /v1/admin/stats), refreshed by
-- POST /v1/admin/maintenance/optimize with REFRESH MATERIALIZED VIEW CONCURRENTLY, so readers
-- are never blocked by a refresh. Each table is aggregated on its own, then joined to users,
-- so one user's many ledger rows never multiply their job or quiz counts.

CREATE MATERIALIZED VIEW user_stats AS
SELECT u.id                             AS user_id,
       u.deleted_at IS NOT NULL         AS deleted,
       u.balance                        AS balance,
       u.held                           AS held,
       COALESCE(l.granted, 0)           AS credits_granted,
       COALESCE(l.spent, 0)             AS credits_spent,
       COALESCE(l.refunded, 0)          AS credits_refunded,
       COALESCE(l.rows, 0)              AS ledger_rows,
       l.last_at                        AS last_ledger_at,
       COALESCE(j.pending, 0)           AS jobs_pending,
       COALESCE(j.running, 0)           AS jobs_running,
       COALESCE(j.succeeded, 0)         AS jobs_succeeded,
       COALESCE(j.failed, 0)            AS jobs_failed,
       COALESCE(j.cancelled, 0)         AS jobs_cancelled,
       COALESCE(q.live, 0)              AS quizzes
FROM users u
LEFT JOIN (SELECT user_id,
                  sum(amount) FILTER (WHERE kind = 'GRANT')                AS granted,
                  -sum(amount) FILTER (WHERE kind IN ('SPEND', 'CAPTURE')) AS spent,
                  sum(amount) FILTER (WHERE kind = 'REFUND')               AS refunded,
                  count(*)                                                 AS rows,
                  max(created_at)                                          AS last_at
           FROM credit_ledger GROUP BY user_id) l ON l.user_id = u.id
LEFT JOIN (SELECT user_id,
                  count(*) FILTER (WHERE status = 'PENDING')   AS pending,
                  count(*) FILTER (WHERE status = 'RUNNING')   AS running,
                  count(*) FILTER (WHERE status = 'SUCCEEDED') AS succeeded,
                  count(*) FILTER (WHERE status = 'FAILED')    AS failed,
                  count(*) FILTER (WHERE status = 'CANCELLED') AS cancelled
           FROM generation_jobs GROUP BY user_id) j ON j.user_id = u.id
LEFT JOIN (SELECT user_id, count(*) AS live FROM quizzes WHERE deleted_at IS NULL GROUP BY user_id) q
       ON q.user_id = u.id;

-- REFRESH ... CONCURRENTLY needs a unique index covering every row.
CREATE UNIQUE INDEX user_stats_user_id_key ON user_stats (user_id);
