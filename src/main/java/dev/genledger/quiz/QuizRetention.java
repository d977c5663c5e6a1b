package dev.genledger.quiz;

import jakarta.enterprise.context.ApplicationScoped;

import dev.genledger.db.PurgeFunctionStep;
import dev.genledger.db.RetentionConfig;

/**
 * Removes quizzes deleted, or of a user deleted, longer ago than the retention. Before the jobs
 * they name as their source.
 */
@ApplicationScoped
public class QuizRetention extends PurgeFunctionStep {

    QuizRetention() {
        super("quizzes", 20, "purge_quizzes", RetentionConfig::deleted);
    }
}
