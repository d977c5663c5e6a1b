package dev.genledger.ops;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Checks k8s/ and the Dockerfiles without starting the application: the manifests pass the node
 * validator (Kubernetes and Prometheus Operator schemas, unknown fields, references between
 * manifests), and the ports and paths they probe, expose and scrape are the ones the application
 * serves according to application.properties (prod profile, with the environment the manifests
 * give the container).
 */
class KubernetesManifestsTests {

    private static final Path ROOT = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    private static final Path K8S = ROOT.resolve("k8s");
    private static final Path VALIDATOR = K8S.resolve("validate");
    private static final Path APPLICATION_PROPERTIES = ROOT.resolve("src/main/resources/application.properties");

    private static List<Map<String, Object>> manifests;
    private static Map<String, Object> pod;
    private static Map<String, Object> container;
    private static AppConfig app;

    @BeforeAll
    static void load() throws IOException {
        manifests = new ArrayList<>();
        for (Object resource : list(map(loadYaml(K8S.resolve("kustomization.yaml")).get(0)).get("resources"))) {
            loadYaml(K8S.resolve((String) resource)).forEach(doc -> manifests.add(map(doc)));
        }
        Map<String, Object> deployment = only("Deployment");
        pod = map(at(deployment, "spec", "template", "spec"));
        container = map(list(pod.get("containers")).get(0));
        app = new AppConfig(APPLICATION_PROPERTIES, containerEnvironment());
    }

