package dev.genledger.api;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.quarkus.jackson.ObjectMapperCustomizer;

/**
 * Money arrives as JSON numbers: a fraction must not be truncated into an integer amount, and
 * "10" (a string) must not pass for 10. Both are refused as malformed instead. So is a body that
 * names a field twice (which value counts would be up to the parser, and to whatever proxy or
 * signature checker read it first), and a string that is not well-formed Unicode
 * ({@link WellFormedStrings}).
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.configure(MapperFeature.ALLOW_COERCION_OF_SCALARS, false);
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        mapper.registerModule(new SimpleModule("well-formed-strings").addDeserializer(String.class, new WellFormedStrings()));
    }
}
