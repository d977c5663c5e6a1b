package dev.genledger.credit;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.genledger.db.TransientDatabaseException;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * One lane per user: credit operations on a user are queued and run by a single drainer, which
 * applies everything waiting (up to a batch limit) in one transaction. Under REPEATABLE READ,
 * concurrent transactions on one balance row would fail each other with serialization errors;
 * here a hot user costs one transaction per batch instead of a retry storm. Each operation keeps
 * its own conditional update, ledger row and result.
 */
@ApplicationScoped
public class CreditLanes {

    private record Pending(CreditCommand command, CompletableFuture<CreditResult> result) {
    }

    private static final class Lane {
        final Queue<Pending> queue = new ConcurrentLinkedQueue<>();
        final AtomicBoolean draining = new AtomicBoolean();
    }

    private final ConcurrentHashMap<UUID, Lane> lanes = new ConcurrentHashMap<>();
    private final ExecutorService drainers = Executors.newVirtualThreadPerTaskExecutor();

    @Inject
    LedgerWriter writer;

    @Inject
    UserLocks locks;

    @ConfigProperty(name = "genledger.credits.max-batch", defaultValue = "64")
    int maxBatch;

    private final DistributionSummary batchSizes;

    @Inject
    CreditLanes(MeterRegistry registry) {
        batchSizes = DistributionSummary.builder("genledger.credits.batch.size")
                .description("credit operations applied per transaction").register(registry);
    }

    /** Queues the command on its user's lane and waits for its result. */
    public CreditResult submit(CreditCommand command) {
        Pending pending = new Pending(command, new CompletableFuture<>());
        Lane lane = lanes.computeIfAbsent(command.userId(), id -> new Lane());
        lane.queue.add(pending);
        if (lane.draining.compareAndSet(false, true)) {
            drainers.execute(() -> drain(command.userId(), lane));
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

    private void drain(UUID userId, Lane lane) {
        while (true) {
            List<Pending> batch = new ArrayList<>();
            for (Pending p; batch.size() < maxBatch && (p = lane.queue.poll()) != null;) {
                batch.add(p);
            }
            if (batch.isEmpty()) {
                lane.draining.set(false);
                if (lane.queue.isEmpty()) {
                    // A submitter racing with this removal only costs a second lane for a moment;
                    // the database still serializes the two, and a conflict is retried.
                    lanes.remove(userId, lane);
                    return;
                }
                // A submitter queued after the poll but before the flag was cleared: keep draining
                // unless it has started a drainer itself.
                if (!lane.draining.compareAndSet(false, true)) {
                    return;
                }
            }
            try {
                locks.withUser(userId, () -> {
                    run(batch);
                    return null;
                });
            } catch (RuntimeException e) {
                // The user stayed locked too long (a transfer, say): the batch fails as contention and
                // each caller's retry queues again. The drainer goes on, or the lane would stay marked
                // as draining with nobody draining it.
                batch.forEach(p -> p.result().completeExceptionally(e));
            }
        }
    }

    private void run(List<Pending> batch) {
        batchSizes.record(batch.size());
        try {
            List<CreditResult> results = writer.applyAll(batch.stream().map(Pending::command).toList());
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result().complete(results.get(i));
            }
        } catch (TransientDatabaseException e) {
            // The whole transaction is gone; each caller's retry queues its operation again.
            batch.forEach(p -> p.result().completeExceptionally(e));
        } catch (Throwable e) {
            if (batch.size() == 1) {
                batch.getFirst().result().completeExceptionally(e);
            } else {
                // One bad operation must not fail its neighbours: run each on its own.
                batch.forEach(p -> run(List.of(p)));
            }
        }
    }

    @PreDestroy
    void stop() {
        drainers.close();
    }
}
