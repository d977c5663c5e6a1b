package dev.genledger.support;

import io.restassured.RestAssured;
import org.eclipse.microprofile.config.ConfigProvider;

/** Reads counters from the service's Prometheus endpoint on the management port. */
public final class Metrics {

    private Metrics() {
    }

    /** The sum of all samples of {@code name} whose labels contain every given fragment. */
    public static double sum(String name, String... labelFragments) {
        int port = ConfigProvider.getConfig().getValue("quarkus.management.port", Integer.class);
        String text = RestAssured.given().port(port).get("/q/metrics").then().statusCode(200).extract().asString();
        return text.lines()
                .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .filter(l -> java.util.Arrays.stream(labelFragments).allMatch(l::contains))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    public static double retries(String sqlState) {
        return sum("genledger_db_retries_total", "sqlstate=\"" + sqlState + "\"");
    }
}
