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
 * <li>Retry only transient failures (see {@link FailureClassifier}), never saturation, with
 * exponential backoff and jitter, and no retry started after {@code maxDuration}; each retry is
 * logged and counted by SQLState ({@link RetryLog}).</li>
 * <li>The attempt's timeout lies above the transaction, socket read and statement timeouts of
 * application.properties, so the database gives up first. It interrupts waits; a blocked socket
 * read ends by the JDBC socket timeout. So every request is answered within {@code maxDuration}
 * and one more attempt.</li>
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
