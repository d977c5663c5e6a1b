package dev.genledger.job;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
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
import org.hibernate.Timeouts;
import org.hibernate.jpa.SpecHints;

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

    @Inject
    Sql sql;

    @Inject
    EntityManager em;

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
        auditor.tag(who);
        Optional<GenerationJob> existing = GenerationJob.<GenerationJob>find("userId = ?1 and jobKey = ?2", userId,
                request.jobKey()).firstResultOptional();
        if (existing.isPresent()) {
            GenerationJob job = existing.get();
            if (!job.kind.equals(request.kind()) || job.cost != request.cost()) {
                throw ApiProblem.idempotencyKeyReused().with("jobId", job.id);
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
        GenerationJob job = GenerationJob.pending(id, userId, request);
        job.persistAndFlush();
        JobTransition.record(id, null, JobStatus.PENDING, who.actor(), "created; " + request.cost() + " credits held");
        return Optional.of(new Created(withHistory(job), true));
    }

    /** A live user's job with its history, if the caller may see it. */
    @Transactional
    public Optional<JobViews.Job> get(UUID id, Predicate<UUID> visibleTo) {
        return GenerationJob.<GenerationJob>findByIdOptional(id).filter(job -> visibleTo.test(job.userId))
                .map(this::withHistory);
    }

    /** A page of a live user's jobs, newest first, optionally of one status; empty for an absent user. */
    @Transactional
    public Optional<Page<JobViews.Job>> list(UUID userId, JobStatus status, String cursor, int limit) {
        if (User.findLive(userId) == null) {
            return Optional.empty();
        }
        long before = Cursor.decode(cursor);
        List<GenerationJob> rows = (status == null
                ? GenerationJob.<GenerationJob>find("userId = ?1 and seq < ?2 order by seq desc", userId, before)
                : GenerationJob.<GenerationJob>find("userId = ?1 and seq < ?2 and status = ?3 order by seq desc",
                        userId, before, status)).range(0, limit).list();
        return Optional.of(Page.of(rows.stream().map(JobService::view).toList(), limit, JobViews.Job::position));
    }

    /**
     * Moves a job to {@code to} and settles its hold when that ends it (capture on success,
     * release on failure or cancel). The job row is locked with NOWAIT: a job another
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
            Optional<UUID> owner = QuarkusTransaction.requiringNew()
                    .call(() -> GenerationJob.<GenerationJob>findByIdOptional(id).map(job -> job.userId));
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
        auditor.tag(who);
        Optional<GenerationJob> found = Optional.ofNullable(em.find(GenerationJob.class, id,
                LockModeType.PESSIMISTIC_WRITE, Timeouts.NO_WAIT)).filter(job -> visibleTo.test(job.userId));
        if (found.isEmpty()) {
            return Optional.empty();
        }
        GenerationJob job = found.get();
        if (owner != null && !job.userId.equals(owner)) {
            throw new IllegalStateException("job " + id + " belongs to " + job.userId + ", not " + owner);
        }
        if (job.status == to) {
            JobViews.Job current = withHistory(job);
            if (repeats(current, resultRef, error, reason)) {
                return Optional.of(new Moved(current, true));
            }
        }
        move(job, to, resultRef, error, reason, who.actor());
        return Optional.of(new Moved(withHistory(job), false));
    }

    /**
     * Fails (and releases) jobs RUNNING past the deadline. Learns their users first (a plain read),
     * then runs holding those users' balance locks, like every other settlement; jobs that got stuck
     * in between wait for the next run. Runs on one replica at a time: the transaction takes a
     * transaction-level advisory lock and does nothing if another holds it. Returns the number of
     * jobs failed, or -1 when another run holds the lock.
     */
    public int sweepStuck(Who who) {
        List<UUID> users = QuarkusTransaction.requiringNew().call(() -> em.createQuery(
                "select distinct j.userId from GenerationJob j where j.status = :running and j.startedAt < :cutoff",
                UUID.class).setParameter("running", JobStatus.RUNNING).setParameter("cutoff", stuckBefore())
                .setMaxResults(config.sweepBatch()).getResultList());
        return serializer.inTransaction(users, () -> {
            if (!sql.first("SELECT pg_try_advisory_xact_lock(?)", rs -> rs.getBoolean(1), SWEEP_LOCK).orElseThrow()) {
                return -1;
            }
            auditor.tag(who);
            // the events trigger announces jobs failed here as hold.expired (V23)
            sql.first("SELECT set_config('genledger.hold_expiry', 'on', true)", rs -> rs.getString(1));
            List<GenerationJob> stuck = users.isEmpty() ? List.of() : GenerationJob.<GenerationJob>find(
                    "status = ?1 and startedAt < ?2 and userId in ?3 order by startedAt", JobStatus.RUNNING,
                    stuckBefore(), users).withLock(LockModeType.PESSIMISTIC_WRITE)
                    .withHint(SpecHints.HINT_SPEC_LOCK_TIMEOUT, Timeouts.SKIP_LOCKED_MILLI)
                    .range(0, config.sweepBatch() - 1).list();
            for (GenerationJob job : stuck) {
                move(job, JobStatus.FAILED, null, "running past the deadline of " + config.runningDeadline(),
                        "stuck-job sweep", who.actor());
            }
            return stuck.size();
        });
    }

    /**
     * Part of a user's deletion: their pending jobs are cancelled and their holds released, then
     * all their jobs are hidden with the user's deletion time (the transaction's). A RUNNING job
     * refuses the deletion (409, and the transaction rolls back): its work is being done, and
     * deleting the user would release its hold and make its {@code succeed} a 404, so the work
     * would never be charged. The backend settles the job (or the stuck-job sweep fails it) and the
     * deletion then goes through. A PENDING job has delivered nothing, so cancelling it costs
     * nobody anything. The job rows are locked here, so a racing {@code start} either finds them
     * locked (55P03, retried) and then the user gone, or wins, and this deletion then fails with a
     * serialization error and is retried into the 409.
     */
    void onUserDeleted(@Observes UserEvents.Deleted deleted) {
        List<GenerationJob> open = GenerationJob.<GenerationJob>find("userId = ?1 and status in ?2 order by seq",
                deleted.userId(), List.of(JobStatus.PENDING, JobStatus.RUNNING))
                .withLock(LockModeType.PESSIMISTIC_WRITE).list();
        List<UUID> running = open.stream().filter(j -> j.status == JobStatus.RUNNING).map(j -> j.id).toList();
        if (!running.isEmpty()) {
            throw ApiProblem.conflict("user-has-running-jobs",
                    "the user has running jobs; they must succeed, fail or be cancelled before the user is deleted")
                    .with("runningJobs", running);
        }
        for (GenerationJob job : open) {
            move(job, JobStatus.CANCELLED, null, null, "user deleted", deleted.who().actor());
        }
        GenerationJob.delete("userId", deleted.userId());
    }

    /** Part of a user's restore: the jobs hidden with the user (same timestamp) come back. */
    void onUserRestored(@Observes UserEvents.Restored restored) {
        // Sees deleted rows, which no entity query does.
        em.createNativeQuery("UPDATE generation_jobs SET deleted_at = NULL WHERE user_id = :user AND deleted_at = :at")
                .setParameter("user", restored.userId()).setParameter("at", restored.deletedAt()).executeUpdate();
    }

    // The job's change is flushed at once, so its audit row and its event come before the hold's.
    private void move(GenerationJob job, JobStatus to, String resultRef, String error, String reason, String actor) {
        if (!job.status.mayBecome(to)) {
            throw ApiProblem.conflict("illegal-transition", "a " + job.status + " job cannot become " + to)
                    .with("currentStatus", job.status.name());
        }
        JobStatus from = job.status;
        job.become(to, resultRef, error);
        job.flush();
        JobTransition.record(job.id, from, to, actor, reason != null ? reason : error);
        if (to.settles()) {
            boolean settled = to == JobStatus.SUCCEEDED
                    ? holds.capture(job.id, "job " + job.kind + " succeeded", actor)
                    : holds.release(job.id);
            if (!settled) {
                throw new IllegalStateException("job " + job.id + " had no open hold to settle");
            }
        }
    }

    private OffsetDateTime stuckBefore() {
        return OffsetDateTime.now().minus(config.runningDeadline());
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

    private JobViews.Job withHistory(GenerationJob job) {
        return view(job).withTransitions(JobTransition.of(job.id).stream()
                .map(t -> new JobViews.Transition(t.fromStatus, t.toStatus, t.actor, t.reason, t.createdAt)).toList());
    }

    private static JobViews.Job view(GenerationJob j) {
        return new JobViews.Job(j.id, j.userId, j.jobKey, j.kind, j.cost, j.status, j.resultRef, j.error, j.createdAt,
                j.updatedAt, j.startedAt, j.finishedAt, null, j.seq);
    }
}
