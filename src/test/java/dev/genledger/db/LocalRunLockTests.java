package dev.genledger.db;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A second local run, while the first one's embedded database holds its data directory, says so plainly. */
class LocalRunLockTests {

    @Test
    void aLockedDataDirectoryMeansTheServiceIsAlreadyRunning(@TempDir Path data) throws IOException {
        Path lockFile = Files.createFile(data.resolve("epg-lock"));
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE); FileLock held = channel.lock()) {
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> EmbeddedPostgresServer.refuseIfInUse(data, "8080"));
            assertTrue(refused.getMessage().startsWith("genledger is already running on :8080"), refused.getMessage());
        }
    }

    @Test
    void aLockLeftByAStoppedRunOrNoneAtAllIsNoObstacle(@TempDir Path data) throws IOException {
        assertDoesNotThrow(() -> EmbeddedPostgresServer.refuseIfInUse(data, "8080"));
        Files.createFile(data.resolve("epg-lock"));
        assertDoesNotThrow(() -> EmbeddedPostgresServer.refuseIfInUse(data, "8080"));
    }
}
