package dev.genledger.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * A scheduled run ({@link OncePerFleet#scheduled}) whose pool closes under it, as the stop closes
 * them: a warning at any other time, nothing above debug once the stop has begun ({@link Stopping}),
 * and no run begins after that.
 */
class ScheduledRunStopTests {

    private static final String LOGGER = "dev.genledger.db.ScheduledRunStopTests.run";

    private final Stopping stopping = new Stopping();

    @AfterEach
    void startedAgain() {
        stopping.onStart(new StartupEvent());
    }

    @Test
    void aRunWhosePoolClosesUnderItWhileNotStoppingLogsAWarning() throws SQLException {
        try (AgroalDataSource pool = pool()) {
            List<LogRecord> logged = warningsAndErrors(() -> scheduled(() -> {
                pool.close();
                return select(pool);
            }));
            assertEquals(1, logged.size(), "one warning");
            assertEquals(Level.WARNING.intValue(), logged.get(0).getLevel().intValue());
            assertTrue(logged.get(0).getMessage().contains("failed, the next run retries"), logged.get(0).getMessage());
        }
    }

    @Test
    void aRunTheStopCutsOffLogsNoWarningNorError() throws SQLException {
        AtomicBoolean ran = new AtomicBoolean();
        try (AgroalDataSource pool = pool()) {
            List<LogRecord> logged = warningsAndErrors(() -> scheduled(() -> {
                ran.set(true);
                stopping.onStop(new ShutdownEvent());
                pool.close();
                return select(pool);
            }));
            assertTrue(ran.get());
            assertEquals(List.of(), logged.stream().map(r -> r.getLevel() + " " + r.getMessage()).toList());
        }
    }

    @Test
    void noRunBeginsOnceTheStopHas() {
        stopping.onStop(new ShutdownEvent());
        AtomicBoolean ran = new AtomicBoolean();
        scheduled(() -> {
            ran.set(true);
            return 0;
        });
        assertFalse(ran.get());
    }

    private static void scheduled(IntSupplier run) {
        OncePerFleet.scheduled(Logger.getLogger(LOGGER), "test run", "test run: %d rows", run);
    }

    /** A real pool, never connected: once closed, taking a connection fails as it does in a stopping service. */
    private static AgroalDataSource pool() throws SQLException {
        return AgroalDataSource.from(new AgroalDataSourceConfigurationSupplier().connectionPoolConfiguration(
                pool -> pool.maxSize(1).connectionFactoryConfiguration(
                        factory -> factory.jdbcUrl("jdbc:postgresql://127.0.0.1:1/unused"))));
    }

    private static int select(AgroalDataSource pool) {
        return Sql.onPool(pool, sql -> sql.first("SELECT 1", rs -> rs.getInt(1)).orElseThrow());
    }

    private static List<LogRecord> warningsAndErrors(Runnable run) {
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    records.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(LOGGER);
        logger.addHandler(capture);
        try {
            run.run();
        } finally {
            logger.removeHandler(capture);
        }
        return records;
    }
}
