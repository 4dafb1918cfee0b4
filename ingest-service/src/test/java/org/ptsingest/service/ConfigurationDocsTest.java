package org.ptsingest.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.ptsingest.config.IngestProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * The README's configuration table and {@link IngestProperties} cannot drift apart: every {@code ingest.*}
 * property of the code has a row, every row names a property that exists, and a default written in
 * backticks is the default the code binds.
 */
class ConfigurationDocsTest {
    private static final Pattern ROW = Pattern.compile("^\\| (`ingest\\.[^|]+) \\| ([^|]*) \\|");
    private static final Pattern CODE = Pattern.compile("`([^`]*)`");

    @Test
    void readmeConfigurationTableMatchesTheCode() throws Exception {
        Map<String, Leaf> defaults = new LinkedHashMap<>();
        IngestProperties bound = new Binder(new MapConfigurationPropertySource())
                .bindOrCreate("ingest", IngestProperties.class);
        leaves("ingest", bound, defaults);

        Map<String, String> documented = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        int start = lines.indexOf("## Configure");
        for (String line : lines.subList(start, lines.size())) {
            Matcher row = ROW.matcher(line);
            if (!row.find()) {
                continue;
            }
            List<String> names = codes(row.group(1));
            List<String> values = codes(row.group(2));
            String first = names.get(0);
            for (int i = 0; i < names.size(); i++) {
                // "`ingest.sftp.host`, `.port`" names siblings of the first property
                String name = names.get(i).startsWith(".") ? first.substring(0, first.lastIndexOf('.')) + names.get(i)
                        : names.get(i);
                documented.put(name, values.size() == names.size() ? values.get(i) : null);
            }
        }

        assertThat(new TreeSet<>(documented.keySet())).as("README rows vs IngestProperties")
                .isEqualTo(new TreeSet<>(defaults.keySet()));
        List<String> wrong = new ArrayList<>();
        documented.forEach((name, text) -> {
            Object actual = defaults.get(name) == null ? null : defaults.get(name).value();
            if (text == null || actual == null) {
                return; // "generated", "none": described in words, nothing to compare
            }
            // bound exactly as configuration would be (Duration "1s", DataSize "2GB", Path, ZoneId...)
            Object expected = new Binder(new MapConfigurationPropertySource(Map.of("x", text)))
                    .bind("x", defaults.get(name).type()).get();
            if (!expected.equals(actual)) {
                wrong.add(name + ": README says " + text + ", the code binds " + actual);
            }
        });
        assertThat(wrong).isEmpty();
    }

    private static List<String> codes(String cell) {
        List<String> out = new ArrayList<>();
        Matcher m = CODE.matcher(cell);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** @param type as declared, generics included (a {@code List<BigDecimal>} binds "62,71" to numbers) */
    private record Leaf(Object value, org.springframework.boot.context.properties.bind.Bindable<?> type) {}

    /** Every leaf property with its bound default, named as in configuration (kebab-case). */
    private static void leaves(String prefix, Object value, Map<String, Leaf> out) throws Exception {
        for (RecordComponent c : value.getClass().getRecordComponents()) {
            Object v = c.getAccessor().invoke(value);
            String name = prefix + "." + c.getName().replaceAll("([A-Z])", "-$1").toLowerCase(java.util.Locale.ROOT);
            if (c.getType().isRecord()) {
                leaves(name, v, out);
            } else {
                out.put(name, new Leaf(v, org.springframework.boot.context.properties.bind.Bindable.of(
                        org.springframework.core.ResolvableType.forMethodReturnType(c.getAccessor()))));
            }
        }
    }
}
