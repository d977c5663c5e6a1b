package dev.genledger.api;

import static dev.genledger.support.Api.asService;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import dev.genledger.support.Api;
import dev.genledger.support.RawHttp;
import dev.genledger.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

/**
 * Request bodies are read on the event loop before authentication: only for a caller whose token
 * verifies, within the route's limit, and within the budget of bytes buffered at once. Each head
 * below promises a body it never sends: an answer that comes at all shows the server did not wait
 * to read (and hold) the body first.
 */
@QuarkusTest
class RequestBodiesTests {

    private static final int PROMPT_MILLIS = 5_000;

    private static RawHttp connect() throws IOException {
        return new RawHttp(RestAssured.port, PROMPT_MILLIS);
    }

    private static RawHttp.Answer promise(String path, long length, String... headers) throws IOException {
        try (RawHttp http = connect()) {
            List<String> all = new ArrayList<>(List.of(headers));
            all.add("Content-Type: application/json");
            all.add("Content-Length: " + length);
            return http.head("POST " + path + " HTTP/1.1", all.toArray(String[]::new)).answer();
        }
    }

    private static void assertProblem(RawHttp.Answer answer, int status, String type) {
        assertEquals(status, answer.status(), answer.head() + answer.body());
        assertEquals(Problems.MEDIA_TYPE, answer.header("Content-Type"));
        assertTrue(answer.body().contains("\"type\":\"" + Problems.TYPE_BASE + type + "\""), answer.body());
    }

