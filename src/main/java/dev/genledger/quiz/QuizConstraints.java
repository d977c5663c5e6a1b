package dev.genledger.quiz;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.genledger.api.ApiProblem;
import dev.genledger.api.ConstraintProblems;

/** A published quiz's slug is unique; a collision of random slugs is a conflict the client may retry. */
@ApplicationScoped
public class QuizConstraints implements ConstraintProblems {

    @Override
    public Map<String, ApiProblem> byConstraint() {
        return Map.of("quizzes_slug_key", ApiProblem.conflict("slug-collision", "the generated slug is taken; retry"));
    }
}
