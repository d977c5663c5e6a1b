package dev.genledger.contract;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.HttpMethod;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

import io.quarkus.test.junit.QuarkusTest;

/**
 * The OpenAPI document (src/main/openapi/openapi.yaml) is the contract, written by hand; this test
 * holds it to the code and to what is served. Every JAX-RS resource method of the application must
 * be an operation of the document with the roles of its {@code @RolesAllowed} ({@code security}
 * plus {@code x-roles-refused}) or {@code security: []} for {@code @PermitAll}, and the document may
 * not describe an operation that does not exist. So an endpoint added, removed or re-roled without
 * its reviewed change to the document fails the build.
 */
@QuarkusTest
class ContractDriftTests {

    static final Path DOCUMENT = Path.of(System.getProperty("basedir", "")).toAbsolutePath()
            .resolve("src/main/openapi/openapi.yaml");
    private static final Set<String> VERBS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

    private static Map<String, Object> document;
    private static Map<String, Endpoint> code;
    private static Map<String, Map<String, Object>> operations;

    /** A resource method: its roles, or null for {@code @PermitAll}; where it is, for the messages. */
    record Endpoint(Set<String> roles, String where) {
    }

    @BeforeAll
    static void load() throws IOException {
        try (Reader r = Files.newBufferedReader(DOCUMENT)) {
            document = new Yaml().load(r);
        }
        code = resourceMethods();
        operations = operations(document);
    }

    @Test
    void everyResourceMethodIsDocumentedAndNothingElse() {
        Set<String> undocumented = new TreeSet<>(code.keySet());
        undocumented.removeAll(operations.keySet());
        Set<String> absent = new TreeSet<>(operations.keySet());
        absent.removeAll(code.keySet());
        List<String> problems = new ArrayList<>();
        undocumented.forEach(op -> problems.add(op + " (" + code.get(op).where() + ") is not in " + DOCUMENT.getFileName()));
        absent.forEach(op -> problems.add(op + " is in " + DOCUMENT.getFileName() + " but no resource method serves it"));
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        assertTrue(code.size() > 30, "found only " + code.size() + " resource methods: is the scan wrong?");
    }

