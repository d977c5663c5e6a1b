package dev.genledger.db;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Whether this process has begun to stop, for the work it runs in the background (the scheduled
 * runs of {@link OncePerFleet}, the webhook poll): a run that would begin now only meets pools
 * that are closing, and one the stop cuts off fails for that reason alone, which is no failure to
 * warn an operator about. Static, because {@link OncePerFleet#scheduled} is.
 */
@ApplicationScoped
public class Stopping {

    private static volatile boolean begun;

    /** Whether the stop has begun (Quarkus's {@link ShutdownEvent}). */
    public static boolean begun() {
        return begun;
    }

    // An application started again in the same class loader (a test run, dev mode) is not stopping.
    void onStart(@Observes StartupEvent start) {
        begun = false;
    }

    void onStop(@Observes ShutdownEvent stop) {
        begun = true;
    }
}
