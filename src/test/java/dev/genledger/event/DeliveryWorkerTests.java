package dev.genledger.event;

import static dev.genledger.support.Api.asAdmin;
import static dev.genledger.support.Api.grant;
import static dev.genledger.support.Api.newUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.genledger.support.Concurrently;
import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import dev.genledger.support.Database;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Replicas sharing one database: each test runs its own {@link DeliveryWorker}s, the class every
 * replica's {@link WebhookDispatcher} runs, each with its own connections as the service's role,
 * while the service's own worker is off. Their leases and FOR UPDATE SKIP LOCKED divide the
 * deliveries; a worker stopped mid-delivery leaves its lease to run out.
 */
@QuarkusTest
@TestProfile(DeliveryWorkerTests.OwnWorkersOnly.class)
class DeliveryWorkerTests {

    public static class OwnWorkersOnly implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("genledger.webhooks.enabled", "false");
        }
    }

    /** A replica's worker, polled every 200 ms from a thread of its own. */
    final class Replica implements AutoCloseable {
        final AgroalDataSource dataSource;
        final DeliveryWorker worker;
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread poller;

        Replica(String name) throws java.sql.SQLException {
            // a small pool of its own, as a replica has: a connection per statement would fork a backend each time
            dataSource = AgroalDataSource.from(new AgroalDataSourceConfigurationSupplier()
                    .connectionPoolConfiguration(pool -> pool.maxSize(6).acquisitionTimeout(Duration.ofSeconds(5))
                            .connectionFactoryConfiguration(factory -> factory
                                    .jdbcUrl(ConfigProvider.getConfig().getValue("quarkus.datasource.jdbc.url", String.class))
                                    .principal(new NamePrincipal("genledger")).credential(new SimplePassword("genledger")))));
            worker = new DeliveryWorker(dataSource, new DeliveryWorker.Settings(Duration.ofSeconds(1), Duration.ofSeconds(30),
                    Duration.ofSeconds(8), Duration.ofMillis(100), Duration.ofMillis(400), Duration.ofSeconds(60), 4, true,
                    new WebhookSecretCipher(ConfigProvider.getConfig().getValues("genledger.webhooks.secret-keys", String.class))),
                    name, outcome -> { });
            poller = Thread.ofPlatform().name(name).start(() -> {
                while (running.get()) {
                    try {
                        worker.poll();
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        // a failed poll is retried by the next one, as in the service
                    }
                }
            });
            replicas.add(this);
        }

        /** Stops at once, as a killed process would: sends in flight are cut off and record nothing. */
        void kill() throws InterruptedException {
            running.set(false);
            poller.join();
            worker.close();
            dataSource.close();
        }

        @Override
        public void close() throws InterruptedException {
            if (running.get()) {
                kill();
            }
        }
    }

    private final List<Replica> replicas = new ArrayList<>();
    private final List<String> endpoints = new ArrayList<>();
    private final List<Receiver> receivers = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Replica r : replicas) {
            r.close();
        }
        for (String id : endpoints) {
            asAdmin().delete("/v1/admin/webhooks/{id}", id);
        }
        receivers.forEach(Receiver::close);
    }

    private String endpoint(Receiver r) {
        receivers.add(r);
        String id = asAdmin().body(Receiver.endpoint(r.url(), WebhookTests.SECRET)).post("/v1/admin/webhooks").then()
                .statusCode(201).extract().path("id");
        endpoints.add(id);
        return id;
    }

    @Test
    void twoReplicasDeliverEveryEventOnceBetweenThem() throws Exception {
        Receiver r = new Receiver(x -> Receiver.Answer.slow(20));
        String endpoint = endpoint(r);
        new Replica("replica-a");
        new Replica("replica-b");
        List<UUID> users = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            users.add(newUser());
        }
        Concurrently.run(users.size(), i -> {
            for (int n = 1; n <= 10; n++) {
                grant(users.get(i), n);
            }
            return null;
        });
        Set<String> ours = new HashSet<>(users.stream().map(UUID::toString).toList());
        WebhookTests.await("50 events delivered", Duration.ofSeconds(60), () -> r.accepted().stream()
                .filter(x -> ours.contains(x.userId())).count() >= 50);
        Thread.sleep(500);
        List<Long> received = r.received().stream().filter(x -> ours.contains(x.userId())).map(Receiver.Received::eventId).toList();
        assertEquals(50, received.size(), "no event sent twice");
        assertEquals(50, new HashSet<>(received).size());
        for (UUID user : users) {
            assertEquals(WebhookTests.eventIds(user), r.acceptedFor(user.toString()).stream().map(Receiver.Received::eventId).toList());
        }
        WebhookTests.await("outcomes recorded", Duration.ofSeconds(10), () -> Database.queryLong(
                "SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = ?::uuid AND status = 'DELIVERED'", endpoint) == 50);
        assertEquals(2, Database.queryLong("SELECT count(DISTINCT a.worker) FROM webhook_attempts a "
                + "JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.endpoint_id = ?::uuid", endpoint),
                "both replicas delivered");
        assertEquals(50, Database.queryLong("SELECT count(*) FROM webhook_attempts a "
                + "JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.endpoint_id = ?::uuid", endpoint));
    }

    @Test
    void aReplicaKilledMidDeliveryLosesNothing() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        // the first request hangs (the replica sending it is killed meanwhile), later ones are accepted
        Receiver r = new Receiver(x -> calls.incrementAndGet() == 1 ? Receiver.Answer.HANG : Receiver.Answer.OK);
        endpoint(r);
        UUID user = newUser();
        Replica doomed = new Replica("replica-doomed");
        grant(user, 7);
        grant(user, 8);
        WebhookTests.await("the first delivery under way", Duration.ofSeconds(10), () -> calls.get() == 1);
        doomed.kill();
        assertEquals(0, Database.queryLong("SELECT count(*) FROM webhook_attempts a JOIN webhook_deliveries d "
                + "ON d.id = a.delivery_id WHERE d.user_id = ?", user), "the killed replica recorded nothing");
        new Replica("replica-survivor");
        WebhookTests.await("both events delivered by the survivor", Duration.ofSeconds(20),
                () -> r.acceptedFor(user.toString()).size() == 2);
        List<Long> ids = WebhookTests.eventIds(user);
        assertEquals(ids, r.acceptedFor(user.toString()).stream().map(Receiver.Received::eventId).toList(),
                "the cut-off event first, then the next: order kept");
        assertEquals(ids.getFirst(), r.received().getFirst().eventId(), "the cut-off event was the one sent again");
        WebhookTests.await("recorded", Duration.ofSeconds(10), () -> Database.queryLong(
                "SELECT count(*) FROM webhook_deliveries WHERE user_id = ? AND status = 'DELIVERED'", user) == 2);
        assertEquals(0, Database.queryLong("SELECT count(*) FROM webhook_attempts a JOIN webhook_deliveries d "
                + "ON d.id = a.delivery_id WHERE d.user_id = ? AND a.worker <> 'replica-survivor'", user));
        assertTrue(r.receivedFor(user.toString()).size() >= 3, "at least once: the cut-off event went out twice");
    }
}
