package dev.genledger.api;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import org.jboss.logging.MDC;

/**
 * The request's caller and origin, for the audit trail. The client IP is the peer address, or the
 * forwarded one when {@code quarkus.http.proxy.proxy-address-forwarding} is enabled behind a
 * trusted proxy.
 */
@RequestScoped
public class RequestMeta {

    private static final int MAX_USER_AGENT = 500;

    @Inject
    HttpServerRequest request;

    @Inject
    Caller caller;

    public Who who() {
        SocketAddress peer = request.remoteAddress();
        String agent = request.getHeader("User-Agent");
        if (agent != null && agent.length() > MAX_USER_AGENT) {
            agent = agent.substring(0, MAX_USER_AGENT);
        }
        Object requestId = MDC.get(RequestIds.MDC_KEY);
        return new Who(caller.actor(), peer == null ? null : peer.hostAddress(), agent,
                requestId == null ? null : requestId.toString());
    }
}
