package dev.genledger.event;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.genledger.api.ApiProblem;
import dev.genledger.api.Caller;
import dev.genledger.api.Cursor;
import dev.genledger.api.Page;
import dev.genledger.api.RequestMeta;
import dev.genledger.db.DatabaseResource;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

/** Webhook endpoints, their delivery log and replays: admins only. */
@Path("/v1/admin/webhooks")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Caller.ADMIN)
public class WebhookResource extends DatabaseResource {

    @Inject
    WebhookService webhooks;

    @Inject
    RequestMeta meta;

    @POST
    public Response create(@Valid @NotNull WebhookRequests.Create request) {
        WebhookViews.Endpoint created = webhooks.create(request, meta.who());
        return Response.created(URI.create("/v1/admin/webhooks/" + created.id())).entity(created).build();
    }

    @GET
    public List<WebhookViews.Endpoint> list() {
        return webhooks.list();
    }

    @GET
    @Path("{id}")
    public WebhookViews.Endpoint get(@PathParam("id") UUID id) {
        return webhooks.get(id).orElseThrow(() -> ApiProblem.notFound("webhook " + id));
    }

    @PATCH
    @Path("{id}")
    public WebhookViews.Endpoint update(@PathParam("id") UUID id, @Valid @NotNull WebhookRequests.Patch patch)
            {
        return webhooks.update(id, patch, meta.who()).orElseThrow(() -> ApiProblem.notFound("webhook " + id));
    }

    @DELETE
    @Path("{id}")
    public Response delete(@PathParam("id") UUID id) {
        if (!webhooks.delete(id, meta.who())) {
            throw ApiProblem.notFound("webhook " + id);
        }
        return Response.noContent().build();
    }

    @POST
    @Path("{id}/replay")
    public Response replay(@PathParam("id") UUID id, @Valid @NotNull WebhookRequests.Replay range) {
        WebhookViews.Replayed replayed = webhooks.replay(id, range, meta.who())
                .orElseThrow(() -> ApiProblem.notFound("webhook " + id));
        return Response.accepted(replayed).build();
    }

    @GET
    @Path("{id}/deliveries")
    public Page<WebhookViews.Delivery> deliveries(@PathParam("id") UUID id, @QueryParam("status") String status,
            @QueryParam("cursor") String cursor,
            @QueryParam("limit") @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "200"))
            String limit) {
        return webhooks.deliveries(id, status, cursor, Cursor.limit(limit))
                .orElseThrow(() -> ApiProblem.notFound("webhook " + id));
    }
}
