package dev.genledger.ops;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.genledger.support.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;

/** GENLEDGER_DEMO_ENABLED=true gives a fresh local run users with credits, jobs and a published quiz, once. */
@QuarkusTest
@TestProfile(DemoDataTests.WithDemoData.class)
class DemoDataTests {

    public static class WithDemoData implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("genledger.demo.enabled", "true");
        }
    }

    @Inject
    DemoData demo;

    @Test
    void theDemoUsersHaveCreditsJobsAndAPublishedQuizAndASecondStartAddsNothing() throws Exception {
        demo.seed(null);

        String ada = Api.asService().queryParam("email", DemoData.ADA).get("/v1/users")
                .then().statusCode(200).body("displayName", equalTo("Ada Lovelace")).extract().path("id");
        Api.asService().get("/v1/users/" + ada + "/balance").then().statusCode(200)
                .body("balance", equalTo(480)).body("held", equalTo(0));
        Api.asService().get("/v1/users/" + ada + "/jobs").then().statusCode(200)
                .body("items", hasSize(1)).body("items[0].status", equalTo("SUCCEEDED"));
        String slug = Api.asService().get("/v1/users/" + ada + "/quizzes").then().statusCode(200)
                .body("items", hasSize(1)).body("items[0].slug", notNullValue()).extract().path("items[0].slug");
        RestAssured.given().get("/v1/public/quizzes/" + slug).then().statusCode(200)
                .body("title", equalTo("European capitals")).body("questions", hasSize(2));

        String grace = Api.asService().queryParam("email", "grace@demo.genledger.dev").get("/v1/users")
                .then().statusCode(200).extract().path("id");
        Api.asService().get("/v1/users/" + grace + "/balance").then().statusCode(200)
                .body("balance", equalTo(200)).body("held", equalTo(10)).body("available", equalTo(190));
        Api.asService().get("/v1/users/" + grace + "/jobs").then().body("items[0].status", equalTo("PENDING"));
        String alan = Api.asService().queryParam("email", "alan@demo.genledger.dev").get("/v1/users")
                .then().statusCode(200).extract().path("id");
        assertEquals(50L, Api.balance(java.util.UUID.fromString(alan)));
        assertEquals(1L, Api.ledgerRows(java.util.UUID.fromString(alan)), "one grant, not one per start");
    }
}
