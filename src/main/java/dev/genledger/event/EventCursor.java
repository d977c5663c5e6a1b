package dev.genledger.event;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import dev.genledger.api.ApiProblem;

/**
 * The position in the event stream after which a page starts: the writing transaction's id and the
 * event id (see V23 for why both), opaque to clients.
 */
record EventCursor(long xid, long id) {

    static final EventCursor START = new EventCursor(0, 0);

    String encode() {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("e" + xid + "." + id).getBytes(StandardCharsets.UTF_8));
    }

    static EventCursor decode(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return START;
        }
        try {
            String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            int dot = raw.indexOf('.');
            if (raw.startsWith("e") && dot > 1) {
                EventCursor c = new EventCursor(Long.parseLong(raw.substring(1, dot)), Long.parseLong(raw.substring(dot + 1)));
                if (c.xid >= 0 && c.id >= 0) {
                    return c;
                }
            }
        } catch (IllegalArgumentException invalid) {
            // falls through to the problem below
        }
        throw ApiProblem.badRequest("invalid-cursor", "the cursor is not one this API returned");
    }
}
