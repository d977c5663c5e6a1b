package dev.genledger.db;

import java.util.concurrent.atomic.AtomicBoolean;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * How {@code ./mvnw -Plocal} stops: Ctrl-C (or SIGTERM to Maven) stops the service, the service
 * stops its database after itself, and Maven reports success. By default the JVM dies of SIGINT
 * with status 130, and Maven's JVM, in the terminal's process group beside the service's, would
 * die with it before the service it waits for has stopped.
 */
final class LocalRunSignals {

    private static final AtomicBoolean MAVEN_FORWARDS = new AtomicBoolean();

    private LocalRunSignals() {
    }

    /**
     * In the service's JVM: a stop signal is an ordinary exit (status 0). The shutdown hooks run
     * as they would on the signal: the service drains, then its database stops.
     */
    static void exitCleanlyOnStop() {
        SignalHandler exit = signal -> System.exit(0);
        Signal.handle(new Signal("INT"), exit);
        Signal.handle(new Signal("TERM"), exit);
    }

    /**
     * In Maven's JVM: a stop signal is passed on to the service's process as SIGTERM, and Maven
     * waits for it to end (quarkus:run then returns and the build succeeds). Without a service
     * process yet (still building), the signal does what it always did.
     */
    static void forwardStopToTheService() {
        if (!MAVEN_FORWARDS.compareAndSet(false, true)) {
            return;
        }
        for (String name : new String[] { "INT", "TERM" }) {
            SignalHandler[] previous = new SignalHandler[1];
            previous[0] = Signal.handle(new Signal(name), signal -> {
                if (ProcessHandle.current().children().filter(ProcessHandle::destroy).count() == 0) {
                    previous[0].handle(signal);
                }
            });
        }
    }
}
