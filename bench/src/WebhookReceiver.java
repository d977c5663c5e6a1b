import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.concurrent.Executors;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.sun.net.httpserver.HttpServer;

/**
 * The chaos suite's webhook receiver: verifies each delivery's Standard Webhooks signature and
 * appends the event (one JSON line, as delivered) to a file, then answers 204; a delivery whose
 * signature does not verify gets 401 and is not recorded. bench/events-check.sh compares the file
 * with the database afterwards.
 *   java bench/src/WebhookReceiver.java <port> <whsec_ secret> <events.jsonl>
 */
public class WebhookReceiver {

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        byte[] key = Base64.getDecoder().decode(args[1].substring("whsec_".length()));
        Path out = Path.of(args[2]);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 200);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            try (exchange; InputStream in = exchange.getRequestBody()) {
                byte[] body = in.readAllBytes();
                var h = exchange.getRequestHeaders();
                boolean valid = verify(key, h.getFirst("webhook-id"), h.getFirst("webhook-timestamp"), body,
                        h.getFirst("webhook-signature"));
                if (valid) {
                    synchronized (WebhookReceiver.class) {
                        Files.write(out, (new String(body, StandardCharsets.UTF_8).replace("\n", "") + "\n")
                                .getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    }
                }
                exchange.sendResponseHeaders(valid ? 204 : 401, -1);
            }
        });
        server.start();
        System.err.println("webhook receiver on 127.0.0.1:" + port + ", writing " + out);
    }

    static boolean verify(byte[] key, String id, String timestamp, byte[] body, String header) {
        if (id == null || timestamp == null || header == null) {
            return false;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            byte[] expected = Base64.getEncoder().encode(mac.doFinal(body));
            for (String part : header.split(" ")) {
                if (part.startsWith("v1,") && MessageDigest.isEqual(expected, part.substring(3).getBytes(StandardCharsets.UTF_8))) {
                    return true;
                }
            }
            return false;
        } catch (Exception e) {
            return false;
        }
    }
}
