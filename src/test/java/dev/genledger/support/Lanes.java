package dev.genledger.support;

import java.util.UUID;

import org.eclipse.microprofile.config.ConfigProvider;

/** The credit lane a user's grants, spends and refunds queue on (as credit.CreditLanes picks it). */
public final class Lanes {

    private Lanes() {
    }

    public static int of(UUID user) {
        return Math.floorMod(user.hashCode(), ConfigProvider.getConfig().getValue("genledger.credits.lanes", Integer.class));
    }
}
