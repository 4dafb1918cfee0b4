package org.ptsingest.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.component.file.GenericFile;
import org.junit.jupiter.api.Test;

/**
 * Polls of a simulated inbox walk: the entries in listing order go through {@link InboxTurns} as the
 * consumer's filter, the taken ones are sorted with it, and "judging" a file removes it from the inbox.
 */
class InboxTurnsTest {
    /** The inbox folders' files in listing order (the order a directory listing gives, not time order). */
    final Map<String, Long> inbox = new LinkedHashMap<>();

    void drop(String path, long modified) {
        inbox.put(path, modified);
    }

    /** One poll: what it takes, in the order it judges them; those are gone from the inbox afterwards. */
    List<String> poll(InboxTurns turns) {
        assertThat(turns.begin(null, null)).isTrue();
        List<GenericFile<Object>> taken = new ArrayList<>();
        GenericFile<Object> folder = file("acme/inbox", 0);
        folder.setDirectory(true);
        assertThat(turns.accept(folder)).isTrue();
        inbox.forEach((path, modified) -> {
            GenericFile<Object> f = file(path, modified);
            if (turns.accept(f)) {
                taken.add(f);
            }
        });
        taken.sort(turns);
        List<String> judged = taken.stream().map(GenericFile::getRelativeFilePath).toList();
        judged.forEach(inbox::remove);
        return judged;
    }

    static GenericFile<Object> file(String path, long modified) {
        GenericFile<Object> f = new GenericFile<>();
        f.setRelativeFilePath(path);
        f.setLastModified(modified);
        return f;
    }

    @Test
    void aPollsFilesAreJudgedInTurnsBetweenProvidersEachOnesOldestFirst() {
        drop("acme/inbox/a3.csv", 3_000);
        drop("zen/inbox/z1.csv", 10_000);
        drop("acme/inbox/a1.csv", 1_000);
        drop("bolt/inbox/b6.csv", 6_000);
        drop("acme/inbox/a2.csv", 2_000);
        drop("bolt/inbox/b5.csv", 5_000);

        assertThat(poll(new InboxTurns(f -> true, 5))).containsExactly(
                "acme/inbox/a1.csv", "bolt/inbox/b5.csv", "zen/inbox/z1.csv", // everyone's oldest, oldest first
                "acme/inbox/a2.csv", "bolt/inbox/b6.csv",
                "acme/inbox/a3.csv");
    }

    @Test
    void aPollTakesAtMostItsShareOfAProviderTheOldestThePreviousPollListed() {
        InboxTurns turns = new InboxTurns(f -> true, 3);
        long[] scrambled = {7, 2, 8, 1, 5, 3, 6, 4};
        for (long t : scrambled) {
            drop("acme/inbox/f" + t + ".csv", t * 1_000);
        }

        // the first poll has no earlier listing: it takes the first three listed (and judges them oldest first)
        assertThat(poll(turns)).containsExactly("acme/inbox/f2.csv", "acme/inbox/f7.csv", "acme/inbox/f8.csv");
        // from then on, the oldest three of what the previous poll listed and left
        assertThat(poll(turns)).containsExactly("acme/inbox/f1.csv", "acme/inbox/f3.csv", "acme/inbox/f4.csv");
        assertThat(poll(turns)).containsExactly("acme/inbox/f5.csv", "acme/inbox/f6.csv");
        assertThat(poll(turns)).isEmpty();
    }

    @Test
    void anotherProvidersFileDroppedDuringAFloodWaitsForOnePollOfIt() {
        InboxTurns turns = new InboxTurns(f -> true, 2);
        for (int i = 10; i < 30; i++) {
            drop("acme/inbox/flood-" + i + ".csv", i * 1_000L);
        }
        assertThat(poll(turns)).hasSize(2);

        drop("zen/inbox/june.csv", 99_000); // newer than every file of the flood
        assertThat(poll(turns)).containsExactly("acme/inbox/flood-12.csv", "zen/inbox/june.csv", "acme/inbox/flood-13.csv");
        assertThat(inbox).hasSize(16);
    }

    @Test
    void aFileLeftBecauseItFailedIsTakenAgainByALaterPoll() {
        InboxTurns turns = new InboxTurns(f -> true, 2);
        for (int i = 1; i <= 4; i++) {
            drop("acme/inbox/f" + i + ".csv", i * 1_000L);
        }
        assertThat(poll(turns)).containsExactly("acme/inbox/f1.csv", "acme/inbox/f2.csv");
        drop("acme/inbox/f1.csv", 1_000); // it could not be recorded (the database was down): it is still there

        // listed after f3 and f4 this time, and the previous poll did not leave it: it waits one poll
        assertThat(poll(turns)).containsExactly("acme/inbox/f3.csv", "acme/inbox/f4.csv");
        assertThat(poll(turns)).containsExactly("acme/inbox/f1.csv");
    }

    @Test
    void whatTheFileFilterRefusesIsNeverTakenNorCounted() {
        InboxTurns turns = new InboxTurns(f -> !f.getRelativeFilePath().contains("uploading"), 1);
        drop("acme/inbox/uploading.csv", 1_000);
        drop("acme/inbox/done.csv", 2_000);

        assertThat(poll(turns)).containsExactly("acme/inbox/done.csv");
    }

    @Test
    void onlyInboxFilesAreCountedTheRestIsLeftToTheRoutesOwnPatterns() {
        InboxTurns turns = new InboxTurns(f -> true, 1);
        drop("acme/receipts/may.csv.receipt.json", 1_000);
        drop("acme/quarantine/april.csv", 1_500);
        drop("acme/inbox/june.csv", 2_000);

        // Camel asks the filter before its antInclude, which keeps receipts and quarantine out of the inbox route
        assertThat(poll(turns)).containsExactlyInAnyOrder("acme/receipts/may.csv.receipt.json",
                "acme/quarantine/april.csv", "acme/inbox/june.csv");
    }

    @Test
    void filesUnderAnUploadNameAreNeverTakenNorCountedAgainstTheProvidersShare() {
        InboxTurns turns = new InboxTurns(f -> true, 2);
        for (String name : new String[] {".hidden.csv", "a.csv.part", "b.csv.tmp", "c.csv.filepart", "d.csv.part"}) {
            drop("acme/inbox/" + name, 1_000);
        }
        drop("acme/inbox/june.csv", 2_000);
        drop("acme/inbox/july.part.csv", 3_000);

        assertThat(poll(turns)).containsExactly("acme/inbox/june.csv", "acme/inbox/july.part.csv");
        assertThat(poll(turns)).isEmpty();
        assertThat(inbox).hasSize(5);
    }

    /** Only an external server lets such a name in: Camel could not download it, so it is left (said once). */
    @Test
    void aFileWhoseNameIsTooLongToDownloadIsLeftAndNotCountedAgainstTheShare() {
        InboxTurns turns = new InboxTurns(f -> true, 1);
        drop("acme/inbox/" + "b".repeat(250) + ".csv", 1_000);
        drop("acme/inbox/" + "\u00e9".repeat(101) + ".csv", 1_500); // 202 bytes of UTF-8
        String longest = "a".repeat(SftpFileNames.MAX_SEEN_LENGTH - 4) + ".csv";
        drop("acme/inbox/" + longest, 2_000);

        assertThat(poll(turns)).containsExactly("acme/inbox/" + longest);
        assertThat(poll(turns)).isEmpty();
    }

    @Test
    void aShareBelowOneIsRefused() {
        assertThatThrownBy(() -> new InboxTurns(f -> true, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1");
    }
}
