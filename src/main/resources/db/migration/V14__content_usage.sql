-- Each user's live (not deleted) quizzes and insights, for the content quotas. Triggers keep the
-- counts on every path that creates, deletes, restores or purges content, so a quota check reads
-- one row instead of counting, and concurrent creators for one user meet on that row: under
-- REPEATABLE READ the later one fails with a serialization error and is retried, so a quota can't be
-- overshot by a race, on one replica or many.

CREATE TABLE content_usage (
    user_id       uuid    PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    live_quizzes  integer NOT NULL DEFAULT 0 CHECK (live_quizzes >= 0),
    live_insights integer NOT NULL DEFAULT 0 CHECK (live_insights >= 0)
);

INSERT INTO content_usage (user_id, live_quizzes, live_insights)
SELECT u.id,
       (SELECT count(*) FROM quizzes q WHERE q.user_id = u.id AND q.deleted_at IS NULL),
       (SELECT count(*) FROM insights i WHERE i.user_id = u.id AND i.deleted_at IS NULL)
FROM users u
WHERE EXISTS (SELECT 1 FROM quizzes q WHERE q.user_id = u.id);

-- Runs as the owner of content_usage, so the roles that write content need no grant to write counts.
CREATE FUNCTION count_live_content() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    owner_id uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.user_id ELSE NEW.user_id END;
    delta integer := CASE WHEN TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND NEW.deleted_at IS NOT NULL) THEN -1 ELSE 1 END;
BEGIN
    IF TG_TABLE_NAME = 'quizzes' THEN
        INSERT INTO content_usage AS c (user_id, live_quizzes) VALUES (owner_id, greatest(delta, 0))
        ON CONFLICT (user_id) DO UPDATE SET live_quizzes = c.live_quizzes + delta;
    ELSE
        INSERT INTO content_usage AS c (user_id, live_insights) VALUES (owner_id, greatest(delta, 0))
        ON CONFLICT (user_id) DO UPDATE SET live_insights = c.live_insights + delta;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER quizzes_count_created AFTER INSERT ON quizzes
    FOR EACH ROW WHEN (NEW.deleted_at IS NULL) EXECUTE FUNCTION count_live_content();
CREATE TRIGGER quizzes_count_deleted_or_restored AFTER UPDATE OF deleted_at ON quizzes
    FOR EACH ROW WHEN ((OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL)) EXECUTE FUNCTION count_live_content();
CREATE TRIGGER quizzes_count_purged AFTER DELETE ON quizzes
    FOR EACH ROW WHEN (OLD.deleted_at IS NULL) EXECUTE FUNCTION count_live_content();

CREATE TRIGGER insights_count_created AFTER INSERT ON insights
    FOR EACH ROW WHEN (NEW.deleted_at IS NULL) EXECUTE FUNCTION count_live_content();
CREATE TRIGGER insights_count_deleted_or_restored AFTER UPDATE OF deleted_at ON insights
    FOR EACH ROW WHEN ((OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL)) EXECUTE FUNCTION count_live_content();
CREATE TRIGGER insights_count_purged AFTER DELETE ON insights
    FOR EACH ROW WHEN (OLD.deleted_at IS NULL) EXECUTE FUNCTION count_live_content();

-- Whoever may create quizzes may read the counts (the service's runtime role, where one is set up).
DO $$
DECLARE
    reader regrole;
BEGIN
    FOR reader IN
        SELECT DISTINCT a.grantee::regrole
        FROM pg_class c, aclexplode(c.relacl) a
        WHERE c.oid = 'quizzes'::regclass AND a.privilege_type = 'INSERT' AND a.grantee <> 0 AND a.grantee <> c.relowner
    LOOP
        EXECUTE format('GRANT SELECT ON content_usage TO %s', reader);
    END LOOP;
END $$;
