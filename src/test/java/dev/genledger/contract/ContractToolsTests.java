package dev.genledger.contract;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

import dev.genledger.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * The document checked by tools nobody here wrote: Redocly's recommended rules, the TypeScript
 * types openapi-typescript generates from it (compiled by tsc against a small client), and the
 * API workflow of an app backend driven through Prism as a validating proxy, which checks each
 * request and response against the document.
 */
@QuarkusTest
class ContractToolsTests {

    private static final int PRISM_PORT = 19510;
    private static final int BROKEN_PRISM_PORT = 19511;

    @Test
    void redoclyFindsNoError() throws Exception {
        OpenApiTools.Run lint = OpenApiTools.run(180, "redocly", "lint", ContractDriftTests.DOCUMENT.toString(),
                "--config", "redocly.yaml", "--format", "stylish");
        assertEquals(0, lint.exitCode(), "redocly lint:\n" + lint.output());
        assertTrue(lint.output().contains("valid"), lint.output());
    }

    @Test
    void generatedTypeScriptTypesCompile() throws Exception {
        OpenApiTools.Run types = OpenApiTools.run(180, "openapi-typescript", ContractDriftTests.DOCUMENT.toString(),
                "-o", "generated/genledger.d.ts");
        assertEquals(0, types.exitCode(), "openapi-typescript:\n" + types.output());
        OpenApiTools.Run tsc = OpenApiTools.run(180, "tsc", "-p", "tsconfig.json");
        assertEquals(0, tsc.exitCode(), "tsc rejected src/test/openapi/usage.ts against the generated types:\n" + tsc.output());
    }

    @Test
    void theWorkflowThroughPrismBreaksNothingInTheDocument() throws Exception {
        List<String> violations = throughPrism(ContractDriftTests.DOCUMENT, PRISM_PORT, ContractToolsTests::workflow);
        assertEquals(List.of(), violations, "Prism found responses or requests the document does not describe");
    }

    /** The proxy does catch a document that lies: here one that says displayName is never null. */
    @Test
    void prismReportsADocumentThatDiffersFromTheService() throws Exception {
        Path broken = Files.createTempFile("openapi-broken", ".yaml");
        try {
            String document = Files.readString(ContractDriftTests.DOCUMENT, UTF_8);
            String lie = document.replace("        displayName: { type: [string, 'null'] }\n        balance:",
                    "        displayName: { type: string }\n        balance:");
            assertFalse(lie.equals(document), "the User schema changed: adjust this test");
            Files.writeString(broken, lie, UTF_8);
            List<String> violations = throughPrism(broken, BROKEN_PRISM_PORT, prism -> {
                List<Response> responses = new ArrayList<>();
                responses.add(service(prism).body(Map.of("email", unique())).post("/v1/users"));
                return responses;
            });
            assertFalse(violations.isEmpty(), "Prism accepted a null displayName the broken document forbids");
            assertTrue(violations.toString().contains("displayName"), violations.toString());
        } finally {
            Files.deleteIfExists(broken);
        }
    }

    private static List<String> throughPrism(Path document, int port, Function<Integer, List<Response>> requests)
            throws IOException, InterruptedException {
        Path output = Files.createTempFile("prism", ".log");
        Process prism = OpenApiTools.start(output, "prism", "proxy", document.toString(),
                "http://127.0.0.1:" + RestAssured.port, "--host", "127.0.0.1", "--port", String.valueOf(port),
                "--errors", "false");
        try {
            OpenApiTools.awaitPort(prism, port, output, 90);
            List<String> violations = new ArrayList<>();
            for (Response r : requests.apply(port)) {
                String header = r.header("sl-violations");
                if (header != null) {
                    violations.add(r.statusCode() + " " + header);
                }
            }
            String log = Files.readString(output, UTF_8);
            log.lines().filter(l -> l.contains("Violation:")).forEach(violations::add);
            return violations;
        } finally {
            prism.destroy();
            prism.waitFor();
            Files.deleteIfExists(output);
        }
    }

