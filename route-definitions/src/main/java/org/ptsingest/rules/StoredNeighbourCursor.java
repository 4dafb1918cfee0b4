package org.ptsingest.rules;

import java.util.Iterator;

/**
 * Finds stored neighbours by walking, once, a stream of stored readings sorted like the feed's
 * readings (system_id, meter_serial, read_at; strings in code-point order, i.e. COLLATE "C").
 * Queries must come in non-decreasing key order; memory is two rows whatever the volume.
 */
public final class StoredNeighbourCursor {
    private final Iterator<StoredReading> rows;
    private StoredReading head;
    private StoredReading second;
    private StoredReading lastBelow;

    public StoredNeighbourCursor(Iterator<StoredReading> rows) {
        this.rows = rows;
        this.head = rows.hasNext() ? rows.next() : null;
        this.second = rows.hasNext() ? rows.next() : null;
    }

    public Neighbours find(String systemId, String meterSerial, java.time.Instant readAt) {
        while (head != null && compare(head, systemId, meterSerial, readAt) < 0) {
            lastBelow = head;
            head = second;
            second = rows.hasNext() ? rows.next() : null;
        }
        StoredReading before = sameMeter(lastBelow, systemId, meterSerial) ? lastBelow : null;
        StoredReading same = null;
        StoredReading after = null;
        if (sameMeter(head, systemId, meterSerial)) {
            if (head.readAt().equals(readAt)) {
                same = head;
                after = sameMeter(second, systemId, meterSerial) ? second : null;
            } else {
                after = head;
            }
        }
        if (before == null && same == null && after == null) {
            return Neighbours.NONE;
        }
        return new Neighbours(before, same, after);
    }

    private static boolean sameMeter(StoredReading r, String systemId, String meterSerial) {
        return r != null && r.systemId().equals(systemId) && r.meterSerial().equals(meterSerial);
    }

    static int compare(StoredReading r, String systemId, String meterSerial, java.time.Instant readAt) {
        int c = compareCodePoints(r.systemId(), systemId);
        if (c != 0) {
            return c;
        }
        c = compareCodePoints(r.meterSerial(), meterSerial);
        return c != 0 ? c : r.readAt().compareTo(readAt);
    }

    /** Code-point order, which is what PostgreSQL's COLLATE "C" gives for UTF-8 text. */
    public static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
