package dev.genledger.ops;

import static dev.genledger.support.Api.asAdmin;
import static dev.genledger.support.Api.newUserWith;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.genledger.support.Database;
import dev.genledger.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * After the purge nothing personal of the purged user is left anywhere in the database: every
 * table and view is searched for their email, name, external id, IP address and user agent.
 */
@QuarkusTest
class PurgeScrubTests {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The user's own address: any loopback address reaches the test server, and only they use this one. */
    private static final String IP = "127.0.0.77";

    private final String tag = UUID.randomUUID().toString().substring(0, 8);
    private final String email = "ada-" + tag + "@example.com";
    private final String name = "Ada Lovelace " + tag;
    private final String externalId = "tg-" + tag;
    private final String agent = "AdaPhone/" + tag;
    private final HttpClient client;

    PurgeScrubTests() throws IOException {
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).localAddress(InetAddress.getByName(IP)).build();
    }

    @Test
    void purgeLeavesNoPersonalDataOfTheUserInAnyTable() throws Exception {
        String user = call("POST", "/v1/users", Map.of("email", email, "externalId", externalId, "displayName", name), 201)
                .get("id").toString();
        call("PATCH", "/v1/users/" + user, Map.of("displayName", name + " (renamed)"), 200);
        call("POST", "/v1/users/" + user + "/credits/grant",
                Map.of("amount", 100, "reason", "welcome " + email, "reference", "card of " + name), 201);
        call("POST", "/v1/users/" + user + "/credits/spend", Map.of("amount", 10, "reason", "quiz for " + name), 201);
        UUID friend = newUserWith(0);
        call("POST", "/v1/transfers",
                Map.of("fromUserId", user, "toUserId", friend.toString(), "amount", 5, "reason", "gift from " + email), 201);
        String job = call("POST", "/v1/users/" + user + "/jobs", Map.of("jobKey", "job-" + externalId, "kind", "quiz", "cost", 7), 201)
                .get("id").toString();
        call("POST", "/v1/jobs/" + job + "/start", Map.of(), 200);
        call("POST", "/v1/jobs/" + job + "/succeed", Map.of("resultRef", "s3://quizzes/" + email), 200);
        String quiz = call("POST", "/v1/users/" + user + "/quizzes", Map.of("title", name + "'s quiz", "questions",
                List.of(Map.of("question", "Where does " + email + " live?", "options", List.of("a", "b"), "answer", 0))), 201)
                .get("id").toString();
        call("PUT", "/v1/quizzes/" + quiz + "/insights/summary", Map.of("content", Map.of("about", name)), 201);
        call("DELETE", "/v1/users/" + user, null, 204);
        Database.execute("UPDATE users SET deleted_at = deleted_at - interval '31 days' WHERE id = ?::uuid", user);

        asAdmin().post("/v1/admin/maintenance/retention").then().statusCode(200).body("ran", equalTo(true));

        Map<String, List<String>> found = new LinkedHashMap<>();
        for (String needle : List.of(email, name, externalId, IP, agent)) {
            List<String> tables = tablesContaining(needle);
            if (!tables.isEmpty()) {
                found.put(needle, tables);
            }
        }
        assertEquals(Map.of(), found, "personal data of the purged user left behind");
        assertEquals(1, Database.queryLong("SELECT count(*) FROM users WHERE id = ?::uuid AND purged_at IS NOT NULL", user));
        assertEquals(4, Database.queryLong("SELECT count(*) FROM credit_ledger WHERE user_id = ?::uuid", user),
                "the ledger rows stay, anonymised");
        asAdmin().get("/v1/admin/reconciliation").then().statusCode(200).body("mismatches.size()", equalTo(0));
    }

    private Map<?, ?> call(String method, String path, Object body, int status) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + RestAssured.port + path))
                .header("Authorization", "Bearer " + Tokens.service()).header("User-Agent", agent)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(status, response.statusCode(), method + " " + path + ": " + response.body());
        return response.body().isEmpty() ? Map.of() : JSON.readValue(response.body(), Map.class);
    }

    /** Every table and materialized view of the schema with a row whose text contains {@code needle}. */
    private static List<String> tablesContaining(String needle) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Connection c = Database.connect()) {
            List<String> relations = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT quote_ident(relname) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'm')")) {
                while (rs.next()) {
                    relations.add(rs.getString(1));
                }
            }
            for (String relation : relations) {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT count(*) FROM " + relation + " r WHERE strpos(lower(r::text), lower(?)) > 0")) {
                    ps.setString(1, needle);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        if (rs.getLong(1) > 0) {
                            tables.add(relation);
                        }
                    }
                }
            }
        }
        return tables;
    }
}
