package dev.genledger.api;

import static dev.genledger.support.Api.asService;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.genledger.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Requests the database refuses (a taken email or external id, a reused idempotency key) leave
 * no email, external id, token or body text in the log: the test profile also writes the log to
 * a file, which is read back afterwards.
 */
@QuarkusTest
class LogPrivacyTests {

    private static final Path LOG = Path.of("target", "quarkus-test.log");

    @Test
    void refusedWritesLogNeitherTheValuesNorTheTokenNorTheBody() throws IOException {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String email = "eve-" + tag + "@example.com";
        String externalId = "tg-eve-" + tag;
        String reason = "secret reason " + tag;
        String token = Tokens.service();

        String first = asService().body(Map.of("email", email, "externalId", externalId)).post("/v1/users").then()
                .statusCode(201).extract().path("id");
        asService().body(Map.of("email", email.toUpperCase())).post("/v1/users").then().statusCode(409)
                .body("type", equalTo("https://genledger.dev/problems/email-taken"));
        asService().body(Map.of("email", "other-" + email, "externalId", externalId)).post("/v1/users").then().statusCode(409)
                .body("type", equalTo("https://genledger.dev/problems/external-id-taken"));
        String second = asService().body(Map.of("email", "second-" + email)).post("/v1/users").then().statusCode(201)
                .extract().path("id");
        asService().body(Map.of("email", email)).patch("/v1/users/{id}", second).then().statusCode(409);
        asService().body(Map.of("externalId", externalId)).patch("/v1/users/{id}", second).then().statusCode(409);
        asService().header("Idempotency-Key", "k-" + tag).body(Map.of("amount", 5, "reason", reason))
                .post("/v1/users/{id}/credits/grant", first).then().statusCode(201);
        asService().header("Idempotency-Key", "k-" + tag).body(Map.of("amount", 6, "reason", reason))
                .post("/v1/users/{id}/credits/grant", first).then().statusCode(422);
        asService().body(Map.of("amount", 1_000_000, "reason", reason)).post("/v1/users/{id}/credits/spend", first)
                .then().statusCode(402);

        assertTrue(Files.exists(LOG), "the test profile logs to " + LOG);
        StringBuilder logs = new StringBuilder();
        // The file is rotated at every start and by size: read the rotated ones too.
        try (DirectoryStream<Path> files = Files.newDirectoryStream(LOG.getParent(), LOG.getFileName() + "*")) {
            for (Path file : files) {
                logs.append(Files.readString(file, StandardCharsets.UTF_8));
            }
        }
        String log = logs.toString().toLowerCase();
        assertTrue(log.contains("started: schema version"), "the file holds this run's log");
        for (String secret : List.of(email, externalId, reason, token, token.substring(token.lastIndexOf('.') + 1))) {
            assertEquals(-1, log.indexOf(secret.toLowerCase()), "the log contains " + secret);
        }
    }
}
