package org.ptsingest.service.ingest;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.ptsingest.feed.ParsedReading;
import org.ptsingest.rules.StoredNeighbourCursor;

/**
 * Puts a feed's readings in the order the judge walks them — (system_id, meter_serial, read_at,
 * record), text in code-point order like PostgreSQL's COLLATE "C" — with memory bounded by one chunk
 * whatever the feed size: chunks are sorted in memory and written as runs, and the runs are merged
 * while the judge reads. A feed that fits in one chunk never touches the disk.
 *
 * <p>Runs are binary ({@link DataOutputStream}: ints, longs and modified UTF-8), not text: writing and
 * parsing them back as text rows (escaping, splitting, {@code new BigDecimal(String)}) was a third of a
 * large feed's CPU in the profile (docs/perf). A feed that arrives in judging order already (system-major,
 * as many DAS exports are) is detected while it streams in: its chunks are not sorted and its runs are
 * read one after the other instead of merged through a heap.
 *
 * <p>A full chunk is sorted and written by a second thread while the parser fills the next one (the parser
 * waits only when that thread is still busy with the chunk before): a large feed's parse and sort then
 * use both cores where they used one, for at most two chunks in memory.
 *
 * <p>The runs of a feed arriving in order are also offered, as soon as each is written, to a judge working
 * behind the parser ({@link #awaitRun}): each with the first and last read_at of every meter in it, so the
 * judge can fetch that run's registry slice and stored neighbours before it walks the run.
 *
 * <p>Why not let PostgreSQL sort: loading every reading into a staging table, sorting it and
 * reading it back cost about twice the time of this, on the path whose speed matters most.
 */
final class ExternalSort implements AutoCloseable {
    static final Comparator<ParsedReading> JUDGING_ORDER = (a, b) -> {
        int c = StoredNeighbourCursor.compareCodePoints(a.systemId(), b.systemId());
        if (c == 0) {
            c = StoredNeighbourCursor.compareCodePoints(a.meterSerial(), b.meterSerial());
        }
        if (c == 0) {
            c = a.readAt().compareTo(b.readAt());
        }
        return c != 0 ? c : Integer.compare(a.record(), b.record());
    };
    private static final int BUFFER = 1 << 16;

    private final Path dir;
    private final String prefix;
    private final int chunkSize;
    private List<ParsedReading> chunk = new ArrayList<>();
    private final List<Path> runs = new ArrayList<>();
    /** Sorts and writes full chunks beside the parser; created with the first run. */
    private ExecutorService spiller;
    /** The run being written, if any: waited for before the next one is handed over. */
    private Future<?> spilling;
    private final List<DataInputStream> open = new ArrayList<>();
    private ParsedReading last;
    /** Written by the parser, read by a judge waiting in {@link #awaitRun}. */
    private volatile boolean inOrder = true;
    /** Runs written from chunks that arrived in order, in feed order (guarded by {@code this}). */
    private final List<InOrderRun> inOrderRuns = new ArrayList<>();
    /** No run will be offered anymore: the parse ended, failed or was given up (guarded by {@code this}). */
    private boolean sealed;
    /** The run files are being removed: none is given out anymore (guarded by {@code this}). */
    private boolean closed;
    /** Readings added (the parser's own count), and the count a judge may read, published every 4,096. */
    private long added;
    private volatile long addedSoFar;

    ExternalSort(Path dir, String prefix, int chunkSize) {
        this.dir = dir;
        this.prefix = prefix;
        this.chunkSize = chunkSize;
    }

    void add(ParsedReading reading) throws IOException {
        if (inOrder && last != null && JUDGING_ORDER.compare(last, reading) > 0) {
            synchronized (this) {
                inOrder = false;
                notifyAll(); // a judge behind the parser stops at once
            }
        }
        last = reading;
        if ((++added & 0xFFF) == 0) {
            addedSoFar = added; // (a volatile write per reading would be a fence per reading on the hot path)
        }
        chunk.add(reading);
        if (chunk.size() >= chunkSize) {
            spillInBackground();
        }
    }

