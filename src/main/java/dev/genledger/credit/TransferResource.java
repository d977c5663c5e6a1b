package dev.genledger.credit;


import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.genledger.api.ApiProblem;
import dev.genledger.api.Caller;
import dev.genledger.db.DatabaseResource;
import dev.genledger.api.IdempotencyKey;

@Path("/v1/transfers")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TransferResource extends DatabaseResource {

    @Inject
    CreditService credits;

    @Inject
    Caller caller;

    @Inject
    IdempotencyKey idempotencyKey;

    @POST
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN })
    public Response transfer(@Valid @NotNull CreditRequests.Transfer request) {
        if (request.fromUserId().equals(request.toUserId())) {
            throw ApiProblem.badRequest("same-user-transfer", "fromUserId and toUserId must differ");
        }
        LedgerWriter.TransferResult result = credits.transfer(request.fromUserId(), request.toUserId(),
                request.amount(), request.reason(), idempotencyKey.value(), caller.actor());
        return switch (result.status()) {
            case APPLIED -> Response.status(Response.Status.CREATED).entity(result.transfer()).build();
            case REPLAYED -> Response.status(Response.Status.CREATED).entity(result.transfer())
                    .header(IdempotencyKey.REPLAYED_HEADER, "true").build();
            case INSUFFICIENT -> throw ApiProblem.insufficientCredits(result.available(), request.amount());
            case USER_NOT_FOUND -> throw ApiProblem.notFound("user " + result.missingUser());
            case KEY_REUSED -> throw ApiProblem.idempotencyKeyReused();
            case EXPIRY_PASSED -> throw new IllegalStateException("a transfer has no terms of its own to expire");
        };
    }
}
