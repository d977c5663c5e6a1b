package dev.genledger.api;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;

/**
 * Refuses strings with half a UTF-16 surrogate pair, which only a JSON escape ({@code "\ud800"})
 * can send. Such a string has no UTF-8 form: PostgreSQL would store a '?' in its place while the
 * answer echoed it back, so what the caller was told and what was kept would differ.
 */
public class WellFormedStrings extends StringDeserializer {

    @Override
    public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
        String value = super.deserialize(p, ctxt);
        if (value != null && !wellFormed(value)) {
            return (String) ctxt.handleWeirdStringValue(String.class, value, "not well-formed Unicode");
        }
        return value;
    }

    static boolean wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
