package dev.genledger.ops;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.genledger.api.Who;
import dev.genledger.db.TranslateFailures;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.runtime.TransactionConfiguration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The retention purge: every {@link RetentionStep} in one transaction that first takes a
 * transaction-scoped advisory lock, so however many replicas (or operators) start it at once,
 * one does the work and the others report that it was already running.
 */
@ApplicationScoped
@TranslateFailures
public class Retention {

    /** The advisory lock key of the purge ("genledgr" in ASCII); shared by every replica. */
    public static final long LOCK_KEY = 0x67656e6c65646772L;

    private static final Logger LOG = Logger.getLogger(Retention.class);

    @Inject
    EntityManager em;

    @Inject
    @Any
    Instance<RetentionStep> steps;

    @Inject
    MeterRegistry registry;

    @ConfigProperty(name = "genledger.retention.period", defaultValue = "P30D")
    Duration period;

    @RegisterForReflection

    public record Purged(String step, long rows) {
    }

    /** What a run did; {@code ran} is false when another run held the lock. */
    @RegisterForReflection
    public record Report(boolean ran, String trigger, Instant cutoff, List<Purged> purged, long totalRows,
            long millis) {
    }

    @Transactional
    @TransactionConfiguration(timeoutFromConfigProperty = "genledger.retention.transaction-timeout")
    public Report run(String trigger, Who who) {
        long started = System.nanoTime();
        Instant cutoff = Instant.now().minus(period);
        boolean locked = (Boolean) em.createNativeQuery("SELECT pg_try_advisory_xact_lock(?1)")
                .setParameter(1, LOCK_KEY).getSingleResult();
        if (!locked) {
            LOG.infof("retention purge (%s) skipped: another run holds the lock", trigger);
            registry.counter("genledger.retention.runs", "trigger", trigger, "outcome", "skipped").increment();
            return new Report(false, trigger, cutoff, List.of(), 0, millisSince(started));
        }
        List<RetentionStep> ordered = new ArrayList<>();
        steps.forEach(ordered::add);
        ordered.sort(Comparator.comparing(RetentionStep::name));
        List<Purged> purged = new ArrayList<>();
        long total = 0;
        for (RetentionStep step : ordered) {
            long rows = step.purge(cutoff, who);
            purged.add(new Purged(step.name(), rows));
            total += rows;
            registry.counter("genledger.retention.purged", "step", step.name()).increment(rows);
        }
        long millis = millisSince(started);
        LOG.infof("retention purge (%s): %d rows removed in %d ms, cutoff %s: %s", trigger, total, millis, cutoff, purged);
        registry.counter("genledger.retention.runs", "trigger", trigger, "outcome", "ran").increment();
        return new Report(true, trigger, cutoff, purged, total, millis);
    }

    private static long millisSince(long started) {
        return (System.nanoTime() - started) / 1_000_000;
    }
}
