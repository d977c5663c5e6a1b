package dev.genledger.support;

import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.restassured.response.Response;

/**
 * A PostgreSQL backend stopped with SIGSTOP: its socket stays open but nothing comes back, as with
 * a paused VM or a network that swallows packets. Closing it lets the backend run on (SIGCONT).
 */
public final class FrozenBackend implements AutoCloseable {

    private final int pid;

    private FrozenBackend(int pid) {
        this.pid = pid;
    }

    /** A request's answer, how long it took, and the backend that froze under it. */
    public record Answer(Response response, long millis, int backend) {
    }

    /**
     * A keyed spend of 10 sent while the user's row is locked. Once it waits on the lock its backend
     * freezes (and with {@code postmasterToo} the postmaster, so that no new connection is served
     * either, as with a server that has vanished); then the lock is released and the answer awaited.
     */
    public static Answer spendBehind(UUID user, String key, boolean postmasterToo) throws Exception {
        try (RowLock lock = RowLock.onUser(user)) {
            long started = System.nanoTime();
            CompletableFuture<Response> spend = Api.spendInBackground(user, 10, key);
            int backend = RowLock.waitingBackend();
            int postmaster = (int) ProcessHandle.of(backend).flatMap(ProcessHandle::parent).orElseThrow().pid();
            try (FrozenBackend frozen = freeze(backend);
                    FrozenBackend frozenPostmaster = postmasterToo ? freeze(postmaster) : null) {
                lock.commit();
                Response response = spend.get(30, TimeUnit.SECONDS);
                return new Answer(response, (System.nanoTime() - started) / 1_000_000, backend);
            }
        }
    }

    public static FrozenBackend freeze(int pid) throws IOException, InterruptedException {
        signal("STOP", pid);
        return new FrozenBackend(pid);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        signal("CONT", pid);
    }

    private static void signal(String signal, int pid) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Integer.toString(pid)).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
        }
    }
}
