package dev.genledger.db;

import jakarta.annotation.Priority;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;

import io.agroal.api.AgroalDataSource;

/**
 * Runs outside the transaction interceptor (lower priority number = outer), so it also sees
 * failures of the commit itself.
 */
@TranslateFailures
@Interceptor
@Priority(Interceptor.Priority.PLATFORM_BEFORE)
public class FailureTranslator {

    @AroundInvoke
    Object translate(InvocationContext invocation) throws Exception {
        try {
            return invocation.proceed();
        } catch (TransientDatabaseException | ConstraintViolation alreadyTranslated) {
            throw alreadyTranslated;
        } catch (Exception failure) {
            Exception translated = translate(failure);
            if (translated instanceof DatabaseOverloadedException exhausted
                    && exhausted.kind() == FailureClassifier.Kind.POOL_EXHAUSTED && !anyPoolFull()) {
                // Agroal times out the same way when it cannot open a connection (a pooler
                // restarting, a failover): that is the database being unreachable, not
                // exhaustion, and worth retrying.
                throw new DatabaseUnavailableException(
                        new FailureClassifier.Classification(FailureClassifier.Kind.UNAVAILABLE, "08001"),
                        exhausted.getCause());
            }
            throw translated;
        }
    }

    private boolean anyPoolFull() {
        for (AgroalDataSource pool : Pools.active()) {
            if (pool.getMetrics().activeCount() >= pool.getConfiguration().connectionPoolConfiguration().maxSize()) {
                return true;
            }
        }
        return false;
    }

    static Exception translate(Exception failure) {
        FailureClassifier.Classification c = FailureClassifier.classify(failure);
        if (c.transientFailure()) {
            return TransientDatabaseException.of(c, failure);
        }
        String state = c.sqlState();
        if (state != null && (state.startsWith("23") || state.startsWith("22"))) {
            return new ConstraintViolation(state, FailureClassifier.violatedConstraint(failure).orElse(null), failure);
        }
        return failure;
    }
}
