package org.ptsingest.service.sftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ptsingest.service.sftp.DropBoxRights.Kind.DIRECTORY;
import static org.ptsingest.service.sftp.DropBoxRights.Kind.FILE;
import static org.ptsingest.service.sftp.DropBoxRights.Kind.NONE;
import static org.ptsingest.service.sftp.DropBoxRights.Kind.OTHER;
import static org.ptsingest.service.sftp.DropBoxRights.Place.ELSEWHERE;
import static org.ptsingest.service.sftp.DropBoxRights.Place.HOME;
import static org.ptsingest.service.sftp.DropBoxRights.Place.INBOX;
import static org.ptsingest.service.sftp.DropBoxRights.Place.QUARANTINE;
import static org.ptsingest.service.sftp.DropBoxRights.Place.IN_INBOX;
import static org.ptsingest.service.sftp.DropBoxRights.Place.IN_QUARANTINE;
import static org.ptsingest.service.sftp.DropBoxRights.Place.IN_RECEIPTS;
import static org.ptsingest.service.sftp.DropBoxRights.Place.RECEIPTS;

import org.junit.jupiter.api.Test;

class DropBoxRightsTest {

    @Test
    void placesInAProvidersView() {
        assertThat(DropBoxRights.place("/")).isEqualTo(HOME);
        assertThat(DropBoxRights.place("/inbox")).isEqualTo(INBOX);
        assertThat(DropBoxRights.place("/inbox/")).isEqualTo(INBOX);
        assertThat(DropBoxRights.place("/receipts")).isEqualTo(RECEIPTS);
        assertThat(DropBoxRights.place("/inbox/june.csv")).isEqualTo(IN_INBOX);
        assertThat(DropBoxRights.place("/receipts/june.csv.receipt.json")).isEqualTo(IN_RECEIPTS);
        assertThat(DropBoxRights.place("/inbox/sub/june.csv")).isEqualTo(ELSEWHERE);
        assertThat(DropBoxRights.place("/june.csv")).isEqualTo(ELSEWHERE);
        assertThat(DropBoxRights.place("/inboxes/june.csv")).isEqualTo(ELSEWHERE);
    }

    @Test
    void onlyRegularFilesDirectlyInTheInboxAreTheProvidersToChange() {
        assertThat(DropBoxRights.mayWrite(IN_INBOX, NONE)).isTrue();
        assertThat(DropBoxRights.mayWrite(IN_INBOX, FILE)).isTrue();
        assertThat(DropBoxRights.mayWrite(IN_INBOX, DIRECTORY)).isFalse();
        assertThat(DropBoxRights.mayWrite(IN_INBOX, OTHER)).isFalse();
        assertThat(DropBoxRights.mayWrite(IN_RECEIPTS, NONE)).isFalse();
        assertThat(DropBoxRights.mayWrite(IN_RECEIPTS, FILE)).isFalse();
        assertThat(DropBoxRights.mayWrite(HOME, NONE)).isFalse();
        assertThat(DropBoxRights.mayRemove(IN_INBOX, FILE)).isTrue();
        assertThat(DropBoxRights.mayRemove(IN_RECEIPTS, FILE)).isFalse();
        assertThat(DropBoxRights.mayRemove(INBOX, DIRECTORY)).isFalse();
        assertThat(DropBoxRights.mayRename(IN_INBOX, FILE, IN_INBOX, NONE)).isTrue();
        assertThat(DropBoxRights.mayRename(IN_INBOX, FILE, IN_RECEIPTS, NONE)).isFalse();
        assertThat(DropBoxRights.mayRename(IN_RECEIPTS, FILE, IN_INBOX, NONE)).isFalse();
        assertThat(DropBoxRights.mayRename(INBOX, DIRECTORY, ELSEWHERE, NONE)).isFalse();
    }

    /** The quarantine folder is the service's to write; the provider may read it and delete what it holds. */
    @Test
    void quarantinedFilesMayBeDeletedButNotWrittenOrRenamed() {
        assertThat(DropBoxRights.place("/quarantine")).isEqualTo(QUARANTINE);
        assertThat(DropBoxRights.place("/quarantine/june.csv.error.json")).isEqualTo(IN_QUARANTINE);
        assertThat(DropBoxRights.mayRemove(IN_QUARANTINE, FILE)).isTrue();
        assertThat(DropBoxRights.mayRemove(IN_QUARANTINE, DIRECTORY)).isFalse();
        assertThat(DropBoxRights.mayRemove(QUARANTINE, DIRECTORY)).isFalse();
        assertThat(DropBoxRights.mayWrite(IN_QUARANTINE, NONE)).isFalse();
        assertThat(DropBoxRights.mayWrite(IN_QUARANTINE, FILE)).isFalse();
        assertThat(DropBoxRights.mayRename(IN_QUARANTINE, FILE, IN_INBOX, NONE))
                .as("moving a quarantined file back into the inbox is uploading it again").isFalse();
        assertThat(DropBoxRights.mayRename(IN_INBOX, FILE, IN_QUARANTINE, NONE)).isFalse();
    }
}
