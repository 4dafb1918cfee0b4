package org.ptsingest.service.web;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.Module;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.util.stream.Collectors;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Text in a JSON request body (a reason, an AS2 id, a password) that holds a NUL is refused while the body is
 * read: PostgreSQL text cannot hold one, and a reason holding one failed as a 500 when its audit row was
 * written. Spring Boot adds this module to the ObjectMapper that reads request bodies, also for the values of
 * {@code Map<String, Object>} bodies; {@link BadParameters} answers 400 naming the field. Feeds are not read
 * through it: their readers report a NUL as the feed's own outcome.
 */
@Configuration(proxyBeanMethods = false)
class NulFreeJson {

    @Bean
    Module nulFreeStrings() {
        return new SimpleModule("nul-free-strings").addDeserializer(String.class, new Strings());
    }

    /** The field (as a dotted path) whose text held a NUL. */
    static final class NulInText extends JsonMappingException {
        NulInText(JsonParser p) {
            super(p, "text holds a NUL character (\\u0000), which is not allowed");
        }

        /** {@code reason}, {@code systems.0.name}: where in the body, for the answer. */
        String field() {
            String path = getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : String.valueOf(r.getIndex()))
                    .collect(Collectors.joining("."));
            return path.isEmpty() ? "body" : path;
        }
    }

    private static final class Strings extends StdScalarDeserializer<String> {
        Strings() {
            super(String.class);
        }

        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String s = StringDeserializer.instance.deserialize(p, ctxt);
            if (s != null && s.indexOf('\0') >= 0) {
                throw new NulInText(p);
            }
            return s;
        }
    }
}
