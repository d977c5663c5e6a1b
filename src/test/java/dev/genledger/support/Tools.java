package dev.genledger.support;

import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Finds a command-line tool the test needs (promtool, pgbouncer). When it is missing and the
 * tests run as root on Debian (CI, the dev machines), installs its Debian package first, so the
 * tests are self-contained; otherwise fails, saying what to install.
 */
public final class Tools {

    private Tools() {
    }

    public static String require(String command, String debianPackage) {
        String found = which(command);
        if (found != null) {
            return found;
        }
        if ("root".equals(System.getProperty("user.name")) && new File("/usr/bin/apt-get").exists()) {
            run(List.of("sh", "-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
                    + debianPackage + " >/dev/null"), 600);
            found = which(command);
        }
        if (found == null) {
            throw new AssertionError(command + " is needed: apt-get install " + debianPackage);
        }
        return found;
    }

    private static String which(String command) {
        for (String dir : List.of("/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin")) {
            File f = new File(dir, command);
            if (f.canExecute()) {
                return f.getPath();
            }
        }
        return null;
    }

    /** Runs a command, returns its exit code; output goes to the test's console. */
    public static int run(List<String> command, long timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(command).inheritIO().start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("timed out: " + command);
            }
            return p.exitValue();
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
