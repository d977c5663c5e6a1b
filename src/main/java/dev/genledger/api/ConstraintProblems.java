package dev.genledger.api;

import java.util.Map;

/**
 * What a feature answers when the database refuses a change by one of its own constraints, e.g.
 * the live users' unique email as 409 {@code email-taken}. Each feature contributes a bean;
 * {@link ProblemMapper} looks the violated constraint's name up in all of them.
 */
public interface ConstraintProblems {

    /** By constraint (or unique index) name. */
    Map<String, ApiProblem> byConstraint();
}
