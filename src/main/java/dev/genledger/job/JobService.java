package dev.genledger.job;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import dev.genledger.api.ApiProblem;
import dev.genledger.api.Cursor;
import dev.genledger.api.Page;
import dev.genledger.api.Who;
import dev.genledger.audit.Auditor;
import dev.genledger.credit.BalanceLocks;
import dev.genledger.credit.Holds;
import dev.genledger.db.TranslateFailures;
import dev.genledger.user.UserEvents;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Generation jobs: get-or-create with a credit hold, status transitions that settle the hold
 * exactly once, history, and the sweep of jobs stuck in RUNNING.
 */
@ApplicationScoped
@TranslateFailures
public class JobService {

    /** Advisory lock key of the stuck-job sweep: one replica at a time. */
    static final long SWEEP_LOCK = 0x67656e6c6a6f6273L;

    /** A created or found job; {@code created} is false when the key already had one. */
    public record Created(JobViews.Job job, boolean created) {
    }

    /** A moved job; {@code replayed} when the same transition had already moved it, so nothing changed. */
    public record Moved(JobViews.Job job, boolean replayed) {
    }

    private static final String COLUMNS = """
            j.id, j.user_id, j.job_key, j.kind, j.cost, j.status, j.result_ref, j.error, j.created_at, j.updated_at,
            j.started_at, j.finished_at, j.seq""";

    // A job is visible only while its user is live.
    private static final String LIVE = "EXISTS (SELECT 1 FROM users u WHERE u.id = j.user_id AND u.deleted_at IS NULL)";

    @Inject
    DataSource dataSource;

    @Inject
    Holds holds;

    @Inject
    Auditor auditor;

    @ConfigProperty(name = "genledger.jobs.running-deadline", defaultValue = "15M")
    Duration runningDeadline;

    @ConfigProperty(name = "genledger.jobs.sweep-batch", defaultValue = "500")
    int sweepBatch;

