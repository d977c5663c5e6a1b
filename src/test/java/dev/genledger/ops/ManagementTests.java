package dev.genledger.ops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.UUID;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import dev.genledger.support.Api;
import dev.genledger.support.Metrics;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;

/** Probes and metrics live on the management port (9000 in production), the API on its own port. */
@QuarkusTest
class ManagementTests {

    private static RequestSpecification management() {
        return given().port(ConfigProvider.getConfig().getValue("quarkus.management.port", Integer.class));
    }

    @Test
    void probesAreUpOnTheManagementPortAndReadinessChecksTheDatabase() {
        management().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        management().get("/q/health/started").then().statusCode(200).body("status", equalTo("UP"));
        management().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.find { it.name == 'database' }.status", equalTo("UP"));
    }

    @Test
    void probesAndMetricsAreNotServedOnTheApiPort() {
        given().get("/q/health/ready").then().statusCode(404);
        given().get("/q/metrics").then().statusCode(404);
    }

    @Test
    void metricsCoverThePoolFaultToleranceHttpAndBusinessCounters() {
        UUID user = Api.newUserWith(10);
        Api.asService().body(Map.of("amount", 4, "reason", "metrics")).post("/v1/users/{id}/credits/spend", user)
                .then().statusCode(201);
        String metrics = management().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String name : new String[] { "agroal_active_count", "agroal_available_count", "agroal_awaiting_count",
                "agroal_max_used_count", "ft_invocations_total", "http_server_requests_seconds_count",
                "genledger_credits_total" }) {
            assertTrue(metrics.contains(name), "metric " + name + " is exported");
        }
        assertTrue(Metrics.sum("genledger_credits_total", "kind=\"spend\"") >= 4, "spent credits are counted");
        assertTrue(Metrics.sum("http_server_requests_seconds_count", "uri=\"/v1/users/{id}/credits/spend\"") >= 1,
                "API requests are timed by route template");
    }

    @Test
    void theOpenApiDocumentIsServedOnTheApiPort() {
        given().get("/q/openapi").then().statusCode(200).body(containsString("/v1/users/{id}/credits/spend"));
    }
}
