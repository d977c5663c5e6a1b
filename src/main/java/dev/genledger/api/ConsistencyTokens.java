package dev.genledger.api;

import jakarta.inject.Inject;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

import dev.genledger.db.Lsn;
import dev.genledger.db.Replica;
import dev.genledger.db.WalPositions;

/**
 * Answers every successful write with a {@code Consistency-Token}: the primary's WAL position read
 * after the write committed. A later read that sends it back is answered by the replica only once
 * the replica has replayed that far ({@link ReplicaReads}). Without a replica there is nothing to
 * wait for, and no token.
 */
@Provider
public class ConsistencyTokens implements ContainerResponseFilter {

    public static final String HEADER = "Consistency-Token";

    @Inject
    Replica replica;

    @Inject
    WalPositions positions;

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (replica.configured() && isWrite(request.getMethod())
                && response.getStatusInfo().getFamily() == Response.Status.Family.SUCCESSFUL) {
            response.getHeaders().putSingle(HEADER, Lsn.format(positions.afterCommit()));
        }
    }

    private static boolean isWrite(String method) {
        return switch (method) {
            case HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE -> true;
            default -> false;
        };
    }
}
