package dev.genledger.api;

import java.util.List;
import java.util.function.ToLongFunction;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** One page of a list, newest first, with the cursor of the next page (null on the last). */
@RegisterForReflection
public record Page<T>(List<T> items, String nextCursor) {

    /** Builds a page from up to {@code limit + 1} rows: the extra row only says another page exists. */
    public static <T> Page<T> of(List<T> rows, int limit, ToLongFunction<T> position) {
        if (rows.size() <= limit) {
            return new Page<>(rows, null);
        }
        List<T> items = rows.subList(0, limit);
        return new Page<>(List.copyOf(items), Cursor.encode(position.applyAsLong(items.get(limit - 1))));
    }
}
