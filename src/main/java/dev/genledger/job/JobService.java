package dev.genledger.job;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Arrays;
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

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.genledger.api.ApiProblem;
import dev.genledger.api.Cursor;
import dev.genledger.api.Page;
import dev.genledger.api.Who;
import dev.genledger.audit.Auditor;
import dev.genledger.credit.BalanceSerializer;
import dev.genledger.credit.Holds;
import dev.genledger.db.OncePerFleet;
import dev.genledger.db.Sql;
import dev.genledger.db.TranslateFailures;
import dev.genledger.insight.InsightService;
import dev.genledger.quiz.QuizRequests;
import dev.genledger.quiz.QuizService;
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

    /** Advisory lock key of the hold expiry sweep ("holdexpi" in ASCII). */
    static final long EXPIRY_LOCK = 0x686f6c6465787069L;

    // Literal statuses, so the planner matches the partial indexes (V30, V32); the database's clock of
    // the statement, as heartbeats renew by it.
    private static final String OPEN = "status in (dev.genledger.job.JobStatus.PENDING, dev.genledger.job.JobStatus.RUNNING)";
    private static final String DUE = OPEN + " and holdExpiresAt <= function('statement_timestamp')";

    /** A created or found job; {@code created} is false when the key already had one. */
    public record Created(JobViews.Job job, boolean created) {
    }

    /**
     * A moved job; {@code replayed} when the same transition had already moved it, so nothing
     * changed; {@code expired} when its hold had run out, so it became EXPIRED instead.
     */
    public record Moved(JobViews.Job job, boolean replayed, boolean expired) {
    }

    /** A heartbeat's outcome: the renewed hold, or the job it found run out and expired. */
    public record Beat(JobViews.Heartbeat renewed, JobViews.Job expired) {
    }

    /**
     * What a move carries: a success's result (named, or a quiz or insight it delivers) and charge,
     * a failure's error, a cancel's reason.
     */
    public record Outcome(String resultRef, Long actualCost, String error, String reason, QuizRequests.Create quiz,
            JobRequests.InsightDelivery insight) {

        public static final Outcome NONE = new Outcome(null, null, null, null, null, null);

        public static Outcome succeeded(String resultRef, Long actualCost) {
            return new Outcome(resultRef, actualCost, null, null, null, null);
        }

        public static Outcome succeeded(JobRequests.Succeed request) {
            return new Outcome(request.resultRef(), request.actualCost(), null, null, request.quiz(), request.insight());
        }

        public static Outcome failed(String error) {
            return new Outcome(null, null, error, null, null, null);
        }

        public static Outcome because(String reason) {
            return new Outcome(null, null, null, reason, null, null);
        }

        boolean delivers() {
            return quiz != null || insight != null;
        }
    }

    @Inject
    Sql sql;

    @Inject
    OncePerFleet fleet;

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

    @Inject
    QuizService quizzes;

    @Inject
    InsightService insights;

    @Inject
    ObjectMapper json;

    /**
     * Returns the user's job with this key, or creates it and holds its cost, in one transaction
     * holding the user's balance locks, so racing creates with one key queue, on one replica or
     * several, and the later ones find the first one's job. Empty when the user is absent or deleted.
     * A new job beyond the user's {@code maxInFlight} (the limit of the caller's role) is 409
     * jobs-in-flight-exceeded; counted under the same locks, so racing creates never pass it.
     */
    public Optional<Created> create(UUID userId, JobRequests.Create request, String role, Who who) {
        Optional<Created> result = serializer.inTransaction(List.of(userId),
                () -> createLocked(userId, request, config.maxInFlight().of(role), who));
        result.filter(Created::created).ifPresent(created -> counted(JobStatus.PENDING));
        return result;
    }

    private Optional<Created> createLocked(UUID userId, JobRequests.Create request, int maxInFlight, Who who) {
        auditor.tag(who);
        Optional<GenerationJob> existing = GenerationJob.<GenerationJob>find("userId = ?1 and jobKey = ?2", userId,
                request.jobKey()).firstResultOptional();
        if (existing.isPresent()) {
            GenerationJob job = existing.get();
            if (!job.kind.equals(request.kind()) || job.cost != request.cost()
                    || (request.holdTtl() != null && HoldTtl.of(request.holdTtl(), config).toMillis() != job.holdTtlMs)) {
                throw ApiProblem.idempotencyKeyReused().with("jobId", job.id);
            }
            return Optional.of(new Created(withHistory(job), false));
        }
        Duration ttl = HoldTtl.of(request.holdTtl(), config);
        long inFlight = GenerationJob.count("userId = ?1 and " + OPEN
                + " and holdExpiresAt > function('statement_timestamp')", userId);
        if (inFlight >= maxInFlight) {
            throw new ApiProblem(409, "jobs-in-flight-exceeded", "Too many jobs in flight", "the user already has "
                    + inFlight + " jobs pending or running, the most allowed; settle some to make room")
                    .with("limit", maxInFlight).with("inFlight", inFlight);
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
        GenerationJob job = GenerationJob.pending(id, userId, request, ttl);
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
     * Moves a job to {@code to} and settles its hold when that ends it (capture on success, of
     * {@code actualCost} when given, the rest released; release on failure or cancel). The job row is locked with NOWAIT: a job another
     * transaction is moving fails fast with 55P03, which the resource retries with backoff and
     * jitter and answers with 503 + Retry-After if it persists. After the winner commits, a racing
     * transition sees the new status and gets 409, unless it asks for exactly what the winner did:
     * then it is a repeat (a client's retry, or the resource's after a commit whose answer was lost)
     * and gets the job as it is, changing nothing. Empty when the job is absent or not visible.
     * A transition learns the job's user first (one indexed read) and runs holding that user's
     * balance locks, so it queues behind the user's other credit work instead of failing it or
     * itself with serialization errors, and never overlaps the hold expiry sweep. A job whose hold
     * ran out (by the database's clock, as of the job row's lock) is expired instead, its hold
     * released, and {@code expired} set: the caller answers 409 job-expired, like every later move.
     */
    public Optional<Moved> transition(UUID id, JobStatus to, Outcome outcome, Predicate<UUID> visibleTo, Who who) {
        Optional<UUID> owner = ownerOf(id);
        if (owner.isEmpty()) {
            return Optional.empty();
        }
        Optional<Moved> moved = serializer.inTransaction(List.of(owner.get()),
                () -> transitionLocked(id, owner.get(), to, outcome, visibleTo, who));
        moved.filter(m -> !m.replayed()).ifPresent(m -> counted(m.expired() ? JobStatus.EXPIRED : to));
        return moved;
    }

    private Optional<Moved> transitionLocked(UUID id, UUID owner, JobStatus to, Outcome outcome,
            Predicate<UUID> visibleTo, Who who) {
        auditor.tag(who);
        Optional<GenerationJob> found = locked(id, owner, visibleTo);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        GenerationJob job = found.get();
        if (job.status == JobStatus.EXPIRED) {
            throw expired(job);
        }
        if (job.status.isOpen() && job.holdDue) {
            expire(job, "hold expired before the job moved to " + to, who.actor());
            return Optional.of(new Moved(withHistory(job), false, true));
        }
        if (job.status == to) {
            JobViews.Job current = withHistory(job);
            if (repeats(job, current, outcome)) {
                return Optional.of(new Moved(current, true, false));
            }
        }
        if (to == JobStatus.SUCCEEDED && outcome.actualCost() != null && outcome.actualCost() > job.cost) {
            throw ApiProblem.invalidField("actualCost", "must be at most the job's cost, " + job.cost);
        }
        if (outcome.delivers() && job.status.mayBecome(to)) {
            deliver(job, outcome, who);
        } else {
            move(job, to, outcome, who.actor());
        }
        return Optional.of(new Moved(withHistory(job), false, false));
    }

    /**
     * A success that delivers its result: the job's move and audit row, the CAPTURE (whose
     * reference names the quiz or insight it paid for), then the content itself, all in the
     * caller's transaction, so a failure anywhere (the content's quota, its quiz not the user's, a
     * lost connection) leaves nothing: the job still RUNNING, its hold open, nothing saved.
     */
    private void deliver(GenerationJob job, Outcome outcome, Who who) {
        UUID quizId = outcome.quiz() != null ? UUID.randomUUID() : null;
        if (quizId == null) {
            InsightService.check(outcome.insight().type(), outcome.insight().content());
        } else if (outcome.quiz().sourceJobId() != null && !outcome.quiz().sourceJobId().equals(job.id)) {
            throw ApiProblem.invalidField("quiz.sourceJobId", "a delivered quiz's source is the job delivering it");
        }
        String delivered = quizId != null ? "quiz:" + quizId
                : "quiz:" + outcome.insight().quizId() + "/insights/" + outcome.insight().type();
        job.deliveryHash = digest(outcome);
        move(job, JobStatus.SUCCEEDED, Outcome.succeeded(delivered, outcome.actualCost()), who.actor());
        if (quizId != null) {
            quizzes.deliver(quizId, job.userId, job.id, outcome.quiz(), who);
        } else {
            JobRequests.InsightDelivery insight = outcome.insight();
            insights.put(insight.quizId(), insight.type(), insight.content(), job.userId::equals, who)
                    .orElseThrow(() -> ApiProblem.invalidField("insight.quizId", "is not a live quiz of the job's user"));
        }
    }

    /**
     * Renews the hold of an open job: it now runs out its TTL from the database's clock. Runs
     * holding the user's balance locks, like the expiry sweep, so a heartbeat and the sweep never
     * overlap on one job: whichever comes first wins, and a heartbeat that finds the hold already
     * run out expires the job itself (its answer is then 409 job-expired, as every later one is).
     * A settled job answers 409 job-settled. Empty when the job is absent or not visible.
     */
    public Optional<Beat> heartbeat(UUID id, Predicate<UUID> visibleTo, Who who) {
        Optional<UUID> owner = ownerOf(id);
        if (owner.isEmpty()) {
            return Optional.empty();
        }
        Optional<Beat> beat = serializer.inTransaction(List.of(owner.get()), () -> {
            auditor.tag(who);
            Optional<GenerationJob> found = locked(id, owner.get(), visibleTo);
            if (found.isEmpty()) {
                return Optional.<Beat>empty();
            }
            GenerationJob job = found.get();
            if (job.status == JobStatus.EXPIRED) {
                throw expired(job);
            }
            if (!job.status.isOpen()) {
                throw ApiProblem.conflict("job-settled", "a " + job.status + " job holds nothing to renew")
                        .with("currentStatus", job.status.name());
            }
            Optional<OffsetDateTime> renewed = sql.first("UPDATE generation_jobs SET hold_expires_at = "
                    + "statement_timestamp() + hold_ttl_ms * interval '1 millisecond' "
                    + "WHERE id = ? AND hold_expires_at > statement_timestamp() RETURNING hold_expires_at",
                    rs -> rs.getObject(1, OffsetDateTime.class), id);
            if (renewed.isEmpty()) {
                expire(job, "hold expired before its heartbeat", who.actor());
                return Optional.of(new Beat(null, withHistory(job)));
            }
            return Optional.of(new Beat(new JobViews.Heartbeat(id, job.status, ttlOf(job), renewed.get()), null));
        });
        beat.filter(b -> b.expired() != null).ifPresent(b -> counted(JobStatus.EXPIRED));
        return beat;
    }

    /**
     * Expires the open jobs whose hold ran out (neither settled nor renewed in time) and releases
     * their holds, a batch at a time. Like the stuck-job sweep: learns their users first (a plain
     * read), then runs holding those users' balance locks and a transaction-level advisory lock
     * (another replica's run skips), and checks each job's expiry again under them, so a heartbeat
     * that got in first keeps its job. All of a run is one transaction: a run killed midway leaves
     * nothing, and each job expires once (its move is from an open status, its release of an OPEN
     * hold). Returns the number expired, or -1 when another run holds the lock.
     */
    public int expireHolds(Who who) {
        List<UUID> users = QuarkusTransaction.requiringNew().call(() -> em.createQuery(
                "select distinct userId from GenerationJob where " + DUE, UUID.class)
                .setMaxResults(config.expiryBatch()).getResultList());
        if (users.isEmpty()) {
            return 0;
        }
        int expired = serializer.inTransaction(users, () -> {
            if (!fleet.tryLock(EXPIRY_LOCK)) {
                return -1;
            }
            auditor.tag(who);
            List<GenerationJob> due = GenerationJob.<GenerationJob>find(DUE + " and userId in ?1 order by holdExpiresAt, id",
                    users).withLock(LockModeType.PESSIMISTIC_WRITE)
                    .withHint(SpecHints.HINT_SPEC_LOCK_TIMEOUT, Timeouts.SKIP_LOCKED_MILLI)
                    .range(0, config.expiryBatch() - 1).list();
            for (GenerationJob job : due) {
                expire(job, "hold expired: no heartbeat within its TTL", who.actor());
            }
            return due.size();
        });
        if (expired > 0) {
            counted(JobStatus.EXPIRED, expired);
        }
        return expired;
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
            if (!fleet.tryLock(SWEEP_LOCK)) {
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
                move(job, JobStatus.FAILED, new Outcome(null, null, "running past the deadline of "
                        + config.runningDeadline(), "stuck-job sweep", null, null), who.actor());
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
            move(job, JobStatus.CANCELLED, Outcome.because("user deleted"), deleted.who().actor());
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
    private void move(GenerationJob job, JobStatus to, Outcome outcome, String actor) {
        if (!job.status.mayBecome(to)) {
            throw ApiProblem.conflict("illegal-transition", "a " + job.status + " job cannot become " + to)
                    .with("currentStatus", job.status.name());
        }
        JobStatus from = job.status;
        job.become(to, outcome.resultRef(), outcome.error());
        if (to == JobStatus.SUCCEEDED && outcome.actualCost() != null) {
            job.actualCost = outcome.actualCost();
        }
        job.flush();
        JobTransition.record(job.id, from, to, actor, outcome.reason() != null ? outcome.reason() : outcome.error());
        if (to.settles()) {
            boolean settled = to == JobStatus.SUCCEEDED
                    ? holds.capture(job.id, charged(job), "job " + job.kind + " succeeded",
                            job.deliveryHash != null ? job.resultRef : "job:" + job.id, actor)
                    : holds.release(job.id);
            if (!settled) {
                throw new IllegalStateException("job " + job.id + " had no open hold to settle");
            }
        }
    }

    private void expire(GenerationJob job, String reason, String actor) {
        move(job, JobStatus.EXPIRED, Outcome.because(reason), actor);
    }

    /** The job row, locked with NOWAIT (a job another transaction moves fails fast with 55P03, retried). */
    private Optional<GenerationJob> locked(UUID id, UUID owner, Predicate<UUID> visibleTo) {
        Optional<GenerationJob> found = Optional.ofNullable(em.find(GenerationJob.class, id,
                LockModeType.PESSIMISTIC_WRITE, Timeouts.NO_WAIT)).filter(job -> visibleTo.test(job.userId));
        found.filter(job -> !job.userId.equals(owner)).ifPresent(job -> {
            throw new IllegalStateException("job " + id + " belongs to " + job.userId + ", not " + owner);
        });
        return found;
    }

    /** The job's user, learnt before its balance locks are taken (one indexed read). */
    private Optional<UUID> ownerOf(UUID id) {
        return QuarkusTransaction.requiringNew()
                .call(() -> GenerationJob.<GenerationJob>findByIdOptional(id).map(job -> job.userId));
    }

    private static ApiProblem expired(GenerationJob job) {
        return expired(job.id).with("holdExpiresAt", job.holdExpiresAt);
    }

    /** The answer to any move or heartbeat of a job whose hold ran out: nothing was charged. */
    static ApiProblem expired(UUID id) {
        return ApiProblem.conflict("job-expired", "the job's hold ran out before it settled: it is EXPIRED, its "
                + "credits were released and nothing was charged").with("jobId", id)
                .with("currentStatus", JobStatus.EXPIRED.name());
    }

    private static long charged(GenerationJob job) {
        return job.actualCost != null ? job.actualCost : job.cost;
    }

    private OffsetDateTime stuckBefore() {
        return OffsetDateTime.now().minus(config.runningDeadline());
    }

    /**
     * Whether a transition to the job's current status carries what the one that set it did (a
     * success that named no actual cost charged all of it).
     */
    private boolean repeats(GenerationJob stored, JobViews.Job job, Outcome outcome) {
        return switch (job.status()) {
            case SUCCEEDED -> (outcome.delivers() ? Arrays.equals(digest(outcome), stored.deliveryHash)
                    : stored.deliveryHash == null && Objects.equals(outcome.resultRef(), job.resultRef()))
                    && (outcome.actualCost() != null ? outcome.actualCost() : job.cost()) == job.actualCost();
            case FAILED -> Objects.equals(outcome.error(), job.error());
            case CANCELLED -> Objects.equals(outcome.reason(), job.transitions().getLast().reason());
            default -> true; // start carries nothing
        };
    }

    /** SHA-256 of what a success delivers, as JSON; a retry of the same request sends the same content. */
    private byte[] digest(Outcome outcome) {
        try {
            Object content = outcome.quiz() != null ? outcome.quiz() : outcome.insight();
            return MessageDigest.getInstance("SHA-256").digest(json.writeValueAsBytes(content));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void counted(JobStatus to) {
        counted(to, 1);
    }

    private void counted(JobStatus to, int jobs) {
        registry.counter("genledger.jobs.transitions", "to", to.name()).increment(jobs);
    }

    private JobViews.Job withHistory(GenerationJob job) {
        return view(job).withTransitions(JobTransition.of(job.id).stream()
                .map(t -> new JobViews.Transition(t.fromStatus, t.toStatus, t.actor, t.reason, t.createdAt)).toList());
    }

    private static JobViews.Job view(GenerationJob j) {
        return new JobViews.Job(j.id, j.userId, j.jobKey, j.kind, j.cost, j.status, j.resultRef, j.error, j.createdAt,
                j.updatedAt, j.startedAt, j.finishedAt, ttlOf(j), j.holdExpiresAt,
                j.status == JobStatus.SUCCEEDED ? Long.valueOf(charged(j)) : null, null, j.seq);
    }

    private static String ttlOf(GenerationJob job) {
        return job.holdTtlMs == null ? null : Duration.ofMillis(job.holdTtlMs).toString();
    }
}
