package dev.genledger.api;

/**
 * Who made a change and from where, as the audit trail records it: the actor (role and token
 * subject, or {@code system:<task>} for scheduled work), client IP, user agent and request id.
 */
public record Who(String actor, String clientIp, String userAgent, String requestId) {

    public static Who system(String task) {
        return new Who("system:" + task, null, null, null);
    }
}
