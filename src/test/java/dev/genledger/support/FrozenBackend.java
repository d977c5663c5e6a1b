package dev.genledger.support;

import java.io.IOException;

/**
 * A PostgreSQL backend stopped with SIGSTOP: its socket stays open but nothing comes back, as with
 * a paused VM or a network that swallows packets. Closing it lets the backend run on (SIGCONT).
 */
public final class FrozenBackend implements AutoCloseable {

    private final int pid;

    private FrozenBackend(int pid) {
        this.pid = pid;
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
