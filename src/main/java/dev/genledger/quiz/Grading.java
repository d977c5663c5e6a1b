package dev.genledger.quiz;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.genledger.api.ApiProblem;

/**
 * Grades a submission to a published quiz on the server, so the public view can leave the answers
 * out. It tells right or wrong per question and never which option was right; a reader willing to
 * submit once per option can still find out, which per-question grading cannot avoid.
 */
final class Grading {

    private Grading() {
    }

    /** One answer per question, each the index of one of its options; otherwise a 400. */
    static QuizViews.Graded grade(JsonNode questions, List<Integer> answers) {
        if (answers.size() != questions.size()) {
            throw ApiProblem.invalidField("answers", "give one answer for each of the " + questions.size() + " questions");
        }
        List<Boolean> correct = new ArrayList<>(answers.size());
        int score = 0;
        for (int i = 0; i < answers.size(); i++) {
            JsonNode question = questions.get(i);
            int answer = answers.get(i);
            if (answer >= question.path("options").size()) {
                throw ApiProblem.invalidField("answers[" + i + "]", "must be the index of one of the question's options");
            }
            boolean right = answer == question.path("answer").asInt();
            correct.add(right);
            score += right ? 1 : 0;
        }
        return new QuizViews.Graded(score, answers.size(), correct);
    }
}
