package dev.genledger.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The signer against the Standard Webhooks test vector, and the target policy's refusals. */
class WebhookSignerTests {

    // From the Standard Webhooks specification's reference libraries' tests.
    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private static final long TIMESTAMP = 1614265330;
    private static final String PAYLOAD = "{\"test\": 2432232314}";

    @Test
    void signsTheSpecificationsExample() {
        assertEquals("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
                WebhookSigner.sign(ID, TIMESTAMP, PAYLOAD.getBytes(StandardCharsets.UTF_8), List.of(SECRET)));
    }

    @Test
    void duringARotationBothSecretsSign() {
        String next = WebhookSigner.newSecret();
        String header = WebhookSigner.sign(ID, TIMESTAMP, PAYLOAD.getBytes(StandardCharsets.UTF_8), List.of(next, SECRET));
        assertEquals(2, header.split(" ").length);
        assertTrue(header.endsWith(" v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="));
        assertTrue(WebhookSigner.isValid(next));
        assertFalse(WebhookSigner.isValid("whsec_short"));
        assertFalse(WebhookSigner.isValid("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
    }

    @Test
    void privateAndLoopbackTargetsAreRefusedUnlessAllowed() {
        TargetPolicy strict = new TargetPolicy(false);
        for (String url : List.of("http://127.0.0.1/hook", "http://localhost:8080/", "http://10.1.2.3/",
                "http://172.16.0.1/", "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data/",
                "http://[::1]/", "http://[fd00::1]/", "http://[::ffff:127.0.0.1]/", "http://0.0.0.0/",
                "http://100.64.0.1/", "ftp://93.184.216.34/", "file:///etc/passwd", "http://user:pw@93.184.216.34/",
                "not a url")) {
            assertNotNull(strict.refusal(url), url);
        }
        assertNull(strict.refusal("https://93.184.216.34/hook"));
        assertNull(new TargetPolicy(true).refusal("http://127.0.0.1:9/hook"));
        assertNotNull(new TargetPolicy(true).refusal("gopher://127.0.0.1/"));
    }
}
