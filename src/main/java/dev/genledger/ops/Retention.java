package dev.genledger.ops;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import dev.genledger.api.Who;
import dev.genledger.audit.Auditor;
import dev.genledger.db.OncePerFleet;
import dev.genledger.db.RetentionConfig;
import dev.genledger.db.RetentionStep;
import dev.genledger.db.TranslateFailures;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.jboss.logging.Logger;

/**
 * The retention purge: every {@link RetentionStep} the features contribute, in one transaction
 * that first takes a transaction-scoped advisory lock, so however many replicas (or operators)
 * start it at once, one does the work and the others report that it was already running.
 */
@ApplicationScoped
@TranslateFailures
public class Retention {

    /** The advisory lock key of the purge ("genledgr" in ASCII); shared by every replica. */
    public static final long LOCK_KEY = 0x67656e6c65646772L;

    private static final Logger LOG = Logger.getLogger(Retention.class);

    @Inject
    OncePerFleet fleet;

    @Inject
    @Any
    Instance<RetentionStep> steps;

    @Inject
    Auditor auditor;

    @Inject
    MeterRegistry registry;

    @Inject
    RetentionConfig config;

    @RegisterForReflection
    public record Purged(String step, long rows) {
    }

    /** What a run did; {@code ran} is false when another run held the lock. */
    @RegisterForReflection
    public record Report(boolean ran, String trigger, List<Purged> purged, long totalRows, long millis) {
    }

    /** Runs the purge in a transaction of its own, with the purge's own timeout. */
    public Report run(String trigger, Who who) {
        return QuarkusTransaction.requiringNew().timeout((int) config.transactionTimeout().toSeconds())
                .call(() -> purge(trigger, who));
    }

    private Report purge(String trigger, Who who) {
        long started = System.nanoTime();
        if (!fleet.tryLock(LOCK_KEY)) {
            LOG.infof("retention purge (%s) skipped: another run holds the lock", trigger);
            registry.counter("genledger.retention.runs", "trigger", trigger, "outcome", "skipped").increment();
            return new Report(false, trigger, List.of(), 0, millisSince(started));
        }
        auditor.tag(who);
        List<RetentionStep> ordered = new ArrayList<>();
        steps.forEach(ordered::add);
        ordered.sort(Comparator.comparingInt(RetentionStep::order).thenComparing(RetentionStep::name));
        List<Purged> purged = new ArrayList<>();
        for (RetentionStep step : ordered) {
            long rows = step.purge();
            purged.add(new Purged(step.name(), rows));
            registry.counter("genledger.retention.purged", "step", step.name()).increment(rows);
        }
        long total = purged.stream().mapToLong(Purged::rows).sum();
        auditor.adminAction(who, "retention-purge", "retention", null, purged.stream()
                .map(p -> "\"" + p.step() + "\": " + p.rows()).collect(Collectors.joining(", ", "{", "}")));
        long millis = millisSince(started);
        LOG.infof("retention purge (%s): %d rows removed in %d ms: %s", trigger, total, millis, purged);
        registry.counter("genledger.retention.runs", "trigger", trigger, "outcome", "ran").increment();
        return new Report(true, trigger, purged, total, millis);
    }

    private static long millisSince(long started) {
        return (System.nanoTime() - started) / 1_000_000;
    }
}
