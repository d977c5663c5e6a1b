package dev.genledger.db;

import jakarta.annotation.Priority;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;

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
            throw translate(failure);
        }
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
