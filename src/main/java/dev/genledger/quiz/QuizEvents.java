package dev.genledger.quiz;

import java.util.UUID;

/**
 * Fired synchronously inside the transaction that deletes a quiz, so the features that keep data
 * about it (insights) hide theirs in the same transaction.
 */
public final class QuizEvents {

    private QuizEvents() {
    }

    public record Deleted(UUID quizId) {
    }
}
