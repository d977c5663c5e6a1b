package dev.genledger.quiz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.genledger.api.ApiProblem;

/** Grading on its own: no database, no HTTP. */
class GradingTests {

    private static final JsonNode QUESTIONS = read("""
            [{"question": "a", "options": ["x", "y", "z"], "answer": 2},
             {"question": "b", "options": ["x", "y"], "answer": 0}]""");

    @Test
    void eachAnswerIsRightOrWrongAndTheScoreCountsTheRightOnes() {
        assertEquals(new QuizViews.Graded(2, 2, List.of(true, true)), Grading.grade(QUESTIONS, List.of(2, 0)));
        assertEquals(new QuizViews.Graded(1, 2, List.of(false, true)), Grading.grade(QUESTIONS, List.of(1, 0)));
        assertEquals(new QuizViews.Graded(0, 2, List.of(false, false)), Grading.grade(QUESTIONS, List.of(0, 1)));
    }

    @Test
    void aWrongCountOrAnIndexOutsideTheOptionsIsRefused() {
        assertEquals(400, assertThrows(ApiProblem.class, () -> Grading.grade(QUESTIONS, List.of(2))).status());
        assertEquals(400, assertThrows(ApiProblem.class, () -> Grading.grade(QUESTIONS, List.of(2, 0, 1))).status());
        ApiProblem outside = assertThrows(ApiProblem.class, () -> Grading.grade(QUESTIONS, List.of(2, 2)));
        assertEquals(List.of(Map.of("field", "answers[1]", "message",
                "must be the index of one of the question's options")), outside.extensions().get("errors"));
    }

    private static JsonNode read(String json) {
        try {
            return new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
