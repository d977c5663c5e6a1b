package dev.genledger.db;

import java.util.function.IntSupplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import org.jboss.logging.Logger;

/**
 * Work every replica schedules and one at a time does (the stuck-job sweep, the retention purge,
 * the lot expiry sweep, the hold expiry): the transaction-level advisory lock that admits one run
 * across the fleet while the others skip, and the scheduled call around a run, which says what it
 * did and leaves a failure to the next run, since nothing a failed run did survives its rollback.
 */
@ApplicationScoped
public class OncePerFleet {

    @Inject
    Sql sql;

    /** Takes the advisory lock {@code key} until the current transaction ends; false when another holds it. */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean tryLock(long key) {
        return sql.first("SELECT pg_try_advisory_xact_lock(?)", rs -> rs.getBoolean(1), key).orElseThrow();
    }

    /**
     * One scheduled run: logs {@code done} (a format of the count the run returns) when it did
     * something, and a failure as a warning naming {@code what}, for the next run to retry. Once the
     * process has begun to stop ({@link Stopping}) no run begins, and a failure of one the stop cut
     * off is logged at debug only.
     */
    public static void scheduled(Logger log, String what, String done, IntSupplier run) {
        if (Stopping.begun()) {
            return;
        }
        try {
            int count = run.getAsInt();
            if (count > 0) {
                log.infof(done, count);
            }
        } catch (RuntimeException e) {
            if (Stopping.begun()) {
                log.debugf("%s cut off by the stop: %s", what, e.toString());
            } else {
                log.warnf("%s failed, the next run retries: %s", what, e.toString());
            }
        }
    }
}
