package dev.genledger.job;

import static dev.genledger.support.Api.asAdmin;
import static dev.genledger.support.Api.asService;
import static dev.genledger.support.Api.balance;
import static dev.genledger.support.Api.newUserWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.genledger.support.Database;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A success that delivers its result: the job's move, the CAPTURE that names what it paid for,
 * the saved quiz or insight and their audit rows commit together or not at all.
 */
@QuarkusTest
class DeliveryTests {

    // Fails the quiz's insert only once the job's CAPTURE row is visible to it, so in the same
    // transaction and after the capture; the first `failures` times (a sequence: its count
    // survives the rollbacks), with a SQLState the service retries.
    private static final String INJECT_AFTER_CAPTURE = """
            CREATE SEQUENCE IF NOT EXISTS delivery_fault_seq;
            GRANT USAGE ON SEQUENCE delivery_fault_seq TO genledger;
            CREATE OR REPLACE FUNCTION delivery_fault() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.title = 'fault' AND EXISTS (SELECT 1 FROM credit_ledger
                        WHERE idempotency_key = 'job-capture:' || NEW.source_job_id)
                        AND nextval('delivery_fault_seq') <= %d THEN
                    RAISE EXCEPTION 'injected after the capture' USING ERRCODE = '40001';
                END IF;
                RETURN NEW;
            END $$;
            CREATE OR REPLACE TRIGGER delivery_fault BEFORE INSERT ON quizzes
                FOR EACH ROW EXECUTE FUNCTION delivery_fault();
            """;

    @AfterEach
    void removeFaultAndCheckReconciliation() throws SQLException {
        sql("DROP TRIGGER IF EXISTS delivery_fault ON quizzes; DROP FUNCTION IF EXISTS delivery_fault(); "
                + "DROP SEQUENCE IF EXISTS delivery_fault_seq");
        asAdmin().get("/v1/admin/reconciliation").then().statusCode(200).body("mismatches", hasSize(0));
    }

    private static void sql(String statements) throws SQLException {
        try (Connection c = Database.connect(); Statement s = c.createStatement()) {
            s.execute(statements);
        }
    }

    private static String running(UUID user, long cost) {
        String id = asService().body(Map.of("jobKey", "k-" + UUID.randomUUID(), "kind", "quiz", "cost", cost))
                .post("/v1/users/{id}/jobs", user).then().statusCode(201).extract().path("id");
        asService().post("/v1/jobs/{id}/start", id).then().statusCode(200);
        return id;
    }

    private static Map<String, Object> quiz(String title, int questions) {
        return Map.of("title", title, "questions", IntStream.range(0, questions).mapToObj(i -> Map.of(
                "question", "Question " + i + " " + "x".repeat(400), "options", List.of("yes", "no"), "answer", i % 2))
                .toList());
    }

    private static long count(String sql, Object... args) {
        return Database.queryLong(sql, args);
    }

    private static void nothingCommitted(UUID user, String job, long balance) {
        asService().get("/v1/jobs/{id}", job).then().statusCode(200).body("status", equalTo("RUNNING"));
        assertEquals(balance, balance(user));
        assertEquals(0, count("SELECT count(*) FROM credit_ledger WHERE user_id = ? AND kind = 'CAPTURE'", user));
        assertEquals(1, count("SELECT count(*) FROM credit_holds WHERE job_id = ?::uuid AND status = 'OPEN'", job));
        assertEquals(0, count("SELECT count(*) FROM quizzes WHERE user_id = ?", user));
        assertEquals(0, count("SELECT count(*) FROM audit_log WHERE entity = 'quiz' AND user_id = ?", user));
        assertEquals(0, count("SELECT count(*) FROM job_transitions WHERE job_id = ?::uuid AND to_status = 'SUCCEEDED'", job));
    }

    @Test
    void aSuccessDeliveringAQuizSavesItAndChargesForItInOneCommit() {
        UUID user = newUserWith(50);
        String job = running(user, 20);
        // 40 questions of 400 characters: past the 16K of most routes, within the content routes' limit
        String ref = asService().body(Map.of("quiz", quiz("Capitals", 40), "actualCost", 15))
                .post("/v1/jobs/{id}/succeed", job).then().statusCode(200).body("status", equalTo("SUCCEEDED"))
                .body("actualCost", equalTo(15)).body("resultRef", startsWith("quiz:")).extract().path("resultRef");
        String quiz = ref.substring("quiz:".length());
        asService().get("/v1/quizzes/{id}", quiz).then().statusCode(200).body("title", equalTo("Capitals"))
                .body("sourceJobId", equalTo(job)).body("userId", equalTo(user.toString())).body("questions", hasSize(40));
        assertEquals(35, balance(user));
        assertEquals(1, count("SELECT count(*) FROM credit_ledger WHERE user_id = ? AND kind = 'CAPTURE' AND amount = -15 "
                + "AND reference = ?", user, ref));
        assertEquals(1, count("SELECT count(*) FROM audit_log WHERE entity = 'quiz' AND entity_id = ? AND action = 'CREATE'",
                quiz));
        // one request, one transaction: the job's move and the quiz's creation are audited under one request id
        assertEquals(1, count("SELECT count(DISTINCT request_id) FROM audit_log WHERE (entity = 'quiz' AND entity_id = ?) "
                + "OR (entity = 'job' AND entity_id = ? AND action = 'STATUS' AND new_values->>'status' = 'SUCCEEDED')",
                quiz, job));
    }

