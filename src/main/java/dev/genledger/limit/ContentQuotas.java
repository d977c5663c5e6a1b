package dev.genledger.limit;

import dev.genledger.api.ApiProblem;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How much content one user may keep: live (not deleted) quizzes and insights. Counted in the
 * database ({@code content_usage}, kept by triggers), checked where content is created.
 */
@ConfigMapping(prefix = "genledger.quotas")
public interface ContentQuotas {

    @WithDefault("1000")
    int quizzesPerUser();

    /** Across all of the user's quizzes: 20 per quiz at the default quiz quota. */
    @WithDefault("20000")
    int insightsPerUser();

    /** The problem a create beyond a quota answers: 409, since deleting content makes room again. */
    static ApiProblem exceeded(String what, int limit) {
        return new ApiProblem(409, "quota-exceeded", "Quota exceeded",
                "the user already has " + limit + " " + what + ", the most allowed; delete some to make room")
                .with("quota", what).with("limit", limit);
    }
}
