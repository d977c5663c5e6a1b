package dev.genledger.api;

import static dev.genledger.support.Api.as;
import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.newUserWith;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.genledger.support.Api;
import dev.genledger.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.jwt.build.Jwt;

@QuarkusTest
class AuthTests {

    @Test
    void noTokenIsUnauthorizedAsAProblem() {
        given().get("/v1/users/{id}", UUID.randomUUID()).then().statusCode(401)
                .contentType("application/problem+json")
                .header("WWW-Authenticate", "Bearer")
                .body("type", equalTo("https://genledger.dev/problems/unauthorized"));
        given().contentType(ContentType.JSON).body(Map.of("amount", 1, "reason", "r"))
                .post("/v1/users/{id}/credits/spend", UUID.randomUUID()).then().statusCode(401);
    }

    @Test
    void forgedOrForeignTokensAreUnauthorized() {
        as("not.a.jwt").get("/v1/users/{id}", UUID.randomUUID()).then().statusCode(401);
        String wrongIssuer = Jwt.issuer("https://elsewhere").subject("x").groups("admin")
                .sign(keyOf(Tokens.admin()));
        as(wrongIssuer).get("/v1/admin/reconciliation").then().statusCode(401);
        String tampered = Tokens.service().replaceFirst("\\.[^.]+\\.", "." + java.util.Base64.getUrlEncoder()
                .withoutPadding().encodeToString("{\"sub\":\"x\",\"groups\":[\"admin\"]}".getBytes()) + ".");
        as(tampered).get("/v1/admin/reconciliation").then().statusCode(401);
    }

    @Test
    void aTokenThatWorkedIsRefusedOnceItsSignatureIsAltered() {
        String token = Tokens.admin();
        as(token).get("/v1/users/{id}", UUID.randomUUID()).then().statusCode(404);
        // A character inside the signature (the last one may only carry padding bits).
        int at = token.length() - 10;
        String altered = token.substring(0, at) + (token.charAt(at) == 'A' ? 'B' : 'A') + token.substring(at + 1);
        as(altered).get("/v1/users/{id}", UUID.randomUUID()).then().statusCode(401);
        as(token).get("/v1/users/{id}", UUID.randomUUID()).then().statusCode(404);
    }

    @Test
    void aTokenThatWorkedIsRefusedOnceItExpires() throws InterruptedException {
        long expiry = Instant.now().getEpochSecond() + 2;
        String token = Tokens.expiringAt(expiry, "short-lived", "admin");
        as(token).get("/v1/users/{id}", UUID.randomUUID()).then().statusCode(404);
        as(token).get("/v1/users/{id}", UUID.randomUUID()).then().statusCode(404);
        Thread.sleep(Math.max(0, (expiry + 2) * 1000 - System.currentTimeMillis()));
        as(token).get("/v1/users/{id}", UUID.randomUUID()).then().statusCode(401);
    }

    @Test
    void aUserSeesOnlyThemselvesAndOthersLookAbsent() {
        UUID me = newUserWith(5);
        UUID other = newUserWith(5);
        String myToken = Tokens.user(me);
        as(myToken).get("/v1/users/{id}", me).then().statusCode(200);
        as(myToken).get("/v1/users/{id}/balance", me).then().statusCode(200).body("balance", equalTo(5));
        as(myToken).get("/v1/users/{id}/ledger", me).then().statusCode(200);
        as(myToken).get("/v1/users/{id}", other).then().statusCode(404);
        as(myToken).get("/v1/users/{id}/balance", other).then().statusCode(404);
        as(myToken).get("/v1/users/{id}/ledger", other).then().statusCode(404);
        as(myToken).body(Map.of("displayName", "mine now")).patch("/v1/users/{id}", other).then().statusCode(404);
        as(myToken).delete("/v1/users/{id}", other).then().statusCode(404);
        String otherEmail = asService().get("/v1/users/{id}", other).then().extract().path("email");
        as(myToken).queryParam("email", otherEmail).get("/v1/users").then().statusCode(404);
        asService().get("/v1/users/{id}", other).then().statusCode(200);
    }

    @Test
    void aUserIsTheTokenSubjectWhateverItsUpnOrPreferredUsernameSay() {
        UUID victim = newUserWith(5);
        UUID intruder = newUserWith(5);
        String byUpn = Tokens.userNamed(intruder.toString(), victim.toString(), null);
        String byPreferredName = Tokens.userNamed(intruder.toString(), null, victim.toString());
        String byBoth = Tokens.userNamed(intruder.toString(), victim.toString(), victim.toString());
        for (String token : new String[] { byUpn, byPreferredName, byBoth }) {
            as(token).get("/v1/users/{id}", victim).then().statusCode(404);
            as(token).get("/v1/users/{id}/balance", victim).then().statusCode(404);
            as(token).body(Map.of("displayName", "taken over")).patch("/v1/users/{id}", victim).then().statusCode(404);
            as(token).delete("/v1/users/{id}", victim).then().statusCode(404);
            as(token).get("/v1/users/{id}", intruder).then().statusCode(200);
        }
        // the subject decides, even when the other claims name somebody else
        as(Tokens.userNamed(victim.toString(), intruder.toString(), intruder.toString()))
                .get("/v1/users/{id}", victim).then().statusCode(200);
        asService().get("/v1/users/{id}", victim).then().statusCode(200).body("displayName", equalTo(null));
    }

    @Test
    void aTokenWithoutASubjectIsNobody() {
        UUID victim = newUserWith(5);
        String noSubject = Tokens.userNamed(null, victim.toString(), victim.toString());
        as(noSubject).get("/v1/users/{id}", victim).then().statusCode(401)
                .body("type", equalTo("https://genledger.dev/problems/unauthorized"));
        as(noSubject).delete("/v1/users/{id}", victim).then().statusCode(401);
        asService().get("/v1/users/{id}", victim).then().statusCode(200);
    }

    @Test
    void aUserCannotMoveCreditsOrUseAdminEndpoints() {
        UUID me = newUserWith(5);
        String myToken = Tokens.user(me);
        as(myToken).body(Map.of("amount", 5, "reason", "r")).post("/v1/users/{id}/credits/grant", me).then()
                .statusCode(403).body("type", equalTo("https://genledger.dev/problems/forbidden"));
        as(myToken).body(Map.of("amount", 1, "reason", "r")).post("/v1/users/{id}/credits/spend", me).then()
                .statusCode(403);
        as(myToken).get("/v1/admin/reconciliation").then().statusCode(403);
        Api.asService().get("/v1/admin/reconciliation").then().statusCode(403);
        Api.asAdmin().get("/v1/admin/reconciliation").then().statusCode(200);
        org.junit.jupiter.api.Assertions.assertEquals(5, Api.balance(me));
    }

    private static java.security.PrivateKey keyOf(String ignored) {
        try {
            return io.smallrye.jwt.util.KeyUtils.generateKeyPair(2048).getPrivate();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
