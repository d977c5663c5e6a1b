package dev.genledger.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.genledger.support.PackagedApp;
import dev.genledger.support.Tokens;
import io.restassured.RestAssured;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The packaged jar in prod refuses to start without the token issuer's key and issuer (it used to
 * start, turn ready and refuse every token without a word, or accept any issuer), and requires
 * the audience once one is configured.
 */
@Tag("packaged-jar")
class TokenSettingsIT {

    private static EmbeddedPostgres pg;
    private static String url;

    @BeforeAll
    static void database() throws Exception {
        pg = PackagedApp.database();
        url = "jdbc:postgresql://localhost:" + pg.getPort() + "/postgres";
    }

    @AfterAll
    static void stopDatabase() throws Exception {
        pg.close();
    }

    @Test
    void prodRefusesToStartWithoutTheKeyAndTheIssuer() throws Exception {
        Map<String, String> env = PackagedApp.prodEnvironment(url);
        env.put("MP_JWT_VERIFY_PUBLICKEY_LOCATION", null);
        env.put("MP_JWT_VERIFY_ISSUER", null);
        try (PackagedApp app = PackagedApp.start(PackagedApp.JAR, "token-settings-it-none", env)) {
            assertNotEquals(0, app.awaitExit(90));
            String log = app.logText();
            assertTrue(log.contains("genledger refuses to start in prod without its token settings: set "
                    + "MP_JWT_VERIFY_PUBLICKEY_LOCATION"), log);
            assertTrue(log.contains("MP_JWT_VERIFY_ISSUER"), log);
        }
    }

    @Test
    void prodRefusesToStartWithAKeyButNoIssuer() throws Exception {
        Map<String, String> env = PackagedApp.prodEnvironment(url);
        env.put("MP_JWT_VERIFY_ISSUER", null);
        try (PackagedApp app = PackagedApp.start(PackagedApp.JAR, "token-settings-it-no-issuer", env)) {
            assertNotEquals(0, app.awaitExit(90));
            String log = app.logText();
            assertTrue(log.contains("without its token settings: set MP_JWT_VERIFY_ISSUER"), log);
            assertFalse(log.contains("set MP_JWT_VERIFY_PUBLICKEY_LOCATION"), log);
        }
    }

    @Test
    void aConfiguredAudienceIsRequiredOfEveryToken() throws Exception {
        Map<String, String> env = PackagedApp.prodEnvironment(url);
        env.put("MP_JWT_VERIFY_AUDIENCES", "genledger-api");
        try (PackagedApp app = PackagedApp.start(PackagedApp.JAR, "token-settings-it-audience", env)) {
            app.awaitReady(90_000);
            assertTrue(app.logText().contains("audience genledger-api"), "the checked audience is logged");
            String path = "/v1/users/" + UUID.randomUUID();
            assertEquals(401, statusOf(app, Tokens.service(), path), "a token without aud");
            assertEquals(401, statusOf(app, Tokens.forAudience("another-api", "chatbot-backend", "service"), path));
            assertEquals(404, statusOf(app, Tokens.forAudience("genledger-api", "chatbot-backend", "service"), path));
            assertEquals(401, RestAssured.given().port(app.http).auth().oauth2(Tokens.service())
                    .contentType("application/json").body("{\"email\":\"aud@example.com\"}").post("/v1/users")
                    .statusCode(), "a body with a token for no audience");
        }
    }

    private static int statusOf(PackagedApp app, String token, String path) {
        return RestAssured.given().port(app.http).auth().oauth2(token).get(path).statusCode();
    }
}