    /** Whether every reading so far came in judging order (nothing to sort, nothing to merge). */
    boolean arrivedInOrder() {
        return inOrder;
    }

    /** About how many readings were added so far, for progress (any thread may ask; behind by at most 4,095). */
    long added() {
        return addedSoFar;
    }

    /** A run of readings in judging order, written whole, and the span of each of its meters. */
    record InOrderRun(Path path, MeterSpans spans) {
        /** Its readings, in judging order; the caller closes the iterator's stream through {@code onClose}. */
        Iterator<ParsedReading> readings(List<AutoCloseable> onClose) throws IOException {
            DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(path), BUFFER));
            onClose.add(in);
            Run r = new Run(in);
            return concatenated(r.advance() ? List.of(r) : List.of());
        }
    }

    /**
     * Waits until run {@code i} of a feed arriving in order is written, and returns it; null once no such run
     * will come: the parse ended with fewer runs (the last one is written by {@link #sorted}, and offered then), or a
     * reading came out of order, or the parse failed or was given up (its run files are removed: a run already
     * given out may still be read, as the file stays readable while it is open). The runs are those of the readings so far: a
     * reading out of order later, or a schema violation, still makes the feed's judging start over.
     */
    InOrderRun awaitRun(int i) throws InterruptedException {
        synchronized (this) {
            while (inOrderRuns.size() <= i && !sealed && inOrder) {
                wait();
            }
            return inOrder && !closed && inOrderRuns.size() > i ? inOrderRuns.get(i) : null;
        }
    }

    /** No run is offered after this; a judge waiting in {@link #awaitRun} goes on. */
    synchronized void seal() {
        sealed = true;
        notifyAll();
    }

    /** All readings added, in judging order; call once, after the last {@link #add}. */
    Iterator<ParsedReading> sorted() throws IOException {
        if (!inOrder) {
            chunk.sort(JUDGING_ORDER);
        }
        if (runs.isEmpty()) {
            seal();
            return chunk.iterator();
        }
        awaitSpill();
        if (!chunk.isEmpty()) { // (a feed of whole chunks has no last run)
            Path lastRun = nextRun();
            offer(lastRun, writeRun(chunk, lastRun, inOrder));
        }
        seal();
        chunk = new ArrayList<>();
        List<Run> heads = new ArrayList<>();
        for (Path run : runs) {
            DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(run), BUFFER));
            open.add(in);
            Run r = new Run(in);
            if (r.advance()) {
                heads.add(r);
            }
        }
        return inOrder ? concatenated(heads) : merged(heads);
    }

    /** Runs of a feed that arrived in order follow one another: read them one after the other. */
    private static Iterator<ParsedReading> concatenated(List<Run> runs) {
        return new Iterator<>() {
            private int current;

            @Override
            public boolean hasNext() {
                return current < runs.size();
            }

            @Override
            public ParsedReading next() {
                if (current >= runs.size()) {
                    throw new NoSuchElementException();
                }
                Run r = runs.get(current);
                ParsedReading out = r.head;
                if (!r.advance()) {
                    current++;
                }
                return out;
            }
        };
    }

    private static Iterator<ParsedReading> merged(List<Run> runs) {
        PriorityQueue<Run> heads = new PriorityQueue<>((x, y) -> JUDGING_ORDER.compare(x.head, y.head));
        heads.addAll(runs);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return !heads.isEmpty();
            }

            @Override
            public ParsedReading next() {
                Run r = heads.poll();
                if (r == null) {
                    throw new NoSuchElementException();
                }
                ParsedReading out = r.head;
                if (r.advance()) {
                    heads.add(r);
                }
                return out;
            }
        };
    }

    /**
     * Hands the full chunk to the spilling thread and starts a new one. Readings only ever join the chunk
     * being filled, so the thread owns the one it was given; whether to sort it is decided now (every
     * reading so far in order means this chunk is in order too).
     */
    private void spillInBackground() throws IOException {
        awaitSpill();
        List<ParsedReading> full = chunk;
        boolean sort = !inOrder;
        Path run = nextRun();
        chunk = new ArrayList<>(chunkSize);
        if (spiller == null) {
            spiller = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "sort-" + prefix);
                t.setDaemon(true);
                return t;
            });
        }
        spilling = spiller.submit(() -> {
            if (sort) {
                full.sort(JUDGING_ORDER);
            }
            offer(run, writeRun(full, run, !sort));
            return null;
        });
    }

    /** Offers a run written from readings in order to a judge behind the parser. */
    private synchronized void offer(Path run, MeterSpans spans) {
        if (spans != null && inOrder) {
            inOrderRuns.add(new InOrderRun(run, spans));
            notifyAll();
        }
    }

    /** Waits for the run being written; its failure is the feed's. */
    private void awaitSpill() throws IOException {
        if (spilling == null) {
            return;
        }
        try {
            spilling.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while a sorted run was written", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException("writing a sorted run failed", e.getCause());
        } finally {
            spilling = null;
        }
    }

    private Path nextRun() throws IOException {
        Files.createDirectories(dir);
        Path run = dir.resolve(prefix + ".run" + runs.size());
        runs.add(run);
        return run;
    }

    /**
     * Writes a run; for readings in order, also returns each meter's span in it (consecutive readings of a meter
     * make one span, so this costs a comparison per reading), else null.
     */
    private static MeterSpans writeRun(List<ParsedReading> readings, Path run, boolean ordered) throws IOException {
        MeterSpans spans = ordered ? new MeterSpans() : null;
        ParsedReading first = null;
        ParsedReading previous = null;
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(run), BUFFER))) {
            for (ParsedReading r : readings) {
                if (ordered) {
                    if (first == null) {
                        first = r;
                    } else if (!r.meterSerial().equals(previous.meterSerial()) || !r.systemId().equals(previous.systemId())) {
                        spans.add(first.systemId(), first.meterSerial(), first.readAt(), previous.readAt());
                        first = r;
                    }
                    previous = r;
                }
                out.writeInt(r.record());
                out.writeInt(r.line());
                out.writeUTF(r.systemId());
                out.writeUTF(r.meterSerial());
                out.writeLong(r.readAt().getEpochSecond());
                out.writeInt(r.readAt().getNano());
                // registers have at most 15 integer digits and 3 decimals: the unscaled value fits in a long
                out.writeLong(r.registerKwh().unscaledValue().longValueExact());
                out.writeByte(r.registerKwh().scale());
            }
        }
        if (first != null) {
            spans.add(first.systemId(), first.meterSerial(), first.readAt(), previous.readAt());
        }
        return spans;
    }

    private static final class Run {
        private final DataInputStream in;
        private ParsedReading head;
        // consecutive readings of one meter share their ids: one String each, not one per reading
        private String system = "";
        private String meter = "";

        Run(DataInputStream in) {
            this.in = in;
        }

        boolean advance() {
            try {
                int record;
                try {
                    record = in.readInt();
                } catch (EOFException end) {
                    return false;
                }
                int line = in.readInt();
                String s = in.readUTF();
                String m = in.readUTF();
                system = s.equals(system) ? system : s;
                meter = m.equals(meter) ? meter : m;
                Instant at = Instant.ofEpochSecond(in.readLong(), in.readInt());
                BigDecimal kwh = BigDecimal.valueOf(in.readLong(), in.readByte());
                head = new ParsedReading(record, line, system, meter, at, kwh);
                return true;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public void close() throws IOException {
        synchronized (this) {
            closed = true;
        }
        seal();
        if (spiller != null) {
            // A feed given up half-way (a schema violation) may still have a run being written.
            spiller.shutdownNow();
            try {
                spiller.awaitTermination(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (DataInputStream in : open) {
            in.close();
        }
        for (Path run : runs) {
            Files.deleteIfExists(run);
        }
    }
}
