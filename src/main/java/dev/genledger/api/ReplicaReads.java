package dev.genledger.api;

import java.util.OptionalLong;

import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;

import dev.genledger.db.DatabaseRoute;
import dev.genledger.db.Lsn;
import dev.genledger.db.Replica;
import dev.genledger.db.TransientDatabaseException;
import io.vertx.core.http.HttpServerRequest;

/**
 * Sends a {@link ReplicaRead} to the replica when it is up, within the lag bound and has replayed as
 * far as the request's {@code Consistency-Token}; otherwise, and when a read on it fails, the
 * primary answers. It runs inside the resource's fault tolerance, so every attempt decides afresh,
 * and outside the service's transaction, so the transaction's snapshot is taken on the server
 * chosen, after it was seen to have replayed far enough.
 */
@ReplicaRead
@Interceptor
@Priority(Interceptor.Priority.PLATFORM_AFTER + 20)
public class ReplicaReads {

    @Inject
    Replica replica;

    @Inject
    HttpServerRequest request;

    @AroundInvoke
    Object route(InvocationContext invocation) throws Exception {
        if (!replica.configured()) {
            return invocation.proceed();
        }
        String reason = replica.bypassReason(token());
        if (reason != null) {
            replica.bypassed(reason);
            return invocation.proceed();
        }
        try {
            return DatabaseRoute.onReplica(invocation::proceed);
        } catch (TransientDatabaseException failure) {
            replica.failed(failure);
            replica.bypassed(Replica.DOWN);
            return invocation.proceed();
        }
    }

    private OptionalLong token() {
        String given = request.getHeader(ConsistencyTokens.HEADER);
        if (given == null) {
            return OptionalLong.empty();
        }
        OptionalLong lsn = Lsn.parse(given);
        if (lsn.isEmpty()) {
            throw ApiProblem.badRequest("invalid-consistency-token",
                    ConsistencyTokens.HEADER + " must be a token from a response of this service");
        }
        return lsn;
    }
}
