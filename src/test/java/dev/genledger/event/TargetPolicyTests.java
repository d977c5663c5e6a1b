package dev.genledger.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** DNS rebinding: a name that is public when checked and internal when connected to. */
class TargetPolicyTests {

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    void aNameThatRebindsToLoopbackAfterTheCheckIsStillSentToTheAddressThatWasChecked() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        TargetPolicy.Resolver rebinding = host -> new InetAddress[] {
                lookups.getAndIncrement() == 0 ? ip("93.184.216.34") : ip("127.0.0.1") };
        TargetPolicy policy = new TargetPolicy(false, rebinding);

        TargetPolicy.Target target = policy.target("http://rebind.example:8080/hook?x=1");

        assertEquals(URI.create("http://93.184.216.34:8080/hook?x=1"), target.uri());
        assertEquals("rebind.example:8080", target.host());
        assertEquals(1, lookups.get(), "the name was looked up again after the check");
        // the next attempt checks again, and now refuses
        assertThrows(TargetPolicy.Refused.class, () -> policy.target("http://rebind.example:8080/hook"));
    }

    @Test
    void anyInternalAnswerAmongSeveralIsRefused() {
        TargetPolicy policy = new TargetPolicy(false, host -> new InetAddress[] { ip("93.184.216.34"), ip("10.0.0.7") });
        assertThrows(TargetPolicy.Refused.class, () -> policy.target("http://mixed.example/hook"));
    }

    @Test
    void httpsKeepsTheNameForTheCertificateToProve() throws Exception {
        TargetPolicy policy = new TargetPolicy(false, host -> new InetAddress[] { ip("93.184.216.34") });
        TargetPolicy.Target target = policy.target("https://hooks.example/in");
        assertEquals(URI.create("https://hooks.example/in"), target.uri());
        assertNull(target.host());
    }

    @Test
    void anIpv6AnswerBecomesABracketedLiteral() throws Exception {
        TargetPolicy policy = new TargetPolicy(false, host -> new InetAddress[] { ip("2606:2800:220:1:248:1893:25c8:1946") });
        assertEquals(URI.create("http://[2606:2800:220:1:248:1893:25c8:1946]/"),
                policy.target("http://v6.example").uri());
    }

    @Test
    void theRequestReachesTheCheckedAddressAndNamesTheHostWithoutASecondLookup() throws Exception {
        // "hooks.genledger.test" resolves nowhere but in this resolver: the client cannot have looked it up itself
        TargetPolicy policy = new TargetPolicy(true, host -> {
            if (!host.equals("hooks.genledger.test")) {
                throw new UnknownHostException(host);
            }
            return new InetAddress[] { ip("127.0.0.1") };
        });
        try (Receiver receiver = new Receiver(r -> Receiver.Answer.OK)) {
            TargetPolicy.Target target = policy.target("http://hooks.genledger.test:" + receiver.port() + "/hook");
            HttpRequest request = DeliveryWorker.requestTo(target).header("webhook-id", "1")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"id\":1,\"userId\":\"u\"}")).build();
            int status = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            assertEquals(204, status);
            assertEquals("hooks.genledger.test:" + receiver.port(), receiver.received().getFirst().host());
        }
    }
}
