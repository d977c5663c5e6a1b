package dev.genledger.credit;

import java.util.List;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.genledger.api.ApiProblem;
import dev.genledger.api.Caller;
import dev.genledger.db.DatabaseResource;
import dev.genledger.api.Cursor;
import dev.genledger.api.IdempotencyKey;
import dev.genledger.api.Page;
import dev.genledger.api.ReplicaRead;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

@Path("/v1/users/{id}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class CreditResource extends DatabaseResource {

    @Inject
    CreditService credits;

    @Inject
    BalanceHistory history;

    @Inject
    CreditsConfig config;

    @Inject
    Caller caller;

    @Inject
    IdempotencyKey idempotencyKey;

    @GET
    @Path("balance")
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN, Caller.USER })
    public CreditViews.Balance balance(@PathParam("id") UUID id,
            @QueryParam("at") @Parameter(schema = @Schema(type = SchemaType.STRING, format = "date-time")) String at) {
        caller.requireAccessTo(id);
        return (at == null ? credits.balance(id) : history.at(id, LedgerFilter.at(at, config.atSkew())))
                .orElseThrow(() -> ApiProblem.notFound("user " + id));
    }

    @ReplicaRead
    @GET
    @Path("ledger")
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN, Caller.USER })
    public Page<CreditViews.Entry> ledger(@PathParam("id") UUID id, @QueryParam("cursor") String cursor,
            @QueryParam("limit") @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "200"))
            String limit,
            @QueryParam("from") @Parameter(schema = @Schema(type = SchemaType.STRING, format = "date-time")) String from,
            @QueryParam("to") @Parameter(schema = @Schema(type = SchemaType.STRING, format = "date-time")) String to,
            @QueryParam("kind") List<String> kind) {
        caller.requireAccessTo(id);
        LedgerFilter filter = LedgerFilter.of(from, to, kind);
        return credits.ledger(id, filter, cursor, Cursor.limit(limit)).orElseThrow(() -> ApiProblem.notFound("user " + id));
    }

    @POST
    @Path("credits/grant")
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN })
    public Response grant(@PathParam("id") UUID id, @Valid @NotNull CreditRequests.Grant request) {
        CreditResult result = credits.change(new CreditCommand(id, LedgerKind.GRANT, request.amount(), request.reason(),
                request.reference(), idempotencyKey.value(), caller.actor(), request.lot()));
        return answer(id, result, request.amount());
    }

    @GET
    @Path("credits/lots")
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN, Caller.USER })
    public Page<CreditViews.Lot> lots(@PathParam("id") UUID id, @QueryParam("cursor") String cursor,
            @QueryParam("limit") @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "200"))
            String limit) {
        caller.requireAccessTo(id);
        return credits.lots(id, cursor, Cursor.limit(limit)).orElseThrow(() -> ApiProblem.notFound("user " + id));
    }

    @POST
    @Path("credits/spend")
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN })
    public Response spend(@PathParam("id") UUID id, @Valid @NotNull CreditRequests.Change request) {
        return change(id, LedgerKind.SPEND, request);
    }

    @POST
    @Path("credits/refund")
    @RolesAllowed({ Caller.SERVICE, Caller.ADMIN })
    public Response refund(@PathParam("id") UUID id, @Valid @NotNull CreditRequests.Change request) {
        return change(id, LedgerKind.REFUND, request);
    }

    private Response change(UUID id, LedgerKind kind, CreditRequests.Change request) {
        CreditResult result = credits.change(new CreditCommand(id, kind, request.amount(), request.reason(),
                request.reference(), idempotencyKey.value(), caller.actor()));
        return answer(id, result, request.amount());
    }

    // A grant answers its ledger row with the lot it created.
    private static Response answer(UUID id, CreditResult result, long amount) {
        Object body = result.lot() == null ? result.entry() : CreditViews.Grant.of(result.entry(), result.lot());
        return switch (result.status()) {
            case APPLIED -> Response.status(Response.Status.CREATED).entity(body).build();
            case REPLAYED -> Response.status(Response.Status.CREATED).entity(body)
                    .header(IdempotencyKey.REPLAYED_HEADER, "true").build();
            case INSUFFICIENT -> throw ApiProblem.insufficientCredits(result.available(), amount);
            case USER_NOT_FOUND -> throw ApiProblem.notFound("user " + id);
            case KEY_REUSED -> throw ApiProblem.idempotencyKeyReused();
            case EXPIRY_PASSED -> throw ApiProblem.invalidField("expiresAt", "must be in the future");
        };
    }
}
