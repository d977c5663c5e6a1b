-- Per-user statistics for operators (GET /v1/admin/stats), refreshed by
-- POST /v1/admin/maintenance/optimize with REFRESH MATERIALIZED VIEW CONCURRENTLY, so readers
-- are never blocked by a refresh. Jobs and quizzes columns join when those tables exist.

CREATE MATERIALIZED VIEW user_stats AS
SELECT u.id                                                                  AS user_id,
       u.deleted_at IS NOT NULL                                              AS deleted,
       u.balance                                                             AS balance,
       COALESCE(sum(l.amount) FILTER (WHERE l.kind = 'GRANT'), 0)            AS credits_granted,
       COALESCE(-sum(l.amount) FILTER (WHERE l.kind IN ('SPEND', 'CAPTURE')), 0) AS credits_spent,
       COALESCE(sum(l.amount) FILTER (WHERE l.kind = 'REFUND'), 0)           AS credits_refunded,
       count(l.id)                                                           AS ledger_rows,
       max(l.created_at)                                                     AS last_ledger_at
FROM users u
LEFT JOIN credit_ledger l ON l.user_id = u.id
GROUP BY u.id;

-- REFRESH ... CONCURRENTLY needs a unique index covering every row.
CREATE UNIQUE INDEX user_stats_user_id_key ON user_stats (user_id);
