package dev.genledger.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.genledger.support.Tools;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The service's database transport as k8s/configmap.yaml configures it ({@code sslmode=verify-full}
 * with a root certificate), against a real PostgreSQL serving TLS with a certificate of a CA made
 * here: it connects encrypted with the right CA, and refuses a server whose certificate another CA
 * signed or whose name is not the one dialled.
 */
class DatabaseTlsTests {

    @TempDir
    static Path dir;

    private static EmbeddedPostgres postgres;

    @BeforeAll
    static void postgresWithTls() throws IOException {
        String openssl = Tools.require("openssl", "openssl");
        authority(openssl, "ca");
        authority(openssl, "other-ca");
        Files.writeString(dir.resolve("server.ext"), "subjectAltName=DNS:localhost\n");
        run(openssl, "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key", "-out", "server.csr");
        run(openssl, "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
                "-extfile", "server.ext", "-out", "server.crt");
        // PostgreSQL refuses a key file others may read.
        Files.setPosixFilePermissions(dir.resolve("server.key"), PosixFilePermissions.fromString("rw-------"));
        postgres = EmbeddedPostgres.builder()
                .setServerConfig("ssl", "on")
                .setServerConfig("ssl_cert_file", dir.resolve("server.crt").toString())
                .setServerConfig("ssl_key_file", dir.resolve("server.key").toString())
                .start();
    }

    @AfterAll
    static void stop() throws IOException {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void verifyFullWithTheServersCaConnectsOverTls() throws SQLException {
        try (Connection c = DriverManager.getConnection(url("localhost", "ca.crt"), "postgres", "postgres");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
            assertTrue(rs.next());
            assertTrue(rs.getBoolean(1), "the session is encrypted");
            assertTrue(rs.getString(2).startsWith("TLS"), rs.getString(2));
        }
    }

    @Test
    void verifyFullRefusesAServerCertificateOfAnotherCa() {
        SQLException refused = assertThrows(SQLException.class,
                () -> DriverManager.getConnection(url("localhost", "other-ca.crt"), "postgres", "postgres").close());
        assertEquals("08006", refused.getSQLState(), refused.getMessage());
    }

    @Test
    void verifyFullRefusesAServerWhoseCertificateNamesAnotherHost() {
        SQLException refused = assertThrows(SQLException.class,
                () -> DriverManager.getConnection(url("127.0.0.1", "ca.crt"), "postgres", "postgres").close());
        assertEquals("08006", refused.getSQLState(), refused.getMessage());
    }

    private static String url(String host, String rootCert) {
        return "jdbc:postgresql://" + host + ":" + postgres.getPort() + "/postgres?sslmode=verify-full&sslrootcert="
                + dir.resolve(rootCert);
    }

    private static void authority(String openssl, String name) throws IOException {
        run(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=genledger test " + name,
                "-keyout", name + ".key", "-out", name + ".crt");
    }

    private static void run(String... command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("openssl.log").toFile());
        try {
            int exit = pb.start().waitFor();
            if (exit != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed, exit " + exit + ": "
                        + Files.readString(dir.resolve("openssl.log")));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
