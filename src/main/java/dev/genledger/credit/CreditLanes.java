package dev.genledger.credit;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.genledger.db.DatabaseOverloadedException;
import dev.genledger.db.DatabaseUnavailableException;
import dev.genledger.db.FailureClassifier;
import dev.genledger.db.RetryLog;
import dev.genledger.db.TransientDatabaseException;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Credit operations are queued on lanes (a user always on the same one) and each lane applies
 * whatever is waiting, up to a batch limit, in one transaction: one commit for many operations,
 * and under REPEATABLE READ no two transactions of this replica ever touch one balance at once,
 * so a hot user costs one transaction per batch instead of a retry storm. Each operation keeps its
 * own conditional update, ledger row and result. The caller that finds a lane idle applies the
 * batch itself; when more is waiting after its own operation is done, a lane thread takes the
 * lane over so the caller can answer.
 */
@ApplicationScoped
public class CreditLanes {

    private record Pending(CreditCommand command, CompletableFuture<CreditResult> result) {
    }

    private static final class Lane {
        final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
        final AtomicBoolean draining = new AtomicBoolean();
    }

    // Users in id order within a batch, so batches of two replicas lock rows in one order and
    // cannot deadlock; the sort is stable, so one user's operations keep their order.
    private static final Comparator<Pending> BY_USER = Comparator.comparing(p -> p.command().userId());

    // How often a lane tries a batch again at once after losing its connection. Not left to the
    // callers' @Retry: one dead connection would fail, and count against the circuit breaker of,
    // every caller in the batch (TransientFailureTests checks that none of them sees it).
    private static final int CONNECTION_RETRIES = 2;

    private final Lane[] lanes;
    // Platform threads, at most one per lane at a time: on a virtual thread every timed socket read
    // of the driver schedules and cancels a timeout task (docs/performance.md).
    private final ExecutorService drainers;
    private final LedgerWriter writer;
    private final BalanceSerializer serializer;
    private final RetryLog retryLog;
    private final int maxBatch;
    private final DistributionSummary batchSizes;

    @Inject
    CreditLanes(LedgerWriter writer, BalanceSerializer serializer, RetryLog retryLog, MeterRegistry registry,
            CreditsConfig config) {
        this.writer = writer;
        this.serializer = serializer;
        this.retryLog = retryLog;
        this.maxBatch = config.maxBatch();
        this.lanes = new Lane[config.lanes()];
        for (int i = 0; i < lanes.length; i++) {
            this.lanes[i] = new Lane();
        }
        this.drainers = Executors.newFixedThreadPool(lanes.length,
                Thread.ofPlatform().name("credit-lane-", 0).daemon().factory());
        batchSizes = DistributionSummary.builder("genledger.credits.batch.size")
                .description("credit operations applied per transaction").register(registry);
    }

    /** Queues the command on its user's lane and waits for its result. */
    public CreditResult submit(CreditCommand command) {
        Pending pending = new Pending(command, new CompletableFuture<>());
        Lane lane = lanes[Math.floorMod(command.userId().hashCode(), lanes.length)];
        lane.queue.add(pending);
        if (lane.draining.compareAndSet(false, true)) {
            drain(lane, pending);
        }
        try {
            return pending.result().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a credit operation", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Applies batches until the lane is empty, or, for a caller, until its own operation is done. */
    private void drain(Lane lane, Pending own) {
        while (true) {
            List<Pending> batch = new ArrayList<>();
            for (Pending p; batch.size() < maxBatch && (p = lane.queue.poll()) != null;) {
                batch.add(p);
            }
            if (batch.isEmpty()) {
                lane.draining.set(false);
                // A submitter that queued after the poll but before the flag was cleared found the
                // lane draining and is waiting: drain on, unless it has started draining itself.
                if (lane.queue.isEmpty() || !lane.draining.compareAndSet(false, true)) {
                    return;
                }
                continue;
            }
            run(batch);
            if (own != null && own.result().isDone() && !lane.queue.isEmpty()) {
                drainers.execute(() -> drain(lane, null));
                return;
            }
        }
    }

    private void run(List<Pending> batch) {
        batch.sort(BY_USER);
        apply(batch, CONNECTION_RETRIES);
    }

    private static void fail(List<Pending> batch, Throwable e) {
        // A caller draining its lane is interrupted when its own attempt times out; the operations
        // of its neighbours were not at fault and must be retried, not failed for good.
        Throwable failure = Thread.currentThread().isInterrupted() && !(e instanceof TransientDatabaseException)
                ? new TransientDatabaseException(new FailureClassifier.Classification(FailureClassifier.Kind.CONTENTION, null), e)
                : e;
        batch.forEach(p -> p.result().completeExceptionally(failure));
    }

    private void apply(List<Pending> batch, int retries) {
        batchSizes.record(batch.size());
        List<CreditCommand> commands = batch.stream().map(Pending::command).toList();
        List<UUID> users = commands.stream().map(CreditCommand::userId).toList();
        try {
            List<CreditResult> results = retries == CONNECTION_RETRIES
                    ? serializer.inTransaction(users, () -> writer.applyAll(commands))
                    : serializer.withoutStripeLocks(users, () -> writer.applyAll(commands));
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result().complete(results.get(i));
            }
        } catch (DatabaseOverloadedException e) {
            fail(batch, e);
        } catch (DatabaseUnavailableException e) {
            if (retries > 0 && !Thread.currentThread().isInterrupted()) {
                // A killed connection would otherwise fail every operation that shared it, each
                // counting against its caller's circuit breaker: the lane tries again at once, in a
                // new transaction on another connection (the dead one has left the pool).
                retryLog.retrying("CreditLanes.batch", e);
                apply(batch, retries - 1);
            } else {
                fail(batch, e);
            }
        } catch (TransientDatabaseException e) {
            // Contention (in the database, or the users stayed locked too long in this replica):
            // each caller's retry (with backoff) queues its operation again.
            fail(batch, e);
        } catch (Throwable e) {
            if (batch.size() == 1 || Thread.currentThread().isInterrupted()) {
                fail(batch, e);
            } else {
                // One bad operation must not fail its neighbours: apply each on its own.
                batch.forEach(p -> apply(List.of(p), CONNECTION_RETRIES));
            }
        }
    }

    @PreDestroy
    void stop() {
        drainers.close();
    }
}
