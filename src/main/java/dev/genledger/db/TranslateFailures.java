package dev.genledger.db;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.interceptor.InterceptorBinding;

/**
 * Put on a transactional service: failures that leave it, including those raised when its
 * transaction commits, are classified and rethrown as {@link TransientDatabaseException} or
 * {@link ConstraintViolation}, which the resources' fault tolerance and the problem mapper know.
 */
@InterceptorBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.TYPE, ElementType.METHOD })
public @interface TranslateFailures {
}
