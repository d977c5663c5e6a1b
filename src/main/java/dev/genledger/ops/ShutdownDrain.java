package dev.genledger.ops;

import java.time.Duration;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.vertx.ext.web.Router;
import org.jboss.logging.Logger;

/**
 * On SIGTERM, keeps serving until the balancers have stopped sending: after readiness goes DOWN
 * ({@link DatabaseHealth}), the shutdown waits until no API request has arrived for a quiet period
 * (bounded), then Quarkus's shutdown delay and the wait for in-flight requests follow. A fixed delay
 * alone is a guess at the balancer's detection time (check interval times failures, plus endpoint
 * propagation); when the guess is short, the listener closes while requests are still routed here
 * and those fail (connection refused, or a pooled keep-alive connection closed under a request).
 */
@ApplicationScoped
public class ShutdownDrain {

    @ConfigMapping(prefix = "genledger.drain")
    public interface Config {
        /** No API request for this long means the balancers have taken the replica out. */
        @WithDefault("1S")
        Duration quiet();

        /** The longest wait for the quiet period, for a balancer that never stops sending. */
        @WithDefault("15S")
        Duration max();
    }

    private static final Logger LOG = Logger.getLogger(ShutdownDrain.class);

    private final Config config;
    private volatile long lastRequest = System.nanoTime();

    ShutdownDrain(Config config) {
        this.config = config;
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 1).handler(ctx -> {
            lastRequest = System.nanoTime();
            ctx.next();
        });
    }

    // After readiness has gone DOWN (the default priority), before Quarkus's own delay begins.
    void awaitQuiet(@Observes @Priority(Interceptor.Priority.APPLICATION + 1000) ShutdownDelayInitiatedEvent event)
            throws InterruptedException {
        long start = System.nanoTime();
        long quiet = config.quiet().toNanos();
        long max = config.max().toNanos();
        while (System.nanoTime() - lastRequest < quiet && System.nanoTime() - start < max) {
            Thread.sleep(50);
        }
        LOG.infof("shutting down: API requests stopped arriving %d ms after readiness went DOWN",
                Duration.ofNanos(lastRequest > start ? lastRequest - start : 0).toMillis());
    }
}
