package dev.genledger.credit;

import static dev.genledger.support.Api.newUserWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.genledger.db.Sql;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A balance transaction's statements run on their generic plans. Otherwise PostgreSQL plans a
 * statement anew at each of its first five executions, and at every one after them when the plan
 * costed for the values looks cheaper than the generic one: with an array parameter, such as the
 * read of a batch's lots on a table of many users, it always does.
 */
@QuarkusTest
class GenericPlansTests {

    @Inject
    BalanceSerializer serializer;

    @Inject
    Lots lots;

    @Inject
    Sql sql;

    record Plans(long generic, long custom) {
    }

    @Test
    void theLotsReadOfABalanceTransactionIsPlannedOnce() {
        List<UUID> users = List.of(newUserWith(10), newUserWith(20), newUserWith(30));
        // The driver names (prepares) a statement on its fifth use; from then on the session counts its plans.
        List<Plans> plans = serializer.inTransaction(users, () -> {
            for (int i = 0; i < 12; i++) {
                assertEquals(20, lots.open(users).available(users.get(1)));
            }
            return sql.list("SELECT generic_plans, custom_plans FROM pg_prepared_statements "
                    + "WHERE NOT from_sql AND statement LIKE '%FROM credit_lots WHERE user_id = ANY%'",
                    rs -> new Plans(rs.getLong(1), rs.getLong(2)));
        });
        assertEquals(1, plans.size(), "the lots read is a named statement of this session: " + plans);
        assertEquals(0, plans.get(0).custom(), "executions planned anew: " + plans);
        assertTrue(plans.get(0).generic() >= 7, "executions on the generic plan: " + plans);
    }
}
