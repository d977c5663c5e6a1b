package dev.genledger.user;

import java.util.UUID;

import jakarta.enterprise.context.RequestScoped;

/**
 * The id of the user a request creates, made once per request. Every retry of the request (after a
 * COMMIT whose answer was lost, say) creates the same id, so a retry can tell the user its own earlier
 * attempt created from somebody else's with the same email.
 */
@RequestScoped
public class NewUserId {

    private final UUID value = UUID.randomUUID();

    public UUID value() {
        return value;
    }
}
