package dev.genledger.event;

import java.util.List;

/** The kinds of event the outbox triggers write (V23); credits.expired comes with credit lots. */
public final class EventTypes {

    public static final List<String> ALL = List.of("credits.granted", "credits.low", "credits.depleted",
            "credits.recovered", "credits.expired", "job.succeeded", "job.failed", "job.cancelled", "hold.expired",
            "user.deleted", "user.restored");

    private EventTypes() {
    }
}