    @Test
    void replayingADeliveryAnswersTheFirstResultAndOtherContentIs409() {
        UUID user = newUserWith(50);
        String job = running(user, 20);
        Map<String, Object> body = Map.of("quiz", quiz("Rivers", 2));
        String ref = asService().body(body).post("/v1/jobs/{id}/succeed", job).then().statusCode(200)
                .extract().path("resultRef");
        asService().body(body).post("/v1/jobs/{id}/succeed", job).then().statusCode(200)
                .header("Idempotent-Replayed", "true").body("resultRef", equalTo(ref));
        asService().body(Map.of("quiz", quiz("Lakes", 2))).post("/v1/jobs/{id}/succeed", job).then().statusCode(409)
                .contentType("application/problem+json");
        asService().body(Map.of("resultRef", ref)).post("/v1/jobs/{id}/succeed", job).then().statusCode(409);
        assertEquals(1, count("SELECT count(*) FROM quizzes WHERE user_id = ?", user));
        assertEquals(1, count("SELECT count(*) FROM credit_ledger WHERE user_id = ? AND kind = 'CAPTURE'", user));
        assertEquals(30, balance(user));
    }

    @Test
    void aFailureAfterTheCaptureLeavesNothingAndTheRetriedDeliveryCommitsOnce() throws SQLException {
        UUID user = newUserWith(50);
        String job = running(user, 20);
        sql(INJECT_AFTER_CAPTURE.formatted(1_000_000));
        asService().body(Map.of("quiz", quiz("fault", 2))).post("/v1/jobs/{id}/succeed", job).then().statusCode(503)
                .contentType("application/problem+json");
        nothingCommitted(user, job, 50);
        // the fault did fire after the capture, on every attempt of the request
        long attempts = count("SELECT last_value FROM delivery_fault_seq");
        assertTrue(attempts >= 2, "attempts " + attempts);

        sql("ALTER SEQUENCE delivery_fault_seq RESTART; " + INJECT_AFTER_CAPTURE.formatted(1));
        String ref = asService().body(Map.of("quiz", quiz("fault", 2))).post("/v1/jobs/{id}/succeed", job).then()
                .statusCode(200).extract().path("resultRef");
        assertEquals(1, count("SELECT count(*) FROM quizzes WHERE user_id = ?", user));
        assertEquals(1, count("SELECT count(*) FROM credit_ledger WHERE user_id = ? AND kind = 'CAPTURE' AND reference = ?",
                user, ref));
        assertEquals(1, count("SELECT count(*) FROM job_transitions WHERE job_id = ?::uuid AND to_status = 'SUCCEEDED'", job));
        assertEquals(30, balance(user));
    }

    @Test
    void aSuccessDeliveringAnInsightSavesItAndItsCaptureNamesIt() {
        UUID user = newUserWith(50);
        String quiz = asService().body(quiz("Seas", 1)).post("/v1/users/{id}/quizzes", user).then().statusCode(201)
                .extract().path("id");
        String job = running(user, 5);
        asService().body(Map.of("insight", Map.of("quizId", quiz, "type", "difficulty", "content", Map.of("level", 3))))
                .post("/v1/jobs/{id}/succeed", job).then().statusCode(200)
                .body("resultRef", equalTo("quiz:" + quiz + "/insights/difficulty"));
        asService().get("/v1/quizzes/{id}/insights", quiz).then().statusCode(200).body("", hasSize(1))
                .body("[0].type", equalTo("difficulty")).body("[0].content.level", equalTo(3));
        assertEquals(1, count("SELECT count(*) FROM credit_ledger WHERE user_id = ? AND kind = 'CAPTURE' AND amount = -5 "
                + "AND reference = ?", user, "quiz:" + quiz + "/insights/difficulty"));
        assertEquals(45, balance(user));
    }

    @Test
    void contentTheJobMayNotDeliverIsRefusedAndNothingIsCharged() {
        UUID user = newUserWith(50);
        UUID other = newUserWith(0);
        String othersQuiz = asService().body(quiz("Theirs", 1)).post("/v1/users/{id}/quizzes", other).then()
                .statusCode(201).extract().path("id");
        String job = running(user, 20);
        List<Map<String, Object>> refused = List.of(
                Map.of("insight", Map.of("quizId", othersQuiz, "type", "difficulty", "content", Map.of("level", 1))),
                Map.of("insight", Map.of("quizId", UUID.randomUUID(), "type", "difficulty", "content", Map.of())),
                Map.of("insight", Map.of("quizId", othersQuiz, "type", "Not A Type", "content", Map.of())),
                Map.of("resultRef", "s3://x", "quiz", quiz("Both", 1)),
                Map.of("quiz", Map.of("title", "t", "questions", List.of(), "sourceJobId", job)),
                Map.of("quiz", Map.of("title", "t", "questions", quiz("t", 1).get("questions"), "sourceJobId",
                        running(user, 1))));
        for (Map<String, Object> body : refused) {
            asService().body(body).post("/v1/jobs/{id}/succeed", job).then().statusCode(400)
                    .contentType("application/problem+json");
        }
        asService().get("/v1/quizzes/{id}/insights", othersQuiz).then().statusCode(200).body("", hasSize(0));
        nothingCommitted(user, job, 50);
    }
}
