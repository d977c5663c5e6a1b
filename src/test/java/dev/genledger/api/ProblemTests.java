package dev.genledger.api;

import static dev.genledger.support.Api.asService;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.emptyOrNullString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.contains;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.genledger.support.Api;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class ProblemTests {

    @Test
    void unknownPathIsANotFoundProblem() {
        given().get("/no/such/path").then().statusCode(404).contentType("application/problem+json")
                .body("type", equalTo("https://genledger.dev/problems/not-found"))
                .body("requestId", not(emptyOrNullString()));
        asService().get("/v1/nothing-here").then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void wrongMethodIsAMethodNotAllowedProblem() {
        asService().delete("/v1/users").then().statusCode(405).contentType("application/problem+json")
                .body("type", equalTo("https://genledger.dev/problems/method-not-allowed"));
    }

    @Test
    void malformedJsonIsABadRequestWithoutInternals() {
        asService().body("{\"email\": ").post("/v1/users").then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("https://genledger.dev/problems/malformed-request"))
                .body(not(containsString("jackson"))).body(not(containsString("java.")));
        UUID user = Api.newUserWith(10);
        asService().body("{\"amount\": \"ten\", \"reason\": \"r\"}").post("/v1/users/{id}/credits/spend", user).then()
                .statusCode(400).body("detail", containsString("amount")).body(not(containsString("java.")));
        asService().body("{\"amount\": 1.5, \"reason\": \"r\"}").post("/v1/users/{id}/credits/spend", user).then()
                .statusCode(400);
        asService().body("{\"amount\": \"1\", \"reason\": \"r\"}").post("/v1/users/{id}/credits/spend", user).then()
                .statusCode(400);
        asService().body("{\"amount\": 1, \"reason\": \"r\"} trailing").post("/v1/users/{id}/credits/spend", user)
                .then().statusCode(400);
        asService().body("{\"amount\": 99999999999999999999999, \"reason\": \"r\"}")
                .post("/v1/users/{id}/credits/spend", user).then().statusCode(400);
        asService().body("{\"amount\": 1, \"reason\": \"r\", \"sneaky\": true}")
                .post("/v1/users/{id}/credits/spend", user).then().statusCode(400)
                .body("detail", containsString("sneaky"));
        asService().body("[1,2]").post("/v1/users/{id}/credits/spend", user).then().statusCode(400);
        org.junit.jupiter.api.Assertions.assertEquals(10, Api.balance(user));
    }

    @Test
    void aLimitThatIsNotAnIntegerFrom1To200IsAValidationProblemOnEveryList() {
        UUID user = Api.newUserWith(1);
        List<String> lists = List.of("/v1/users/" + user + "/ledger", "/v1/users/" + user + "/jobs",
                "/v1/users/" + user + "/quizzes", "/v1/admin/users", "/v1/admin/audit", "/v1/admin/stats");
        for (String list : lists) {
            for (String limit : List.of("abc", "99999999999", "0", "-1", "201", "1.5", " 5", "0x10")) {
                Api.asAdmin().queryParam("limit", limit).get(list).then().statusCode(400)
                        .contentType("application/problem+json")
                        .body("type", equalTo("https://genledger.dev/problems/validation"))
                        .body("errors.field", contains("limit"));
            }
            Api.asAdmin().queryParam("limit", "200").get(list).then().statusCode(200);
            Api.asAdmin().queryParam("limit", "1").get(list).then().statusCode(200);
            Api.asAdmin().get(list).then().statusCode(200);
        }
    }

    @Test
    void anOversizedBodyIsAPayloadTooLargeProblem() {
        UUID user = Api.newUserWith(5);
        String huge = "{\"amount\":1,\"reason\":\"" + "x".repeat(11 * 1024 * 1024) + "\"}";
        asService().body(huge).post("/v1/users/{id}/credits/spend", user).then().statusCode(413)
                .contentType("application/problem+json")
                .body("type", equalTo("https://genledger.dev/problems/payload-too-large"));
        assertEquals(5, Api.balance(user));
    }

    @Test
    void wrongContentTypeIsUnsupportedMediaType() {
        given().auth().oauth2(dev.genledger.support.Tokens.service()).contentType("text/plain").body("hello")
                .post("/v1/users").then().statusCode(415).contentType("application/problem+json");
    }

    @Test
    void requestIdIsEchoedOrGenerated() {
        given().header("X-Request-Id", "trace-123").get("/no/such/path").then()
                .header("X-Request-Id", "trace-123").body("requestId", equalTo("trace-123"));
        asService().header("X-Request-Id", "abc-42").get("/v1/users/{id}", UUID.randomUUID()).then()
                .statusCode(404).header("X-Request-Id", "abc-42").body("requestId", equalTo("abc-42"));
        asService().get("/v1/users/{id}", UUID.randomUUID()).then().header("X-Request-Id", not(emptyOrNullString()));
        // an id that could forge log lines is replaced
        given().header("X-Request-Id", "bad id\twith spaces").get("/no/such/path").then()
                .header("X-Request-Id", not(equalTo("bad id\twith spaces")));
    }
}
