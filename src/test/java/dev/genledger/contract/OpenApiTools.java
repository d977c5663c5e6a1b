package dev.genledger.contract;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the third-party OpenAPI tools of src/test/openapi (installed by {@code npm ci} in the build,
 * pinned in its package-lock.json): Redocly, openapi-typescript with tsc, and the Prism proxy.
 */
final class OpenApiTools {

    static final Path DIR = Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("src/test/openapi");

    private OpenApiTools() {
    }

    /** What a finished tool printed, and its exit code. */
    record Run(int exitCode, String output) {
    }

    static Run run(long timeoutSeconds, String tool, String... args) throws IOException, InterruptedException {
        Path output = Files.createTempFile("openapi-tool", ".log");
        try {
            Process p = start(output, tool, args);
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError(tool + " did not finish within " + timeoutSeconds + " s:\n" + Files.readString(output, UTF_8));
            }
            return new Run(p.exitValue(), Files.readString(output, UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    static Process start(Path output, String tool, String... args) throws IOException {
        Path bin = DIR.resolve("node_modules/.bin").resolve(tool);
        if (!Files.isExecutable(bin)) {
            throw new AssertionError(bin + " is missing: run `npm ci --prefix src/test/openapi` (needs Node.js 20+)");
        }
        List<String> command = new ArrayList<>(List.of(bin.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(DIR.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
    }

    /** Waits until something listens on the port, or the process ends. */
    static void awaitPort(Process p, int port, Path output, long timeoutSeconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new AssertionError("the tool ended before listening on " + port + ":\n" + Files.readString(output, UTF_8));
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        throw new AssertionError("nothing listens on " + port + " after " + timeoutSeconds + " s:\n" + Files.readString(output, UTF_8));
    }
}
