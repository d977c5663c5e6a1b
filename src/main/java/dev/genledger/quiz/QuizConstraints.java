package dev.genledger.quiz;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.genledger.api.ApiProblem;
import dev.genledger.api.ConstraintProblems;

/**
 * A published quiz's slug is unique: a collision of random slugs is a conflict the client may
 * retry. A quiz's source job must be its owner's (V34).
 */
@ApplicationScoped
public class QuizConstraints implements ConstraintProblems {

    @Override
    public Map<String, ApiProblem> byConstraint() {
        return Map.of("quizzes_slug_key", ApiProblem.conflict("slug-collision", "the generated slug is taken; retry"),
                "quizzes_source_job_owner_fkey",
                ApiProblem.badRequest("unknown-source-job", "sourceJobId is not one of this user's jobs"));
    }
}