    // The JDK's HttpClient, like curl --http2, asks to upgrade a cleartext connection to HTTP/2 on its
    // first request, body included; the upgraded request's body could not be read (500, stack trace).
    @Test
    void aRequestAskingForACleartextHttp2UpgradeIsServedOverHttp11() throws Exception {
        HttpRequest create = HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + "/v1/users"))
                .header("Authorization", "Bearer " + Tokens.service())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"email\":\"h2c-" + UUID.randomUUID() + "@example.com\"}"))
                .build();
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build()) {
            HttpResponse<String> answer = client.send(create, HttpResponse.BodyHandlers.ofString());
            assertEquals(201, answer.statusCode(), answer.body());
            assertEquals(HttpClient.Version.HTTP_1_1, answer.version());
        }
    }

    @Test
    void aBodyWithoutATokenIsRefusedBeforeItIsRead() throws IOException {
        RawHttp.Answer answer = promise("/v1/users/" + UUID.randomUUID() + "/quizzes", 10_000_000);
        assertProblem(answer, 401, "unauthorized");
        assertEquals("Bearer", answer.header("WWW-Authenticate"));
    }

    @Test
    void aBodyWithAForgedOrForeignTokenIsRefusedBeforeItIsRead() throws IOException {
        assertProblem(promise("/v1/users", 10_000_000, "Authorization: Bearer not.a.jwt"), 401, "unauthorized");
        String foreign = Tokens.issuedBy("https://elsewhere", "x", "admin");
        assertProblem(promise("/v1/users", 10_000_000, "Authorization: Bearer " + foreign), 401, "unauthorized");
        assertProblem(promise("/v1/users", 10_000_000, "Authorization: Basic YWRtaW46YWRtaW4="), 401, "unauthorized");
    }

    @Test
    void aDeclaredBodyOverTheRoutesLimitIsRefusedBeforeItIsRead() throws IOException {
        String token = "Authorization: Bearer " + Tokens.service();
        assertProblem(promise("/v1/users", 16 * 1024 + 1, token), 413, "payload-too-large");
        assertProblem(promise("/v1/users/" + UUID.randomUUID() + "/credits/spend", 1_000_000, token), 413,
                "payload-too-large");
        assertProblem(promise("/v1/users/" + UUID.randomUUID() + "/quizzes", 768 * 1024 + 1, token), 413,
                "payload-too-large");
    }

    @Test
    void aChunkedBodyIsCutOffAtTheRoutesLimitWhileItStreams() throws IOException {
        try (RawHttp http = connect()) {
            http.head("POST /v1/users HTTP/1.1", "Authorization: Bearer " + Tokens.service(),
                    "Content-Type: application/json", "Transfer-Encoding: chunked");
            byte[] chunk = new byte[4096];
            java.util.Arrays.fill(chunk, (byte) ' ');
            for (int i = 0; i < 5; i++) {
                http.chunk(chunk);
            }
            assertProblem(http.answer(), 413, "payload-too-large");
        }
    }

    @Test
    void aFullSizeQuizIsAcceptedWhileOtherRoutesTakeOnlyAFewKilobytes() {
        UUID user = Api.newUser();
        String option = "o".repeat(500);
        List<Map<String, Object>> questions = IntStream.range(0, 100)
                .mapToObj(i -> Map.<String, Object>of("question", "q".repeat(1000),
                        "options", Collections.nCopies(10, option), "answer", i % 10))
                .toList();
        asService().body(Map.of("title", "t".repeat(300), "questions", questions))
                .post("/v1/users/{id}/quizzes", user).then().statusCode(201);

        asService().body(Map.of("email", "big-" + UUID.randomUUID() + "@example.com", "displayName", "d".repeat(20_000)))
                .post("/v1/users").then().statusCode(413).contentType(Problems.MEDIA_TYPE)
                .body("type", equalTo(Problems.TYPE_BASE + "payload-too-large"));
    }

    @Test
    void publicRoutesNeedNoTokenButTakeOnlySmallBodies() {
        String answers = "/v1/public/quizzes/{slug}/answers";
        int status = given().contentType(ContentType.JSON).body(Map.of("answers", List.of(0, 1)))
                .post(answers, "no-such-slug").statusCode();
        assertNotEquals(401, status, "a public route is reachable without a token");
        assertNotEquals(413, status);
        given().contentType(ContentType.JSON).body(Map.of("answers", List.of("x".repeat(10_000))))
                .post(answers, "no-such-slug").then().statusCode(413).contentType(Problems.MEDIA_TYPE);
    }

    @Test
    void bodiesBufferedAtOnceAreBoundedAcrossTheProcess() throws Exception {
        String token = "Authorization: Bearer " + Tokens.service();
        long quiz = 700 * 1024;
        int fit = (int) (16L * 1024 * 1024 / quiz);
        List<RawHttp> held = new ArrayList<>();
        try {
            for (int i = 0; i < fit; i++) {
                RawHttp http = connect();
                held.add(http);
                http.head("POST /v1/users/" + UUID.randomUUID() + "/quizzes HTTP/1.1", token,
                        "Content-Type: application/json", "Content-Length: " + quiz);
            }
            Thread.sleep(300); // every held request has been admitted and waits for its body
            RawHttp.Answer refused = promise("/v1/users/" + UUID.randomUUID() + "/quizzes", quiz, token);
            assertProblem(refused, 503, "service-unavailable");
            assertEquals("1", refused.header("Retry-After"));
            assertTrue(refused.body().contains("\"cause\":\"request-bodies\""), refused.body());
        } finally {
            for (RawHttp http : held) {
                http.close();
            }
        }
        // The abandoned requests give their bytes back: a body larger than what was left fits again.
        UUID user = Api.newUser();
        String quizPaddedTo500K = "{\"title\":\"after\",\"questions\":[{\"question\":\"q\",\"options\":[\"a\",\"b\"],"
                + "\"answer\":0}]}" + " ".repeat(500_000);
        long deadline = System.currentTimeMillis() + 5_000;
        int status;
        do {
            status = asService().body(quizPaddedTo500K).post("/v1/users/{id}/quizzes", user).statusCode();
        } while (status == 503 && System.currentTimeMillis() < deadline && sleep());
        assertEquals(201, status);
    }

    private static boolean sleep() throws InterruptedException {
        Thread.sleep(100);
        return true;
    }
}
