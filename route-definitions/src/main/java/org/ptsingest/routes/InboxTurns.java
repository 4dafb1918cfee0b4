package org.ptsingest.routes;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;
import org.apache.camel.component.file.remote.RemoteFilePollingConsumerPollStrategy;
import org.ptsingest.feed.Echo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the inbox route take providers' files in turns, so that one provider's flood does not hold another
 * provider's feed until it is through. The route's consumer walks every provider's inbox in one poll and
 * judges the files of that poll one after another; without this, in modification-time order whoever sent
 * them, so a provider that dropped a thousand files held everybody else's receipts for a thousand judges.
 *
 * <p>Three hooks of Camel's file consumer, one object:
 * <ul>
 *   <li>as its {@code filter}, it never takes a file under an {@linkplain #uploadName upload name}, and takes
 *       at most {@code perProvider} files of each provider per poll, the
 *       provider's oldest as the previous poll listed them (a file the previous poll did not list, such
 *       as the whole of a burst dropped between two polls, counts as newest). The rest stay in the inbox
 *       unclaimed, and the route polls again at once while there is work ({@code greedy}), so a file
 *       another provider drops meanwhile waits for the rest of the poll under way (at most {@code perProvider}
 *       files of each busy provider), then for one turn of the next;</li>
 *   <li>as its {@code sorter}, it orders a poll's files in turns: every provider's oldest, then every
 *       provider's second, and so on; within a turn, oldest first;</li>
 *   <li>as its {@code pollStrategy}, it learns where one poll ends and the next begins (and, as the SFTP
 *       consumer's own strategy does, drops the connection after a failed poll, so the next one starts from
 *       a fresh session rather than from a working directory that may have vanished).</li>
 * </ul>
 * Decisions are made on the consumer's one polling thread; the methods are synchronized all the same.
 */
public final class InboxTurns extends RemoteFilePollingConsumerPollStrategy
        implements GenericFileFilter<Object>, Comparator<GenericFile<Object>> {
    /** The bean name the inbox endpoint refers to (as filter, sorter and poll strategy). */
    public static final String BEAN = "inboxTurns";
    private static final Logger log = LoggerFactory.getLogger(InboxTurns.class);
    /** Files left for a name too long, each warned about once (bounded: cleared past 10,000). */
    private final Set<String> tooLong = new HashSet<>();

    private record Listed(String path, long modified) {
        static final Comparator<Listed> OLDEST_FIRST =
                Comparator.comparingLong(Listed::modified).thenComparing(Listed::path);
    }

    private final GenericFileFilter<Object> files;
    private final int perProvider;
    /** Each provider's files the previous poll listed and left in the inbox, oldest first. */
    private Map<String, List<Listed>> previous = Map.of();
    /** Each provider's files this poll listed (whether taken or not). */
    private Map<String, List<Listed>> listing = new HashMap<>();
    /** Each provider's files this poll took. */
    private Map<String, List<Listed>> taken = new HashMap<>();
    /** Turn of each file of this poll, computed at the first comparison. */
    private Map<String, Integer> turns;

    /**
     * @param files decides which entries are files that may be taken at all (not being uploaded, regular)
     * @param perProvider the most files of one provider a poll takes
     */
    public InboxTurns(GenericFileFilter<Object> files, int perProvider) {
        if (perProvider < 1) {
            throw new IllegalArgumentException("files per provider per poll must be at least 1, is " + perProvider);
        }
        this.files = files;
        this.perProvider = perProvider;
    }

    @Override
    public synchronized boolean begin(Consumer consumer, Endpoint endpoint) {
        // What the last poll listed and did not take is still there (or was taken by another instance, which
        // only makes a later file of that provider wait one poll longer).
        Map<String, List<Listed>> left = new HashMap<>();
        listing.forEach((provider, listed) -> {
            List<Listed> remaining = new ArrayList<>(listed);
            remaining.removeAll(taken.getOrDefault(provider, List.of()));
            remaining.sort(Listed.OLDEST_FIRST);
            left.put(provider, remaining);
        });
        previous = left;
        listing = new HashMap<>();
        taken = new HashMap<>();
        turns = null;
        return super.begin(consumer, endpoint);
    }

    @Override
    public synchronized boolean accept(GenericFile<Object> file) {
        if (!files.accept(file)) {
            return false;
        }
        String[] path = file.getRelativeFilePath().split("/");
        if (file.isDirectory() || path.length != 3 || !path[1].equals("inbox")) {
            // Camel asks this filter before its antInclude (*/inbox/*): receipts and quarantined files come here too
            return true;
        }
        String provider = path[0];
        if (uploadName(path[2])) {
            // never taken, so never counted: five abandoned uploads must not hold the provider's real files
            return false;
        }
        if (path[2].getBytes(StandardCharsets.UTF_8).length > SftpFileNames.MAX_SEEN_LENGTH) {
            // Only an external server lets such a name in (the embedded drop box refuses it at upload). Camel could
            // not download it (its work file's name would pass 255 bytes) and would try at every poll: left, said once.
            if (tooLong.size() > 10_000) {
                tooLong.clear();
            }
            if (tooLong.add(file.getRelativeFilePath())) {
                log.warn("{}: the file name is longer than {} bytes; the file is left in the inbox, unanswered "
                        + "(ask the provider to rename it)", Echo.quote(file.getRelativeFilePath()),
                        SftpFileNames.MAX_SEEN_LENGTH);
            }
            return false;
        }
        Listed listed = new Listed(file.getRelativeFilePath(), file.getLastModified());
        listing.computeIfAbsent(provider, p -> new ArrayList<>()).add(listed);
        List<Listed> ofProvider = taken.computeIfAbsent(provider, p -> new ArrayList<>());
        if (ofProvider.size() >= perProvider || olderLeftLastTime(provider, listed) >= perProvider) {
            return false;
        }
        ofProvider.add(listed);
        return true;
    }

    /** How many of the provider's files the previous poll listed and left are older than this one. */
    private int olderLeftLastTime(String provider, Listed file) {
        // a binary search: a flood of ten thousand files is listed whole at every poll
        int at = Collections.binarySearch(previous.getOrDefault(provider, List.of()), file, Listed.OLDEST_FIRST);
        return at >= 0 ? at : -at - 1;
    }

    @Override
    public synchronized int compare(GenericFile<Object> a, GenericFile<Object> b) {
        if (turns == null) {
            turns = new HashMap<>();
            taken.values().forEach(ofProvider -> {
                List<Listed> oldestFirst = new ArrayList<>(ofProvider);
                oldestFirst.sort(Listed.OLDEST_FIRST);
                for (int i = 0; i < oldestFirst.size(); i++) {
                    turns.put(oldestFirst.get(i).path(), i);
                }
            });
        }
        int c = Integer.compare(turn(a), turn(b));
        if (c == 0) {
            c = Long.compare(a.getLastModified(), b.getLastModified());
        }
        return c != 0 ? c : a.getRelativeFilePath().compareTo(b.getRelativeFilePath());
    }

    private int turn(GenericFile<Object> file) {
        // a file this poll did not take through accept (none should reach the sorter) goes last
        return turns.getOrDefault(file.getRelativeFilePath(), Integer.MAX_VALUE);
    }

    /**
     * A name a file has while it is being uploaded (upload under it, then rename): hidden ({@code .*}),
     * {@code *.part}, {@code *.tmp}, {@code *.filepart}. The inbox never takes such a file.
     */
    public static boolean uploadName(String fileName) {
        return fileName.startsWith(".") || fileName.endsWith(".part") || fileName.endsWith(".tmp")
                || fileName.endsWith(".filepart");
    }
}
