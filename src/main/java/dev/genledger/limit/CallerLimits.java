package dev.genledger.limit;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Admits or refuses a caller's request against its budget: a token bucket (Bucket4j) of
 * requests per second, refilled continuously, and a count of its requests in flight. Callers live
 * in a bounded map (Caffeine) that forgets the least recently seen beyond {@code maxCallers} and
 * anyone idle for a minute (whose bucket would be full again anyway), so a flood of distinct
 * callers cannot grow memory.
 */
// Caffeine picks its cache and node classes by name at run time; the native image needs the two this
// builder's settings (bounded by size, expiring after access) pick.
@RegisterForReflection(classNames = { "com.github.benmanes.caffeine.cache.SSMSA", "com.github.benmanes.caffeine.cache.PSAMS" })
@ApplicationScoped
public class CallerLimits {

    private static final Duration FORGET_AFTER = Duration.ofMinutes(1);
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    /** A named budget: the name (a role, or {@code public}) is what the RateLimit headers call it. */
    public record Policy(String name, LimitsConfig.Budget budget) {

        public String inFlightName() {
            return name + "-in-flight";
        }
    }

    /** What admitting one request decided. */
    public sealed interface Admission {
    }

    /** Admitted: {@code release} must run once when the request ends. */
    public record Admitted(Policy policy, long remaining, long resetSeconds, Runnable release) implements Admission {
    }

    /** Refused because the policy named {@code violated} is exhausted; worth retrying after that many seconds. */
    public record Refused(Policy policy, String violated, long retryAfterSeconds) implements Admission {
    }

    private record Allowance(Bucket bucket, Semaphore inFlight) {

        static Allowance of(LimitsConfig.Budget budget) {
            int rate = budget.requestsPerSecond();
            return new Allowance(
                    Bucket.builder().addLimit(limit -> limit.capacity(rate).refillGreedy(rate, Duration.ofSeconds(1))).build(),
                    new Semaphore(budget.inFlight()));
        }
    }

    // Keyed by one string, not a record: a record's generated equals runs through method handles,
    // slow in a native image (docs/performance.md).
    private final Cache<String, Allowance> allowances;

    CallerLimits(LimitsConfig config) {
        allowances = Caffeine.newBuilder().maximumSize(config.maxCallers()).expireAfterAccess(FORGET_AFTER).build();
    }

    public Admission admit(Policy policy, String caller) {
        Allowance allowance = allowances.get(policy.name() + '\n' + caller, key -> Allowance.of(policy.budget()));
        // In flight first: a request refused for concurrency then costs no token of the rate budget.
        if (!allowance.inFlight().tryAcquire()) {
            return new Refused(policy, policy.inFlightName(), 1);
        }
        ConsumptionProbe probe = allowance.bucket().tryConsumeAndReturnRemaining(1);
        if (!probe.isConsumed()) {
            allowance.inFlight().release();
            return new Refused(policy, policy.name(), seconds(probe.getNanosToWaitForRefill()));
        }
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                allowance.inFlight().release();
            }
        };
        return new Admitted(policy, probe.getRemainingTokens(), seconds(probe.getNanosToWaitForReset()), release);
    }

    // Whole seconds, rounded up and at least 1: what Retry-After and the draft's "t" can carry.
    private static long seconds(long nanos) {
        return Math.max(1, (nanos + NANOS_PER_SECOND - 1) / NANOS_PER_SECOND);
    }
}
