package dev.genledger.db;

import java.util.concurrent.Callable;

/**
 * Which server a thread's database work goes to: the primary, unless a read that may be answered
 * by the replica runs on it ({@code api.ReplicaReads} decides). Both ways in read it when they open
 * a connection, through the default datasource ({@link RoutingDataSource}).
 */
public final class DatabaseRoute {

    public static final String PRIMARY = "primary";
    public static final String REPLICA = "replica";

    private static final ThreadLocal<Boolean> ON_REPLICA = new ThreadLocal<>();

    private DatabaseRoute() {
    }

    public static boolean onReplica() {
        return ON_REPLICA.get() != null;
    }

    public static String current() {
        return onReplica() ? REPLICA : PRIMARY;
    }

    /** Runs {@code work} with every connection it opens on this thread taken from the replica. */
    public static <T> T onReplica(Callable<T> work) throws Exception {
        ON_REPLICA.set(Boolean.TRUE);
        try {
            return work.call();
        } finally {
            ON_REPLICA.remove();
        }
    }
}
