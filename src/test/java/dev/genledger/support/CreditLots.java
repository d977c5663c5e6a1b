package dev.genledger.support;

import static dev.genledger.support.Api.asService;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Grants that make lots on given terms, and the draws a ledger row made from lots. */
public final class CreditLots {

    private CreditLots() {
    }

    /** A grant's body; null terms are left out (the defaults apply). */
    public static Map<String, Object> grantBody(long amount, String category, OffsetDateTime expiresAt, Integer priority) {
        Map<String, Object> body = new HashMap<>();
        body.put("amount", amount);
        body.put("reason", "lot test");
        body.put("reference", "grant-" + amount);
        if (category != null) {
            body.put("category", category);
        }
        if (expiresAt != null) {
            body.put("expiresAt", expiresAt.toString());
        }
        if (priority != null) {
            body.put("priority", priority);
        }
        return body;
    }

    /** Grants a lot and returns its id. */
    public static long lot(UUID user, long amount, String category, OffsetDateTime expiresAt, Integer priority) {
        return asService().body(grantBody(amount, category, expiresAt, priority))
                .post("/v1/users/{id}/credits/grant", user).then().statusCode(201).extract().jsonPath().getLong("lot.id");
    }

    /** Grants a lot of the default priority and returns its id. */
    public static long lot(UUID user, long amount, String category, OffsetDateTime expiresAt) {
        return lot(user, amount, category, expiresAt, null);
    }

    /** What a ledger row drew, by lot. */
    public static Map<Long, Long> draws(long ledgerId) {
        Map<Long, Long> draws = new HashMap<>();
        try (Connection c = Database.connect();
                PreparedStatement ps = c.prepareStatement("SELECT lot_id, amount FROM credit_lot_draws WHERE ledger_id = ?")) {
            ps.setLong(1, ledgerId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    draws.put(rs.getLong(1), rs.getLong(2));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return draws;
    }
}
