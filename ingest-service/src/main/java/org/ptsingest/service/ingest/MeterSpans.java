package org.ptsingest.service.ingest;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * First and last read_at per meter of a feed, collected while parsing (memory grows with meters, not
 * readings). It bounds which stored readings can be neighbours, and names the systems to load.
 */
final class MeterSpans {
    private record Meter(String systemId, String meterSerial) {}

    private final Map<Meter, Instant[]> spans = new HashMap<>();

    void add(String systemId, String meterSerial, Instant readAt) {
        Instant[] span = spans.computeIfAbsent(new Meter(systemId, meterSerial), m -> new Instant[] {readAt, readAt});
        if (readAt.isBefore(span[0])) {
            span[0] = readAt;
        } else if (readAt.isAfter(span[1])) {
            span[1] = readAt;
        }
    }

    void write(Path file) throws IOException {
        try (Writer w = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
            for (Map.Entry<Meter, Instant[]> e : spans.entrySet()) {
                PgCopy.row(w, e.getKey().systemId(), e.getKey().meterSerial(), e.getValue()[0], e.getValue()[1]);
            }
        }
    }
}
