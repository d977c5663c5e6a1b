package dev.genledger.credit;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import dev.genledger.api.ApiProblem;

/**
 * The ledger listing's filter, from its query parameters: rows created at or after {@code from},
 * before {@code to}, of one of {@code kinds} (every kind when empty). Also parses the instant of a
 * balance at a point in time. Anything malformed is a 400 naming the parameter.
 */
record LedgerFilter(OffsetDateTime from, OffsetDateTime to, Set<LedgerKind> kinds) {

    static LedgerFilter of(String from, String to, List<String> kinds) {
        OffsetDateTime start = instant("from", from);
        OffsetDateTime end = instant("to", to);
        if (start != null && end != null && !start.isBefore(end)) {
            throw ApiProblem.invalidField("to", "must be after from");
        }
        return new LedgerFilter(start, end, kinds(kinds));
    }

    /** The instant of a balance at a point in time: no later than {@code skew} past now (clocks differ). */
    static OffsetDateTime at(String at, Duration skew) {
        OffsetDateTime instant = instant("at", at);
        if (instant.isAfter(OffsetDateTime.now().plus(skew))) {
            throw ApiProblem.invalidField("at", "must not be in the future");
        }
        return instant;
    }

    List<String> kindNames() {
        return kinds.stream().map(Enum::name).toList();
    }

    // Repeated (kind=SPEND&kind=GRANT) or comma separated (kind=SPEND,GRANT), either case.
    private static Set<LedgerKind> kinds(List<String> values) {
        Set<LedgerKind> kinds = new LinkedHashSet<>();
        for (String value : values == null ? List.<String> of() : values) {
            for (String name : value.split(",", -1)) {
                try {
                    kinds.add(LedgerKind.valueOf(name.strip().toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException unknown) {
                    throw ApiProblem.invalidField("kind", "must be one of " + Arrays.stream(LedgerKind.values())
                            .map(Enum::name).collect(Collectors.joining(", ")));
                }
            }
        }
        return kinds;
    }

    private static OffsetDateTime instant(String field, String value) {
        if (value == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value);
        } catch (DateTimeParseException malformed) {
            throw ApiProblem.invalidField(field, "must be an ISO-8601 instant with an offset, e.g. 2026-01-31T12:00:00Z");
        }
    }
}
