package dev.genledger.ops;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import dev.genledger.support.Tools;

/**
 * The alerts of k8s/prometheusrule.yaml: promtool checks the rules and runs the unit tests of
 * src/test/resources/alerts (input series, the alerts expected at a time); every alert is tested
 * firing and has a runbook section in docs/operations.md. Which metrics the rules read is checked
 * against a live scrape in {@link MetricsTests}.
 */
class AlertRulesTests {

    private static final Path ROOT = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    static final Path RULES = ROOT.resolve("k8s/prometheusrule.yaml");
    private static final Path UNIT_TESTS = ROOT.resolve("src/test/resources/alerts/genledger-alerts-test.yaml");
    private static final Path OPERATIONS = ROOT.resolve("docs/operations.md");

    private static Yaml yaml() {
        return new Yaml(new SafeConstructor(new LoaderOptions()));
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> groups() throws IOException {
        Map<String, Object> rule = yaml().load(Files.readString(RULES, UTF_8));
        return (List<Map<String, Object>>) ((Map<String, Object>) rule.get("spec")).get("groups");
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> alerts() throws IOException {
        List<Map<String, Object>> alerts = new ArrayList<>();
        for (Map<String, Object> group : groups()) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                if (rule.containsKey("alert")) {
                    alerts.add(rule);
                }
            }
        }
        return alerts;
    }

    /** The metric names the alerts' expressions read (the service's, the pool's, fault tolerance's, HTTP's). */
    static Set<String> metricsUsed() throws IOException {
        Pattern name = Pattern.compile("\\b(?:genledger|agroal|ft|http)_[a-z0-9_]+");
        Set<String> names = new TreeSet<>();
        for (Map<String, Object> alert : alerts()) {
            Matcher m = name.matcher((String) alert.get("expr"));
            while (m.find()) {
                names.add(m.group());
            }
        }
        return names;
    }

    @Test
    void promtoolChecksTheRulesAndTheirUnitTestsPass() throws Exception {
        String promtool = Tools.require("promtool", "prometheus");
        // promtool reads plain rule files: the PrometheusRule's groups, next to the unit tests.
        Path dir = Files.createTempDirectory("genledger-alerts");
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        Files.writeString(dir.resolve("genledger-rules.yaml"), new Yaml(options).dump(Map.of("groups", groups())), UTF_8);
        Path tests = Files.copy(UNIT_TESTS, dir.resolve(UNIT_TESTS.getFileName()));

        String check = promtool(dir, promtool, "check", "rules", "genledger-rules.yaml");
        assertTrue(check.contains("SUCCESS: " + alerts().size() + " rules found"), check);
        promtool(dir, promtool, "test", "rules", tests.getFileName().toString());
    }

    @Test
    void everyAlertIsTestedFiring() throws IOException {
        Map<String, Object> unit = yaml().load(Files.readString(UNIT_TESTS, UTF_8));
        Set<String> firing = new TreeSet<>();
        for (Object t : (List<?>) unit.get("tests")) {
            for (Object a : (List<?>) ((Map<?, ?>) t).get("alert_rule_test")) {
                Map<?, ?> check = (Map<?, ?>) a;
                if (check.get("exp_alerts") instanceof List<?> expected && !expected.isEmpty()) {
                    firing.add((String) check.get("alertname"));
                }
            }
        }
        Set<String> names = alerts().stream().map(a -> (String) a.get("alert")).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(names, firing, "every alert has a promtool test in which it fires");
    }

    @Test
    void everyAlertLinksItsRunbookSectionInOperations() throws IOException {
        Set<String> anchors = Files.readAllLines(OPERATIONS, UTF_8).stream().filter(l -> l.startsWith("#"))
                .map(AlertRulesTests::anchor).collect(Collectors.toSet());
        assertFalse(alerts().isEmpty());
        for (Map<String, Object> alert : alerts()) {
            String name = (String) alert.get("alert");
            String runbook = (String) ((Map<?, ?>) alert.get("annotations")).get("runbook_url");
            assertEquals("docs/operations.md#" + name.toLowerCase(Locale.ROOT), runbook, name + " runbook_url");
            assertTrue(anchors.contains(name.toLowerCase(Locale.ROOT)), "docs/operations.md has a section " + name);
            assertTrue(((Map<?, ?>) alert.get("labels")).get("severity") != null, name + " has a severity");
        }
    }

    /** GitHub's anchor of a Markdown heading. */
    private static String anchor(String heading) {
        return heading.replaceFirst("^#+\\s*", "").trim().toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9 _-]", "").replace(' ', '-');
    }

    private static String promtool(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail("promtool did not finish: " + String.join(" ", command));
        }
        String output = new String(p.getInputStream().readAllBytes(), UTF_8);
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + output);
        return output;
    }
}