    @Test
    void everyOperationStatesTheRolesOfItsResourceMethod() {
        List<String> problems = new ArrayList<>();
        code.forEach((op, endpoint) -> {
            Map<String, Object> operation = operations.get(op);
            if (operation == null) {
                return;
            }
            Set<String> documented = documentedRoles(operation);
            Set<String> refused = new TreeSet<>(strings(operation.get("x-roles-refused")));
            if (endpoint.roles() == null) {
                if (documented == null || !documented.isEmpty()) {
                    problems.add(op + " is @PermitAll: the document must say security: []");
                }
                return;
            }
            if (documented == null) {
                problems.add(op + " must state its roles: security: [{bearer: " + endpoint.roles() + "}]");
                return;
            }
            Set<String> admitted = new TreeSet<>(documented);
            admitted.addAll(refused);
            if (!admitted.equals(endpoint.roles())) {
                problems.add(op + " is @RolesAllowed(" + endpoint.roles() + ") but the document says " + documented
                        + (refused.isEmpty() ? "" : " + refused " + refused));
            }
            if (!refused.isEmpty() && !responses(operation).containsKey("403")) {
                problems.add(op + " refuses " + refused + " but documents no 403");
            }
        });
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void everyOperationIsDescribedForAGeneratedClient() {
        Set<String> tags = new HashSet<>();
        for (Object tag : (List<?>) document.get("tags")) {
            tags.add((String) ((Map<?, ?>) tag).get("name"));
        }
        Set<String> ids = new HashSet<>();
        List<String> problems = new ArrayList<>();
        operations.forEach((op, operation) -> {
            Object id = operation.get("operationId");
            if (!(id instanceof String s) || !s.matches("[a-z][A-Za-z]+") || !ids.add(s)) {
                problems.add(op + ": operationId missing, not camelCase or not unique: " + id);
            }
            for (String field : List.of("summary", "description")) {
                if (!(operation.get(field) instanceof String s) || s.isBlank()) {
                    problems.add(op + ": no " + field);
                }
            }
            List<String> opTags = strings(operation.get("tags"));
            if (opTags.size() != 1 || !tags.contains(opTags.get(0))) {
                problems.add(op + ": needs exactly one declared tag, has " + opTags);
            }
            Map<String, Object> responses = responses(operation);
            if (responses.keySet().stream().noneMatch(s -> s.startsWith("2"))) {
                problems.add(op + ": no success response");
            }
            Set<String> roles = documentedRoles(operation);
            if (roles != null && !roles.isEmpty() && !responses.containsKey("401")) {
                problems.add(op + ": needs a token but documents no 401");
            }
            for (String status : List.of("429", "503")) {
                if (!responses.containsKey(status)) {
                    problems.add(op + ": documents no " + status);
                }
            }
            if (operation.containsKey("requestBody") && !responses.containsKey("415")) {
                problems.add(op + ": takes a body but documents no 415");
            }
        });
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void theServedDocumentIsTheFile() throws IOException {
        ObjectMapper json = new ObjectMapper();
        JsonNode file = json.valueToTree(document);
        JsonNode served = json.readTree(given().accept("application/json").get("/q/openapi?format=json")
                .then().statusCode(200).extract().asString());
        assertEquals("", firstDifference("", file, served),
                "/q/openapi differs from " + DOCUMENT + " (at that JSON pointer): the served document must be the file");
    }

    /** The JSON pointer of the first place two documents differ, with both values; empty if equal. */
    private static String firstDifference(String at, JsonNode expected, JsonNode actual) {
        if (expected.equals(actual)) {
            return "";
        }
        if (expected.isObject() && actual.isObject()) {
            Set<String> names = new TreeSet<>();
            expected.fieldNames().forEachRemaining(names::add);
            actual.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                String d = firstDifference(at + "/" + name.replace("~", "~0").replace("/", "~1"),
                        expected.path(name), actual.path(name));
                if (!d.isEmpty()) {
                    return d;
                }
            }
        }
        if (expected.isArray() && actual.isArray() && expected.size() == actual.size()) {
            for (int i = 0; i < expected.size(); i++) {
                String d = firstDifference(at + "/" + i, expected.get(i), actual.get(i));
                if (!d.isEmpty()) {
                    return d;
                }
            }
        }
        return at + ": file " + abbreviate(expected) + ", served " + abbreviate(actual);
    }

    private static String abbreviate(JsonNode node) {
        String s = node.isMissingNode() ? "(absent)" : node.toString();
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    /** Every resource method of the application, as "VERB /path" (path parameters without regexes). */
    static Map<String, Endpoint> resourceMethods() {
        Map<String, Endpoint> found = new TreeMap<>();
        for (JavaClass javaClass : new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.genledger")) {
            Class<?> type = javaClass.reflect();
            jakarta.ws.rs.Path classPath = type.getAnnotation(jakarta.ws.rs.Path.class);
            if (classPath == null || type.isInterface()) {
                continue;
            }
            for (Method method : type.getMethods()) {
                String verb = verb(method);
                if (verb == null) {
                    continue;
                }
                jakarta.ws.rs.Path methodPath = method.getAnnotation(jakarta.ws.rs.Path.class);
                String path = join(classPath.value(), methodPath == null ? "" : methodPath.value());
                found.put(verb + " " + path, new Endpoint(roles(type, method), type.getSimpleName() + "." + method.getName()));
            }
        }
        return found;
    }

    private static String verb(Method method) {
        for (Annotation a : method.getAnnotations()) {
            HttpMethod http = a.annotationType().getAnnotation(HttpMethod.class);
            if (http != null) {
                return http.value();
            }
        }
        return null;
    }

    private static Set<String> roles(Class<?> type, Method method) {
        if (method.isAnnotationPresent(PermitAll.class)) {
            return null;
        }
        RolesAllowed allowed = method.getAnnotation(RolesAllowed.class);
        if (allowed == null) {
            allowed = type.getAnnotation(RolesAllowed.class);
        }
        if (allowed == null) {
            return type.isAnnotationPresent(PermitAll.class) ? null : Set.of();
        }
        return new TreeSet<>(List.of(allowed.value()));
    }

    private static String join(String a, String b) {
        String path = ("/" + a + "/" + b).replaceAll("/+", "/");
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return path.replaceAll("\\{\\s*(\\w+)\\s*:[^}]*}", "{$1}");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> operations(Map<String, Object> document) {
        Map<String, Map<String, Object>> found = new TreeMap<>();
        ((Map<String, Object>) document.get("paths")).forEach((path, item) -> ((Map<String, Object>) item)
                .forEach((key, value) -> {
                    if (VERBS.contains(key)) {
                        found.put(key.toUpperCase() + " " + path, (Map<String, Object>) value);
                    }
                }));
        return found;
    }

    /** The roles of an operation's own security requirement; empty for {@code security: []}; null if unstated. */
    @SuppressWarnings("unchecked")
    private static Set<String> documentedRoles(Map<String, Object> operation) {
        Object security = operation.get("security");
        if (!(security instanceof List<?> requirements)) {
            return null;
        }
        Set<String> roles = new TreeSet<>();
        for (Object requirement : requirements) {
            ((Map<String, Object>) requirement).values().forEach(v -> roles.addAll(strings(v)));
        }
        return roles;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> responses(Map<String, Object> operation) {
        Map<String, Object> responses = new TreeMap<>();
        ((Map<Object, Object>) operation.getOrDefault("responses", Map.of())).forEach((k, v) -> responses.put(String.valueOf(k), v));
        return responses;
    }

    private static List<String> strings(Object value) {
        List<String> out = new ArrayList<>();
        if (value instanceof List<?> list) {
            list.forEach(v -> out.add(String.valueOf(v)));
        }
        return out;
    }
}