    /**
     * Returns the user's job with this key, or creates it and holds its cost, in one transaction.
     * The resource runs it under the user's in-process lock, and the transaction starts with the
     * user's balance lock ({@link BalanceLocks}), so racing creates with one key queue, on one replica
     * or several, and the later ones find the first one's job. Empty when the user is absent or deleted.
     */
    @Transactional(rollbackOn = SQLException.class)
    public Optional<Created> create(UUID userId, JobRequests.Create request, Who who) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            BalanceLocks.lock(c, List.of(userId));
            auditor.tag(c, who);
            JobViews.Job existing = one(c, "j.user_id = ? AND j.job_key = ? AND " + LIVE, userId, request.jobKey());
            if (existing != null) {
                if (!existing.kind().equals(request.kind()) || existing.cost() != request.cost()) {
                    throw ApiProblem.idempotencyKeyReused().with("jobId", existing.id());
                }
                return Optional.of(new Created(withHistory(c, existing), false));
            }
            UUID id = UUID.randomUUID();
            Holds.HoldResult hold = holds.hold(c, userId, id, request.cost(), who.actor());
            switch (hold.status()) {
                case USER_NOT_FOUND:
                    return Optional.empty();
                case INSUFFICIENT:
                    throw ApiProblem.insufficientCredits(hold.available(), request.cost());
                default:
                    break;
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO generation_jobs (id, user_id, job_key, kind, cost) VALUES (?, ?, ?, ?, ?)")) {
                ps.setObject(1, id);
                ps.setObject(2, userId);
                ps.setString(3, request.jobKey());
                ps.setString(4, request.kind());
                ps.setLong(5, request.cost());
                ps.executeUpdate();
            }
            recordTransition(c, id, null, JobStatus.PENDING, who.actor(), "created; " + request.cost() + " credits held");
            return Optional.of(new Created(withHistory(c, one(c, "j.id = ?", id)), true));
        }
    }

    /** A live user's job with its history, if the caller may see it. */
    @Transactional(rollbackOn = SQLException.class)
    public Optional<JobViews.Job> get(UUID id, Predicate<UUID> visibleTo) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            JobViews.Job job = one(c, "j.id = ? AND " + LIVE, id);
            if (job == null || !visibleTo.test(job.userId())) {
                return Optional.empty();
            }
            return Optional.of(withHistory(c, job));
        }
    }

    /** The user a live job belongs to; one indexed read, outside any transaction. */
    public Optional<UUID> owner(UUID id) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return Optional.ofNullable(one(c, "j.id = ? AND " + LIVE, id)).map(JobViews.Job::userId);
        }
    }

    /** A page of a live user's jobs, newest first, optionally of one status; empty for an absent user. */
    @Transactional(rollbackOn = SQLException.class)
    public Optional<Page<JobViews.Job>> list(UUID userId, JobStatus status, String cursor, int limit)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (!userLive(c, userId)) {
                return Optional.empty();
            }
            List<JobViews.Job> rows = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM generation_jobs j "
                    + "WHERE j.user_id = ? AND j.seq < ? AND (?::text IS NULL OR j.status = ?) ORDER BY j.seq DESC LIMIT ?")) {
                ps.setObject(1, userId);
                ps.setLong(2, Cursor.decode(cursor));
                ps.setString(3, status == null ? null : status.name());
                ps.setString(4, status == null ? null : status.name());
                ps.setInt(5, limit + 1);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(job(rs));
                    }
                }
            }
            return Optional.of(Page.of(rows, limit, JobViews.Job::position));
        }
    }

    /**
     * Moves a job to {@code to} and settles its hold when that ends it (capture on success,
     * release on failure or cancel). The job row is taken with FOR UPDATE NOWAIT: a job another
     * transaction is moving fails fast with 55P03, which the resource retries with backoff and
     * jitter and answers with 503 + Retry-After if it persists. After the winner commits, a racing
     * transition sees the new status and gets 409, unless it asks for exactly what the winner did:
     * then it is a repeat (a client's retry, or the resource's after a commit whose answer was lost)
     * and gets the job as it is, changing nothing. Empty when the job is absent or not visible.
     * A settling transition first takes the balance lock of {@code owner} (the job's user, read
     * before the transaction; null for other transitions), so it queues behind other replicas'
     * credit work on the user instead of failing it or itself with serialization errors.
     */
    @Transactional(rollbackOn = SQLException.class)
    public Optional<Moved> transition(UUID id, UUID owner, JobStatus to, String resultRef, String error,
            String reason, Predicate<UUID> visibleTo, Who who) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (to.settles()) {
                BalanceLocks.lock(c, List.of(owner));
            }
            auditor.tag(c, who);
            JobViews.Job job = lockNowait(c, id);
            if (job == null || !visibleTo.test(job.userId())) {
                return Optional.empty();
            }
            if (to.settles() && !job.userId().equals(owner)) {
                throw new IllegalStateException("job " + id + " belongs to " + job.userId() + ", not " + owner);
            }
            if (job.status() == to) {
                JobViews.Job current = withHistory(c, job);
                if (repeats(current, resultRef, error, reason)) {
                    return Optional.of(new Moved(current, true));
                }
            }
            move(c, job, to, resultRef, error, reason, who.actor());
            return Optional.of(new Moved(withHistory(c, one(c, "j.id = ?", id)), false));
        }
    }

    /**
     * Fails (and releases) jobs RUNNING past the deadline. Runs on one replica at a time: the
     * transaction first takes a transaction-level advisory lock and does nothing if another holds
     * it. Returns the number of jobs failed, or -1 when another run holds the lock.
     */
    @Transactional(rollbackOn = SQLException.class)
    public int sweepStuck(Who who) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (!tryAdvisoryLock(c, SWEEP_LOCK)) {
                return -1;
            }
            auditor.tag(c, who);
            // the events trigger announces jobs failed here as hold.expired (V23)
            try (PreparedStatement ps = c.prepareStatement("SELECT set_config('genledger.hold_expiry', 'on', true)")) {
                ps.executeQuery().close();
            }
            List<JobViews.Job> stuck = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM generation_jobs j "
                    + "WHERE j.status = 'RUNNING' AND j.started_at < now() - make_interval(secs => ?) "
                    + "ORDER BY j.started_at LIMIT ? FOR UPDATE SKIP LOCKED")) {
                ps.setDouble(1, runningDeadline.toMillis() / 1000.0);
                ps.setInt(2, sweepBatch);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        stuck.add(job(rs));
                    }
                }
            }
            for (JobViews.Job job : stuck) {
                move(c, job, JobStatus.FAILED, null, "running past the deadline of " + runningDeadline,
                        "stuck-job sweep", who.actor());
            }
            return stuck.size();
        }
    }

    /**
     * Part of a user's deletion: their pending jobs are cancelled and their holds released. A
     * RUNNING job refuses the deletion (409, and the transaction rolls back): its work is being
     * done, and deleting the user would release its hold and make its {@code succeed} a 404, so the
     * work would never be charged. The backend settles the job (or the stuck-job sweep fails it)
     * and the deletion then goes through. A PENDING job has delivered nothing, so cancelling it
     * costs nobody anything. The job rows are locked here, so a racing {@code start} either finds
     * them locked (55P03, retried) and then the user gone, or wins, and this deletion then fails
     * with a serialization error and is retried into the 409.
     */
    void onUserDeleted(@Observes UserEvents.Deleted deleted) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            List<JobViews.Job> open = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM generation_jobs j "
                    + "WHERE j.user_id = ? AND j.status IN ('PENDING', 'RUNNING') ORDER BY j.seq FOR UPDATE")) {
                ps.setObject(1, deleted.userId());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        open.add(job(rs));
                    }
                }
            }
            List<UUID> running = open.stream().filter(j -> j.status() == JobStatus.RUNNING)
                    .map(JobViews.Job::id).toList();
            if (!running.isEmpty()) {
                throw ApiProblem.conflict("user-has-running-jobs",
                        "the user has running jobs; they must succeed, fail or be cancelled before the user is deleted")
                        .with("runningJobs", running);
            }
            for (JobViews.Job job : open) {
                move(c, job, JobStatus.CANCELLED, null, null, "user deleted", deleted.who().actor());
            }
        }
    }

    static boolean tryAdvisoryLock(Connection c, long key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_xact_lock(?)")) {
            ps.setLong(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private void move(Connection c, JobViews.Job job, JobStatus to, String resultRef, String error, String reason,
            String actor) throws SQLException {
        if (!job.status().mayBecome(to)) {
            throw ApiProblem.conflict("illegal-transition", "a " + job.status() + " job cannot become " + to)
                    .with("currentStatus", job.status().name());
        }
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE generation_jobs
                SET status = ?, updated_at = now(),
                    started_at = CASE WHEN ? = 'RUNNING' THEN now() ELSE started_at END,
                    finished_at = CASE WHEN ? IN ('SUCCEEDED', 'FAILED', 'CANCELLED') THEN now() END,
                    result_ref = COALESCE(?, result_ref), error = COALESCE(?, error)
                WHERE id = ? AND status = ?
                """)) {
            ps.setString(1, to.name());
            ps.setString(2, to.name());
            ps.setString(3, to.name());
            ps.setString(4, resultRef);
            ps.setString(5, error);
            ps.setObject(6, job.id());
            ps.setString(7, job.status().name());
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("job " + job.id() + " changed under its lock");
            }
        }
        recordTransition(c, job.id(), job.status(), to, actor, reason != null ? reason : error);
        if (to.settles()) {
            boolean settled = to == JobStatus.SUCCEEDED
                    ? holds.capture(c, job.id(), "job " + job.kind() + " succeeded", actor)
                    : holds.release(c, job.id());
            if (!settled) {
                throw new IllegalStateException("job " + job.id() + " had no open hold to settle");
            }
        }
    }

    /** Whether a transition to the job's current status carries what the one that set it did. */
    private static boolean repeats(JobViews.Job job, String resultRef, String error, String reason) {
        return switch (job.status()) {
            case SUCCEEDED -> Objects.equals(resultRef, job.resultRef());
            case FAILED -> Objects.equals(error, job.error());
            case CANCELLED -> Objects.equals(reason, job.transitions().getLast().reason());
            default -> true; // start carries nothing
        };
    }

    private static void recordTransition(Connection c, UUID jobId, JobStatus from, JobStatus to, String actor,
            String reason) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO job_transitions (job_id, from_status, to_status, actor, reason) VALUES (?, ?, ?, ?, ?)")) {
            ps.setObject(1, jobId);
            ps.setString(2, from == null ? null : from.name());
            ps.setString(3, to.name());
            ps.setString(4, actor);
            ps.setString(5, reason);
            ps.executeUpdate();
        }
    }

    private static JobViews.Job lockNowait(Connection c, UUID id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM generation_jobs j WHERE j.id = ? AND " + LIVE + " FOR UPDATE NOWAIT")) {
            ps.setObject(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? job(rs) : null;
            }
        }
    }

    private static JobViews.Job one(Connection c, String where, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM generation_jobs j WHERE " + where)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? job(rs) : null;
            }
        }
    }

    private static JobViews.Job withHistory(Connection c, JobViews.Job job) throws SQLException {
        List<JobViews.Transition> history = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT from_status, to_status, actor, reason, created_at FROM job_transitions WHERE job_id = ? ORDER BY id")) {
            ps.setObject(1, job.id());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String from = rs.getString(1);
                    history.add(new JobViews.Transition(from == null ? null : JobStatus.valueOf(from),
                            JobStatus.valueOf(rs.getString(2)), rs.getString(3), rs.getString(4),
                            rs.getObject(5, OffsetDateTime.class)));
                }
            }
        }
        return job.withTransitions(history);
    }

    private static boolean userLive(Connection c, UUID userId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM users WHERE id = ? AND deleted_at IS NULL")) {
            ps.setObject(1, userId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static JobViews.Job job(ResultSet rs) throws SQLException {
        return new JobViews.Job(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3),
                rs.getString(4), rs.getLong(5), JobStatus.valueOf(rs.getString(6)), rs.getString(7), rs.getString(8),
                rs.getObject(9, OffsetDateTime.class), rs.getObject(10, OffsetDateTime.class),
                rs.getObject(11, OffsetDateTime.class), rs.getObject(12, OffsetDateTime.class), null, rs.getLong(13));
    }
}
