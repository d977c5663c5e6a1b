package dev.genledger.support;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.genledger.credit.CreditsConfig;
import org.eclipse.microprofile.config.ConfigProvider;

/** The credit lane a user's grants, spends and refunds queue on (as credit.CreditLanes picks it). */
public final class Lanes {

    private Lanes() {
    }

    public static int of(UUID user) {
        // Against a packaged app (ITs) the test's config has no mapping defaults: fall back to the mapping's.
        int lanes = ConfigProvider.getConfig().getOptionalValue("genledger.credits.lanes", Integer.class)
                .orElse(Integer.parseInt(CreditsConfig.DEFAULT_LANES));
        return Math.floorMod(user.hashCode(), lanes);
    }

    /** Creates users (through the API, each holding {@code credits}) until {@code count} are on {@code lane}. */
    public static List<UUID> newUsersOn(int lane, int count, long credits) {
        List<UUID> users = new ArrayList<>();
        while (users.size() < count) {
            UUID user = Api.newUserWith(credits);
            if (of(user) == lane) {
                users.add(user);
            }
        }
        return users;
    }
}
