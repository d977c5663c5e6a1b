package dev.genledger.ops;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.genledger.support.PackagedApp;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A build marked as made by {@code ./mvnw -Plocal} refuses to start in prod, even with every prod
 * setting given. The package under test is the production one with the marker that the local
 * profile adds (src/local/resources) put into its application jar.
 */
@Tag("packaged-jar")
class LocalBuildIT {

    private static final Path COPY = Path.of("target", "local-build-it", "quarkus-app");
    private static EmbeddedPostgres pg;

    @BeforeAll
    static void markedCopyOfThePackage() throws Exception {
        pg = PackagedApp.database();
        Path original = PackagedApp.JAR.getParent();
        if (Files.exists(COPY)) {
            try (Stream<Path> old = Files.walk(COPY)) {
                old.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        try (Stream<Path> files = Files.walk(original)) {
            for (Path from : (Iterable<Path>) files::iterator) {
                Path to = COPY.resolve(original.relativize(from).toString());
                if (Files.isDirectory(from)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(from, to);
                }
            }
        }
        try (Stream<Path> jars = Files.list(COPY.resolve("app"))) {
            Path appJar = jars.filter(p -> p.toString().endsWith(".jar")).findFirst().orElseThrow();
            try (FileSystem jar = FileSystems.newFileSystem(URI.create("jar:" + appJar.toAbsolutePath().toUri()), Map.of())) {
                Files.writeString(jar.getPath(LocalBuild.MARKER), "built by ./mvnw -Plocal\n");
            }
        }
    }

    @AfterAll
    static void stopDatabase() throws Exception {
        pg.close();
    }

    @Test
    void aLocalBuildRefusesToStartInProd() throws Exception {
        Map<String, String> env = PackagedApp.prodEnvironment("jdbc:postgresql://localhost:" + pg.getPort() + "/postgres");
        env.put("QUARKUS_PROFILE", "prod");
        try (PackagedApp app = PackagedApp.start(COPY.resolve("quarkus-run.jar"), "local-build-it", env)) {
            assertNotEquals(0, app.awaitExit(90));
            String log = app.logText();
            assertTrue(log.contains("this is a local build (./mvnw -Plocal: dev key, embedded database) and refuses to "
                    + "run in prod"), log);
        }
    }
}
