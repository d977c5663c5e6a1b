package dev.genledger.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.interceptor.InterceptorBinding;

/**
 * Put on a resource method whose read may be slightly stale: when a read replica is configured,
 * the replica answers it, never older than the caller's {@code Consistency-Token} (see
 * {@link ReplicaReads}). Never on a read that a write depends on (balances, idempotency checks).
 */
@InterceptorBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.TYPE, ElementType.METHOD })
public @interface ReplicaRead {
}
