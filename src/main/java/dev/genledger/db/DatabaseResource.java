package dev.genledger.db;

import io.smallrye.faulttolerance.api.BeforeRetry;
import io.smallrye.faulttolerance.api.ExponentialBackoff;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;

/**
 * The fault tolerance of every resource that reaches the database, inherited by its subclasses.
 * It sits on resources, outside the services' transactions, so each retry runs a new transaction.
 * <ul>
 * <li>Retry only transient failures (see {@link FailureClassifier}), never saturation: up to 10
 * times, none started after 4 s, exponential backoff from 10 ms (at most 500 ms) with 10 ms of
 * jitter; each retry is logged and counted by SQLState ({@link RetryLog}).</li>
 * <li>Each attempt is bounded by 4 s, above the 3 s transaction and socket read and the 2 s
 * statement timeouts. The timeout interrupts waits; a blocked socket read ends by the JDBC socket
 * timeout. So every request is answered within about 9 s.</li>
 * <li>The circuit breaker (per method) opens on an unreachable or saturated database, not on
 * contention nor on 4xx outcomes.</li>
 * </ul>
 * Tune per class or method through configuration, e.g.
 * {@code quarkus.fault-tolerance."dev.genledger.credit.CreditResource/spend".retry.max-retries}.
 */
@Retry(maxRetries = 10, delay = 10, jitter = 10, maxDuration = 4000, retryOn = TransientDatabaseException.class,
        abortOn = DatabaseOverloadedException.class)
@ExponentialBackoff(maxDelay = 500)
@BeforeRetry(RetryLog.class)
@Timeout(4000)
@CircuitBreaker(requestVolumeThreshold = 20, failureRatio = 0.5, delay = 5000, successThreshold = 2,
        failOn = { DatabaseUnavailableException.class, TimeoutException.class })
public abstract class DatabaseResource {
}
