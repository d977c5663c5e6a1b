package dev.genledger.support;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.config.ConfigProvider;

/** The credit lane a user's grants, spends and refunds queue on (as credit.CreditLanes picks it). */
public final class Lanes {

    private Lanes() {
    }

    public static int of(UUID user) {
        return Math.floorMod(user.hashCode(), ConfigProvider.getConfig().getValue("genledger.credits.lanes", Integer.class));
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
