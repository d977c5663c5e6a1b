package dev.genledger.support;

import static io.restassured.RestAssured.given;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** Shorthands for calling the API in tests. */
public final class Api {

    private Api() {
    }

    public static RequestSpecification as(String token) {
        return given().auth().oauth2(token).contentType(ContentType.JSON);
    }

    public static RequestSpecification asService() {
        return as(Tokens.service());
    }

    public static RequestSpecification asAdmin() {
        return as(Tokens.admin());
    }

    /** Creates a user with a unique email and returns its id. */
    public static UUID newUser() {
        String id = asService().body(Map.of("email", "u-" + UUID.randomUUID() + "@example.com"))
                .post("/v1/users").then().statusCode(201).extract().path("id");
        return UUID.fromString(id);
    }

    /** Creates a user holding {@code credits} (granted in one ledger row when positive). */
    public static UUID newUserWith(long credits) {
        UUID user = newUser();
        if (credits > 0) {
            grant(user, credits);
        }
        return user;
    }

    /** A spend sent from a thread of its own. */
    public static CompletableFuture<Response> spendInBackground(UUID user, long amount) {
        return spendInBackground(user, amount, UUID.randomUUID().toString());
    }

    public static CompletableFuture<Response> spendInBackground(UUID user, long amount, String idempotencyKey) {
        return inBackground(() -> asService().header("Idempotency-Key", idempotencyKey)
                .body(Map.of("amount", amount, "reason", "in background"))
                .post("/v1/users/{id}/credits/spend", user));
    }

    /** A request sent from a thread of its own (which inherits the class loader REST Assured needs). */
    public static CompletableFuture<Response> inBackground(Supplier<Response> request) {
        CompletableFuture<Response> response = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                response.complete(request.get());
            } catch (RuntimeException e) {
                response.completeExceptionally(e);
            }
        });
        return response;
    }

    public static void grant(UUID user, long amount) {
        asService().body(Map.of("amount", amount, "reason", "test grant"))
                .post("/v1/users/{id}/credits/grant", user).then().statusCode(201);
    }

    public static long balance(UUID user) {
        return Database.queryLong("SELECT balance FROM users WHERE id = ?", user);
    }

    public static long ledgerRows(UUID user) {
        return Database.queryLong("SELECT count(*) FROM credit_ledger WHERE user_id = ?", user);
    }
}
