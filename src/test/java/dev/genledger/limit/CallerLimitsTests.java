package dev.genledger.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.api.Test;

/** The per-caller budgets on their own: no HTTP, no clock but the bucket's. */
class CallerLimitsTests {

    @Test
    void aCallerBeyondItsRateIsRefusedByTheRatePolicyWhileAnotherCallerIsNot() {
        CallerLimits limits = new CallerLimits(config(100));
        CallerLimits.Policy policy = new CallerLimits.Policy("user", budget(3, 100));
        for (int i = 0; i < 3; i++) {
            release(limits.admit(policy, "alice"));
        }
        CallerLimits.Refused refused = assertInstanceOf(CallerLimits.Refused.class, limits.admit(policy, "alice"));
        assertEquals("user", refused.violated());
        assertEquals(1, refused.retryAfterSeconds());
        assertInstanceOf(CallerLimits.Admitted.class, limits.admit(policy, "bob"));
    }

    @Test
    void aCallerWithAllItsRequestsInFlightIsRefusedUntilOneEndsAndAReleaseCountsOnce() {
        CallerLimits limits = new CallerLimits(config(100));
        CallerLimits.Policy policy = new CallerLimits.Policy("service", budget(1000, 2));
        CallerLimits.Admitted first = assertInstanceOf(CallerLimits.Admitted.class, limits.admit(policy, "app"));
        CallerLimits.Admitted second = assertInstanceOf(CallerLimits.Admitted.class, limits.admit(policy, "app"));
        CallerLimits.Refused refused = assertInstanceOf(CallerLimits.Refused.class, limits.admit(policy, "app"));
        assertEquals("service-in-flight", refused.violated());
        first.release().run();
        first.release().run();
        CallerLimits.Admitted third = assertInstanceOf(CallerLimits.Admitted.class, limits.admit(policy, "app"));
        assertInstanceOf(CallerLimits.Refused.class, limits.admit(policy, "app"), "a second release of one request frees nothing");
        second.release().run();
        third.release().run();
    }

    @Test
    void oneCallerHasABudgetPerPolicyAndNoCallerNameReachesAnothersBudget() {
        CallerLimits limits = new CallerLimits(config(100));
        CallerLimits.Policy user = new CallerLimits.Policy("user", budget(1, 100));
        CallerLimits.Policy service = new CallerLimits.Policy("service", budget(1, 100));
        release(limits.admit(user, "alice"));
        assertInstanceOf(CallerLimits.Refused.class, limits.admit(user, "alice"));
        release(limits.admit(service, "alice"));
        release(limits.admit(user, "alice\nservice"));
        release(limits.admit(user, "service\nalice"));
    }

    private static void release(CallerLimits.Admission admission) {
        assertInstanceOf(CallerLimits.Admitted.class, admission).release().run();
    }

    private static LimitsConfig.Budget budget(int rate, int inFlight) {
        return new LimitsConfig.Budget() {
            @Override
            public int requestsPerSecond() {
                return rate;
            }

            @Override
            public int inFlight() {
                return inFlight;
            }
        };
    }

    private static LimitsConfig config(int maxCallers) {
        return new LimitsConfig() {
            @Override
            public boolean enabled() {
                return true;
            }

            @Override
            public int maxCallers() {
                return maxCallers;
            }

            @Override
            public Budget user() {
                return budget(1, 1);
            }

            @Override
            public Budget service() {
                return budget(1, 1);
            }

            @Override
            public Budget admin() {
                return budget(1, 1);
            }

            @Override
            public Budget anonymous() {
                return budget(1, 1);
            }
        };
    }
}
