package dev.genledger.job;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import dev.genledger.api.ApiProblem;
import dev.genledger.api.Cursor;
import dev.genledger.api.Page;
import dev.genledger.api.Who;
import dev.genledger.audit.Auditor;
import dev.genledger.credit.BalanceSerializer;
import dev.genledger.credit.Holds;
import dev.genledger.db.Sql;
import dev.genledger.db.TranslateFailures;
import dev.genledger.user.User;
import dev.genledger.user.UserEvents;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * Generation jobs: get-or-create with a credit hold, status transitions that settle the hold
 * exactly once, history, and the sweep of jobs stuck in RUNNING. Whatever holds or settles credits
 * runs in a transaction of {@link BalanceSerializer}, holding the job's user's balance locks.
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
    private static final String LIVE = "EXISTS (SELECT 1 FROM live_users u WHERE u.id = j.user_id)";

    private static final String STUCK = "j.status = 'RUNNING' AND j.started_at < now() - make_interval(secs => ?)";

    @Inject
    Sql sql;

    @Inject
    BalanceSerializer serializer;

    @Inject
    Holds holds;

    @Inject
    Auditor auditor;

    @Inject
    JobsConfig config;

    @Inject
    MeterRegistry registry;

    /**
     * Returns the user's job with this key, or creates it and holds its cost, in one transaction
     * holding the user's balance locks, so racing creates with one key queue, on one replica or
     * several, and the later ones find the first one's job. Empty when the user is absent or deleted.
     */
    public Optional<Created> create(UUID userId, JobRequests.Create request, Who who) {
        Optional<Created> result = serializer.inTransaction(List.of(userId), () -> createLocked(userId, request, who));
        result.filter(Created::created).ifPresent(created -> counted(JobStatus.PENDING));
        return result;
    }

    private Optional<Created> createLocked(UUID userId, JobRequests.Create request, Who who) {
        tag(who);
        Optional<JobViews.Job> existing = one("j.user_id = ? AND j.job_key = ? AND " + LIVE, userId, request.jobKey());
        if (existing.isPresent()) {
            JobViews.Job job = existing.get();
            if (!job.kind().equals(request.kind()) || job.cost() != request.cost()) {
                throw ApiProblem.idempotencyKeyReused().with("jobId", job.id());
            }
            return Optional.of(new Created(withHistory(job), false));
        }
        UUID id = UUID.randomUUID();
        Holds.HoldResult hold = holds.hold(userId, id, request.cost(), who.actor());
        switch (hold.status()) {
            case USER_NOT_FOUND:
                return Optional.empty();
            case INSUFFICIENT:
                throw ApiProblem.insufficientCredits(hold.available(), request.cost());
            default:
                break;
        }
        sql.update("INSERT INTO generation_jobs (id, user_id, job_key, kind, cost) VALUES (?, ?, ?, ?, ?)",
                id, userId, request.jobKey(), request.kind(), request.cost());
        recordTransition(id, null, JobStatus.PENDING, who.actor(), "created; " + request.cost() + " credits held");
        return Optional.of(new Created(withHistory(one("j.id = ?", id).orElseThrow()), true));
    }

    /** A live user's job with its history, if the caller may see it. */
    @Transactional
    public Optional<JobViews.Job> get(UUID id, Predicate<UUID> visibleTo) {
        return one("j.id = ? AND " + LIVE, id).filter(job -> visibleTo.test(job.userId())).map(this::withHistory);
    }

    /** A page of a live user's jobs, newest first, optionally of one status; empty for an absent user. */
    @Transactional
    public Optional<Page<JobViews.Job>> list(UUID userId, JobStatus status, String cursor, int limit) {
        if (User.findLive(userId) == null) {
            return Optional.empty();
        }
        String name = status == null ? null : status.name();
        List<JobViews.Job> rows = sql.list("SELECT " + COLUMNS + " FROM generation_jobs j "
                + "WHERE j.user_id = ? AND j.seq < ? AND (?::text IS NULL OR j.status = ?) ORDER BY j.seq DESC LIMIT ?",
                JobService::job, userId, Cursor.decode(cursor), name, name, limit + 1);
        return Optional.of(Page.of(rows, limit, JobViews.Job::position));
    }

    /**
     * Moves a job to {@code to} and settles its hold when that ends it (capture on success,
     * release on failure or cancel). The job row is taken with FOR UPDATE NOWAIT: a job another
     * transaction is moving fails fast with 55P03, which the resource retries with backoff and
     * jitter and answers with 503 + Retry-After if it persists. After the winner commits, a racing
     * transition sees the new status and gets 409, unless it asks for exactly what the winner did:
     * then it is a repeat (a client's retry, or the resource's after a commit whose answer was lost)
     * and gets the job as it is, changing nothing. Empty when the job is absent or not visible.
     * A settling transition learns the job's user first (one indexed read) and runs holding that
     * user's balance locks, so it queues behind the user's other credit work instead of failing it
     * or itself with serialization errors.
     */
    public Optional<Moved> transition(UUID id, JobStatus to, String resultRef, String error, String reason,
            Predicate<UUID> visibleTo, Who who) {
        Optional<Moved> moved;
        if (to.settles()) {
            Optional<UUID> owner = sql.first("SELECT j.user_id FROM generation_jobs j WHERE j.id = ? AND " + LIVE,
                    rs -> rs.getObject(1, UUID.class), id);
            if (owner.isEmpty()) {
                return Optional.empty();
            }
            moved = serializer.inTransaction(List.of(owner.get()),
                    () -> transitionLocked(id, owner.get(), to, resultRef, error, reason, visibleTo, who));
        } else {
            moved = QuarkusTransaction.requiringNew()
                    .call(() -> transitionLocked(id, null, to, resultRef, error, reason, visibleTo, who));
        }
        moved.filter(m -> !m.replayed()).ifPresent(m -> counted(to));
        return moved;
    }

    private Optional<Moved> transitionLocked(UUID id, UUID owner, JobStatus to, String resultRef, String error,
            String reason, Predicate<UUID> visibleTo, Who who) {
        tag(who);
        Optional<JobViews.Job> found = sql.first(
                "SELECT " + COLUMNS + " FROM generation_jobs j WHERE j.id = ? AND " + LIVE + " FOR UPDATE NOWAIT",
                JobService::job, id).filter(job -> visibleTo.test(job.userId()));
        if (found.isEmpty()) {
            return Optional.empty();
        }
        JobViews.Job job = found.get();
        if (owner != null && !job.userId().equals(owner)) {
            throw new IllegalStateException("job " + id + " belongs to " + job.userId() + ", not " + owner);
        }
        if (job.status() == to) {
            JobViews.Job current = withHistory(job);
            if (repeats(current, resultRef, error, reason)) {
                return Optional.of(new Moved(current, true));
            }
        }
        move(job, to, resultRef, error, reason, who.actor());
        return Optional.of(new Moved(withHistory(one("j.id = ?", id).orElseThrow()), false));
    }

    /**
     * Fails (and releases) jobs RUNNING past the deadline. Learns their users first (a plain read),
     * then runs holding those users' balance locks, like every other settlement; jobs that got stuck
     * in between wait for the next run. Runs on one replica at a time: the transaction takes a
     * transaction-level advisory lock and does nothing if another holds it. Returns the number of
     * jobs failed, or -1 when another run holds the lock.
     */
    public int sweepStuck(Who who) {
        double deadline = config.runningDeadline().toMillis() / 1000.0;
        List<UUID> users = sql.list("SELECT DISTINCT j.user_id FROM generation_jobs j WHERE " + STUCK + " LIMIT ?",
                rs -> rs.getObject(1, UUID.class), deadline, config.sweepBatch());
        return serializer.inTransaction(users, () -> {
            if (!sql.first("SELECT pg_try_advisory_xact_lock(?)", rs -> rs.getBoolean(1), SWEEP_LOCK).orElseThrow()) {
                return -1;
            }
            tag(who);
            // the events trigger announces jobs failed here as hold.expired (V23)
            sql.first("SELECT set_config('genledger.hold_expiry', 'on', true)", rs -> rs.getString(1));
            List<JobViews.Job> stuck = sql.list("SELECT " + COLUMNS + " FROM generation_jobs j WHERE " + STUCK
                    + " AND j.user_id = ANY (?::uuid[]) ORDER BY j.started_at LIMIT ? FOR UPDATE SKIP LOCKED", JobService::job,
                    deadline, users.stream().map(UUID::toString).toArray(String[]::new), config.sweepBatch());
            for (JobViews.Job job : stuck) {
                move(job, JobStatus.FAILED, null, "running past the deadline of " + config.runningDeadline(),
                        "stuck-job sweep", who.actor());
            }
            return stuck.size();
        });
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
    void onUserDeleted(@Observes UserEvents.Deleted deleted) {
        List<JobViews.Job> open = sql.list("SELECT " + COLUMNS + " FROM generation_jobs j "
                + "WHERE j.user_id = ? AND j.status IN ('PENDING', 'RUNNING') ORDER BY j.seq FOR UPDATE",
                JobService::job, deleted.userId());
        List<UUID> running = open.stream().filter(j -> j.status() == JobStatus.RUNNING).map(JobViews.Job::id).toList();
        if (!running.isEmpty()) {
            throw ApiProblem.conflict("user-has-running-jobs",
                    "the user has running jobs; they must succeed, fail or be cancelled before the user is deleted")
                    .with("runningJobs", running);
        }
        for (JobViews.Job job : open) {
            move(job, JobStatus.CANCELLED, null, null, "user deleted", deleted.who().actor());
        }
    }

    private void move(JobViews.Job job, JobStatus to, String resultRef, String error, String reason, String actor) {
        if (!job.status().mayBecome(to)) {
            throw ApiProblem.conflict("illegal-transition", "a " + job.status() + " job cannot become " + to)
                    .with("currentStatus", job.status().name());
        }
        int moved = sql.update("""
                UPDATE generation_jobs
                SET status = ?, updated_at = now(),
                    started_at = CASE WHEN ? = 'RUNNING' THEN now() ELSE started_at END,
                    finished_at = CASE WHEN ? IN ('SUCCEEDED', 'FAILED', 'CANCELLED') THEN now() END,
                    result_ref = COALESCE(?, result_ref), error = COALESCE(?, error)
                WHERE id = ? AND status = ?
                """, to.name(), to.name(), to.name(), resultRef, error, job.id(), job.status().name());
        if (moved != 1) {
            throw new IllegalStateException("job " + job.id() + " changed under its lock");
        }
        recordTransition(job.id(), job.status(), to, actor, reason != null ? reason : error);
        if (to.settles()) {
            boolean settled = to == JobStatus.SUCCEEDED
                    ? holds.capture(job.id(), "job " + job.kind() + " succeeded", actor)
                    : holds.release(job.id());
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

    private void counted(JobStatus to) {
        registry.counter("genledger.jobs.transitions", "to", to.name()).increment();
    }

    private void tag(Who who) {
        Sql.unchecked(() -> auditor.tag(who));
    }

    private void recordTransition(UUID jobId, JobStatus from, JobStatus to, String actor, String reason) {
        sql.update("INSERT INTO job_transitions (job_id, from_status, to_status, actor, reason) VALUES (?, ?, ?, ?, ?)",
                jobId, from == null ? null : from.name(), to.name(), actor, reason);
    }

    private Optional<JobViews.Job> one(String where, Object... params) {
        return sql.first("SELECT " + COLUMNS + " FROM generation_jobs j WHERE " + where, JobService::job, params);
    }

    private JobViews.Job withHistory(JobViews.Job job) {
        return job.withTransitions(sql.list(
                "SELECT from_status, to_status, actor, reason, created_at FROM job_transitions WHERE job_id = ? ORDER BY id",
                rs -> {
                    String from = rs.getString(1);
                    return new JobViews.Transition(from == null ? null : JobStatus.valueOf(from),
                            JobStatus.valueOf(rs.getString(2)), rs.getString(3), rs.getString(4),
                            rs.getObject(5, OffsetDateTime.class));
                }, job.id()));
    }

    private static JobViews.Job job(ResultSet rs) throws SQLException {
        return new JobViews.Job(rs.getObject(1, UUID.class), rs.getObject(2, UUID.class), rs.getString(3),
                rs.getString(4), rs.getLong(5), JobStatus.valueOf(rs.getString(6)), rs.getString(7), rs.getString(8),
                rs.getObject(9, OffsetDateTime.class), rs.getObject(10, OffsetDateTime.class),
                rs.getObject(11, OffsetDateTime.class), rs.getObject(12, OffsetDateTime.class), null, rs.getLong(13));
    }
}