    @Test
    void manifestsPassTheNodeValidator() throws Exception {
        assertTrue(Files.isDirectory(VALIDATOR.resolve("node_modules")),
                "k8s/validate/node_modules is missing: run `npm ci --prefix k8s/validate` (needs Node.js 20+)");
        Path output = Files.createTempFile("k8s-validate", ".log");
        try {
            Process process;
            try {
                process = new ProcessBuilder("node", "validate.mjs").directory(VALIDATOR.toFile())
                        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            } catch (IOException e) {
                throw new AssertionError("cannot start `node` (Node.js 20+ validates k8s/): " + e.getMessage(), e);
            }
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                fail("k8s/validate/validate.mjs did not finish within 2 minutes:\n" + Files.readString(output, UTF_8));
            }
            assertEquals(0, process.exitValue(),
                    "k8s/validate/validate.mjs rejected the manifests:\n" + Files.readString(output, UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    @Test
    void theJvmOverlayGivesThePodTheMemoryTheJvmNeeds() throws IOException {
        Map<String, Object> overlay = map(loadYaml(K8S.resolve("jvm/kustomization.yaml")).get(0));
        assertEquals(List.of(".."), overlay.get("resources"));
        Map<String, Object> patch = map(list(overlay.get("patches")).get(0));
        assertEquals(Map.of("kind", "Deployment", "name", "genledger"), patch.get("target"));
        String resources = "/spec/template/spec/containers/0/resources/";
        Map<String, Object> memory = new java.util.HashMap<>();
        for (Object op : list(new Yaml(new SafeConstructor(new LoaderOptions())).load((String) patch.get("patch")))) {
            memory.put((String) map(op).get("path"), map(op).get("value"));
        }
        assertEquals(Map.of(resources + "requests/memory", "768Mi", resources + "limits/memory", "768Mi"), memory);
        assertEquals("256Mi", at(container, "resources", "limits", "memory"), "the base is sized for the native image");
    }

    @Test
    void probesHitTheHealthChecksOnTheManagementInterface() {
        assertEquals("true", app.get("quarkus.management.enabled", "false"),
                "the probes and the ServiceMonitor expect the management interface (quarkus.management.enabled=true)");
        int managementPort = app.port("quarkus.management.port", 9000);
        String health = join(app.get("quarkus.management.root-path", "/q"), app.get("quarkus.smallrye-health.root-path", "health"));
        Map<String, String> expected = Map.of(
                "startupProbe", join(health, app.get("quarkus.smallrye-health.startup-path", "started")),
                "livenessProbe", join(health, app.get("quarkus.smallrye-health.liveness-path", "live")),
                "readinessProbe", join(health, app.get("quarkus.smallrye-health.readiness-path", "ready")));
        expected.forEach((probe, path) -> {
            Map<String, Object> httpGet = map(at(container, probe, "httpGet"));
            assertEquals(path, httpGet.get("path"), probe + " path");
            assertEquals(managementPort, containerPort(httpGet.get("port")), probe + " port");
        });
    }

    @Test
    void apiServiceTargetsTheHttpPortAndNeverTheManagementPort() {
        int httpPort = app.port("quarkus.http.port", 8080);
        int managementPort = app.port("quarkus.management.port", 9000);
        assertEquals(httpPort, containerPort("http"), "container port 'http'");
        Map<String, Object> api = named("Service", "genledger");
        List<Integer> targets = list(at(api, "spec", "ports")).stream().map(p -> serviceTarget(map(p))).toList();
        assertTrue(targets.contains(httpPort), "Service genledger must target the API port " + httpPort + ", targets " + targets);
        assertFalse(targets.contains(managementPort), "Service genledger must not expose the management port " + managementPort);
    }

    @Test
    void serviceMonitorScrapesTheMetricsEndpointOnTheManagementPort() {
        int managementPort = app.port("quarkus.management.port", 9000);
        String metricsPath = join(app.get("quarkus.management.root-path", "/q"),
                app.get("quarkus.micrometer.export.prometheus.path", "metrics"));
        Map<String, Object> monitor = only("ServiceMonitor");
        Map<String, Object> selector = map(at(monitor, "spec", "selector", "matchLabels"));
        List<Map<String, Object>> services = manifests.stream()
                .filter(m -> "Service".equals(m.get("kind")))
                .filter(m -> map(at(m, "metadata", "labels")).entrySet().containsAll(selector.entrySet()))
                .toList();
        assertEquals(1, services.size(), "the ServiceMonitor must select exactly one Service (the management one)");
        List<Object> endpoints = list(at(monitor, "spec", "endpoints"));
        assertFalse(endpoints.isEmpty(), "ServiceMonitor endpoints");
        for (Object e : endpoints) {
            Map<String, Object> endpoint = map(e);
            assertEquals(metricsPath, endpoint.get("path"), "ServiceMonitor endpoint path");
            Map<String, Object> port = list(at(services.get(0), "spec", "ports")).stream().map(p -> map(p))
                    .filter(p -> endpoint.get("port").equals(p.get("name"))).findFirst()
                    .orElseThrow(() -> new AssertionError("the selected Service has no port named " + endpoint.get("port")));
            assertEquals(managementPort, serviceTarget(port), "ServiceMonitor endpoint must reach the management port");
        }
    }

    @Test
    void podOutlivesPreStopPlusGracefulShutdown() {
        Duration grace = duration(app.get("quarkus.shutdown.timeout", null));
        Object sleep = at(container, "lifecycle", "preStop", "sleep", "seconds");
        Object period = pod.getOrDefault("terminationGracePeriodSeconds", 30);
        assertTrue(((Number) period).longValue() > ((Number) sleep).longValue() + grace.toSeconds(),
                "terminationGracePeriodSeconds " + period + " must exceed preStop " + sleep + " s + quarkus.shutdown.timeout "
                        + grace.toSeconds() + " s, or the kubelet kills the pod mid-drain");
    }

    @Test
    void imagesExposeBothPorts() throws IOException {
        List<String> expected = List.of(String.valueOf(app.port("quarkus.http.port", 8080)),
                String.valueOf(app.port("quarkus.management.port", 9000)));
        for (String name : List.of("Dockerfile.jvm", "Dockerfile.native-micro")) {
            List<String> exposed = Files.readAllLines(ROOT.resolve("src/main/docker").resolve(name), UTF_8).stream()
                    .map(String::strip).filter(l -> l.toUpperCase(Locale.ROOT).startsWith("EXPOSE "))
                    .flatMap(l -> List.of(l.substring(7).strip().split("\\s+")).stream())
                    .map(p -> p.replace("/tcp", "")).toList();
            assertTrue(exposed.containsAll(expected), name + " exposes " + exposed + ", expected " + expected);
        }
    }

    // ------------------------------------------------------------------ manifests

    private static List<Object> loadYaml(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file, UTF_8)) {
            List<Object> docs = new ArrayList<>();
            new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(reader).forEach(d -> {
                if (d != null) {
                    docs.add(d);
                }
            });
            return docs;
        }
    }

    private static Map<String, Object> only(String kind) {
        List<Map<String, Object>> found = manifests.stream().filter(m -> kind.equals(m.get("kind"))).toList();
        assertEquals(1, found.size(), "number of " + kind + " manifests in kustomization.yaml");
        return found.get(0);
    }

    private static Map<String, Object> named(String kind, String name) {
        return manifests.stream()
                .filter(m -> kind.equals(m.get("kind")) && name.equals(at(m, "metadata", "name")))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " named " + name + " in kustomization.yaml"));
    }

    /** The container port a probe or Service refers to, by number or by name. */
    private static int containerPort(Object port) {
        if (port instanceof Number n) {
            return n.intValue();
        }
        return list(container.get("ports")).stream().map(p -> map(p)).filter(p -> port.equals(p.get("name")))
                .map(p -> ((Number) p.get("containerPort")).intValue()).findFirst()
                .orElseThrow(() -> new AssertionError("no container port named " + port));
    }

    private static int serviceTarget(Map<String, Object> servicePort) {
        return containerPort(servicePort.getOrDefault("targetPort", servicePort.get("port")));
    }

    /** What the container sees: literal env entries and the ConfigMaps it imports with envFrom. */
    private static Map<String, String> containerEnvironment() {
        Map<String, String> env = new HashMap<>();
        for (Object from : list(container.get("envFrom"))) {
            Object name = at(from, "configMapRef", "name");
            if (name != null) {
                map(at(named("ConfigMap", (String) name), "data")).forEach((k, v) -> env.put(k, String.valueOf(v)));
            }
        }
        for (Object e : list(container.get("env"))) {
            Map<String, Object> entry = map(e);
            if (entry.get("value") != null) {
                env.put((String) entry.get("name"), String.valueOf(entry.get("value")));
            }
        }
        return env;
    }

    private static Object at(Object node, String... keys) {
        for (String key : keys) {
            if (!(node instanceof Map<?, ?> m)) {
                return null;
            }
            node = m.get(key);
        }
        return node;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object node) {
        return node instanceof Map<?, ?> ? (Map<String, Object>) node : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object node) {
        return node instanceof List<?> ? (List<Object>) node : List.of();
    }

    // ------------------------------------------------------------------ application configuration

    /** A relative sub-path hangs under its parent; an absolute one stands alone (Quarkus's rule for these paths). */
    private static String join(String parent, String path) {
        String joined = path.startsWith("/") ? path : parent + "/" + path;
        return joined.replaceAll("/+", "/").replaceAll("(.)/$", "$1");
    }

    private static Duration duration(String value) {
        assertNotNull(value, "quarkus.shutdown.timeout must be set: it is the graceful shutdown the pod waits for");
        String v = value.strip().toUpperCase(Locale.ROOT);
        if (v.matches("\\d+")) {
            return Duration.ofSeconds(Long.parseLong(v));
        }
        if (v.matches("\\d+MS")) {
            return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        }
        return Duration.parse(v.startsWith("P") ? v : "PT" + v);
    }

    /**
     * application.properties as the prod profile sees it in the pod: an environment variable of the
     * property's name wins, then %prod.key, then key; ${NAME:default} expressions are expanded
     * against the container's environment.
     */
    private record AppConfig(Properties properties, Map<String, String> env) {

        private static final Pattern EXPRESSION = Pattern.compile("\\$\\{([^:}]+)(?::([^}]*))?}");

        AppConfig(Path file, Map<String, String> env) {
            this(read(file), env);
        }

        private static Properties read(Path file) {
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(file, UTF_8)) {
                properties.load(reader);
            } catch (IOException e) {
                throw new AssertionError("cannot read " + file + ": " + e.getMessage(), e);
            }
            return properties;
        }

        String get(String key, String fallback) {
            String value = env.get(key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"));
            if (value == null) {
                value = properties.getProperty("%prod." + key, properties.getProperty(key));
            }
            return value == null ? fallback : expand(value);
        }

        int port(String key, int fallback) {
            return Integer.parseInt(get(key, String.valueOf(fallback)).strip());
        }

        private String expand(String value) {
            Matcher m = EXPRESSION.matcher(value);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String replacement = env.getOrDefault(m.group(1), properties.getProperty(m.group(1),
                        m.group(2) == null ? "" : m.group(2)));
                m.appendReplacement(out, Matcher.quoteReplacement(replacement));
            }
            return m.appendTail(out).toString();
        }
    }
}
