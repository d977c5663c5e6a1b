package dev.genledger.user;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.genledger.api.ApiProblem;
import dev.genledger.api.ConstraintProblems;

/** A live user's email and external id are unique: taking another's is the caller's conflict. */
@ApplicationScoped
public class UserConstraints implements ConstraintProblems {

    @Override
    public Map<String, ApiProblem> byConstraint() {
        return Map.of(
                "users_email_live_key", ApiProblem.conflict("email-taken", "another user already has this email"),
                "users_external_id_live_key",
                ApiProblem.conflict("external-id-taken", "another user already has this external id"));
    }
}