    /** An app backend's day: users, keyed grants and their replay, 402, spends, jobs, quizzes, public reads, errors. */
    private static List<Response> workflow(int prism) {
        List<Response> all = new ArrayList<>();
        String email = unique();
        Response created = expect(201, service(prism).body(Map.of("email", email, "displayName", "Ada")).post("/v1/users"), all);
        String user = created.path("id");
        assertTrue(created.header("Location").endsWith("/v1/users/" + user));
        String other = expect(201, service(prism).body(Map.of("email", unique(), "externalId", "tg:" + UUID.randomUUID()))
                .post("/v1/users"), all).path("id");
        expect(409, service(prism).body(Map.of("email", email)).post("/v1/users"), all);
        expect(200, service(prism).get("/v1/users/" + user), all);
        expect(200, service(prism).queryParam("email", email).get("/v1/users"), all);
        expect(404, service(prism).queryParam("email", unique()).get("/v1/users"), all);
        expect(400, service(prism).get("/v1/users"), all);
        expect(201, service(prism).body(Map.of("email", unique())).put("/v1/users/by-external-id/ext-" + UUID.randomUUID()), all);
        expect(200, service(prism).body(Map.of("displayName", "Ada L.")).patch("/v1/users/" + user), all);

        String key = "grant-" + UUID.randomUUID();
        Map<String, Object> grant = Map.of("amount", 100, "reason", "welcome bonus");
        expect(201, service(prism).header("Idempotency-Key", key).body(grant).post("/v1/users/" + user + "/credits/grant"), all);
        Response replay = expect(201, service(prism).header("Idempotency-Key", key).body(grant)
                .post("/v1/users/" + user + "/credits/grant"), all);
        assertEquals("true", replay.header("Idempotent-Replayed"));
        expect(422, service(prism).header("Idempotency-Key", key).body(Map.of("amount", 7, "reason", "other"))
                .post("/v1/users/" + user + "/credits/grant"), all);
        expect(402, service(prism).body(Map.of("amount", 1000, "reason", "too much")).post("/v1/users/" + user + "/credits/spend"), all);
        expect(201, service(prism).body(Map.of("amount", 10, "reason", "quiz", "reference", "chat-1"))
                .post("/v1/users/" + user + "/credits/spend"), all);
        expect(201, service(prism).body(Map.of("amount", 2, "reason", "sorry")).post("/v1/users/" + user + "/credits/refund"), all);
        expect(201, service(prism).body(Map.of("fromUserId", user, "toUserId", other, "amount", 5, "reason", "gift"))
                .post("/v1/transfers"), all);
        expect(404, service(prism).body(Map.of("amount", 1, "reason", "x")).post("/v1/users/" + UUID.randomUUID() + "/credits/grant"), all);
        expect(200, service(prism).get("/v1/users/" + user + "/balance"), all);
        Response page = expect(200, service(prism).queryParam("limit", 2).get("/v1/users/" + user + "/ledger"), all);
        expect(200, service(prism).queryParam("cursor", (String) page.path("nextCursor")).get("/v1/users/" + user + "/ledger"), all);

        Map<String, Object> job = Map.of("jobKey", "chat-881-" + UUID.randomUUID(), "kind", "quiz", "cost", 5);
        String jobId = expect(201, service(prism).body(job).post("/v1/users/" + user + "/jobs"), all).path("id");
        expect(200, service(prism).body(job).post("/v1/users/" + user + "/jobs"), all);
        expect(403, as(prism, Tokens.user(UUID.fromString(user))).body(job).post("/v1/users/" + user + "/jobs"), all);
        expect(402, service(prism).body(Map.of("jobKey", "big", "kind", "quiz", "cost", 100_000)).post("/v1/users/" + user + "/jobs"), all);
        expect(200, service(prism).post("/v1/jobs/" + jobId + "/start"), all);
        expect(200, service(prism).post("/v1/jobs/" + jobId + "/start"), all);
        expect(200, service(prism).body(Map.of("resultRef", "s3://results/1.json")).post("/v1/jobs/" + jobId + "/succeed"), all);
        expect(409, service(prism).post("/v1/jobs/" + jobId + "/cancel"), all);
        String failing = expect(201, service(prism).body(Map.of("jobKey", "f-" + UUID.randomUUID(), "kind", "quiz", "cost", 1))
                .post("/v1/users/" + user + "/jobs"), all).path("id");
        expect(200, service(prism).post("/v1/jobs/" + failing + "/start"), all);
        expect(200, service(prism).body(Map.of("error", "the model timed out")).post("/v1/jobs/" + failing + "/fail"), all);
        String cancelled = expect(201, service(prism).body(Map.of("jobKey", "c-" + UUID.randomUUID(), "kind", "quiz", "cost", 1))
                .post("/v1/users/" + user + "/jobs"), all).path("id");
        expect(200, service(prism).body(Map.of("reason", "closed the chat")).post("/v1/jobs/" + cancelled + "/cancel"), all);
        expect(200, service(prism).get("/v1/jobs/" + jobId), all);
        expect(200, service(prism).queryParam("status", "SUCCEEDED").get("/v1/users/" + user + "/jobs"), all);

        Map<String, Object> quiz = Map.of("title", "Capitals", "sourceJobId", jobId, "questions",
                List.of(Map.of("question", "Capital of France?", "options", List.of("Paris", "Lyon"), "answer", 0)));
        String quizId = expect(201, service(prism).body(quiz).post("/v1/users/" + user + "/quizzes"), all).path("id");
        expect(200, service(prism).get("/v1/users/" + user + "/quizzes"), all);
        expect(200, service(prism).get("/v1/quizzes/" + quizId), all);
        expect(200, as(prism, Tokens.user(UUID.fromString(user))).body(Map.of("title", "European capitals"))
                .patch("/v1/quizzes/" + quizId), all);
        String slug = expect(200, service(prism).post("/v1/quizzes/" + quizId + "/publish"), all).path("slug");
        expect(200, anonymous(prism).get("/v1/public/quizzes/" + slug), all);
        expect(200, anonymous(prism).body(Map.of("answers", List.of(0))).post("/v1/public/quizzes/" + slug + "/answers"), all);
        expect(201, service(prism).body(Map.of("content", Map.of("text", "geography"))).put("/v1/quizzes/" + quizId + "/insights/summary"), all);
        expect(200, service(prism).body(Map.of("content", Map.of("text", "easy"))).put("/v1/quizzes/" + quizId + "/insights/summary"), all);
        expect(200, service(prism).get("/v1/quizzes/" + quizId + "/insights"), all);
        expect(200, service(prism).post("/v1/quizzes/" + quizId + "/unpublish"), all);
        expect(404, anonymous(prism).get("/v1/public/quizzes/" + slug), all);
        expect(404, as(prism, Tokens.user(UUID.fromString(other))).get("/v1/quizzes/" + quizId), all);
        // a token the service does not trust (without one, Prism rightly calls the request itself invalid)
        expect(401, as(prism, "not-a-jwt").get("/v1/users/" + user), all);
        expect(403, as(prism, Tokens.user(UUID.fromString(user))).body(Map.of("email", unique())).post("/v1/users"), all);
        expect(204, service(prism).delete("/v1/quizzes/" + quizId), all);

        expect(200, admin(prism).get("/v1/admin/reconciliation"), all);
        expect(200, admin(prism).queryParam("includeDeleted", true).get("/v1/admin/users"), all);
        expect(200, admin(prism).queryParam("userId", user).get("/v1/admin/audit"), all);
        expect(204, service(prism).delete("/v1/users/" + other), all);
        expect(200, admin(prism).post("/v1/admin/users/" + other + "/restore"), all);
        expect(200, admin(prism).get("/v1/admin/db"), all);
        expect(200, admin(prism).get("/v1/admin/db/migrations"), all);
        expect(200, admin(prism).get("/v1/admin/stats"), all);
        return all;
    }

    private static Response expect(int status, Response response, List<Response> all) {
        all.add(response);
        assertEquals(status, response.statusCode(), response.asString());
        return response;
    }

    private static String unique() {
        return "contract-" + UUID.randomUUID() + "@example.com";
    }

    private static RequestSpecification anonymous(int port) {
        return RestAssured.given().port(port).contentType(ContentType.JSON).accept("application/json, application/problem+json");
    }

    private static RequestSpecification as(int port, String token) {
        return anonymous(port).header("Authorization", "Bearer " + token);
    }

    private static RequestSpecification service(int port) {
        return as(port, Tokens.service());
    }

    private static RequestSpecification admin(int port) {
        return as(port, Tokens.admin());
    }
}
