package org.ptsingest.service.sftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.component.file.GenericFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the inbox route may take at once, from what the embedded server saw of an upload. */
class UploadsInProgressTest {
    UploadsInProgress uploads = new UploadsInProgress("ingest-service");
    AtomicInteger polls = new AtomicInteger();

    @BeforeEach
    void countPolls() {
        uploads.onUploadCompleted(polls::incrementAndGet);
    }

    static GenericFile<Object> listed(String path, long size) {
        GenericFile<Object> f = new GenericFile<>();
        f.setRelativeFilePath(path);
        f.setFileLength(size);
        return f;
    }

    @Test
    void anUploadUnderItsOwnNameIsWholeOnceClosedAtTheSizeListed() {
        uploads.writeOpened("acme/inbox/june.csv");
        assertThat(uploads.uploadedHere(listed("acme/inbox/june.csv", 0))).as("still open").isFalse();
        assertThat(uploads.accept(listed("acme/inbox/june.csv", 0))).as("skipped while open").isFalse();
        uploads.writeClosed("acme/inbox/june.csv", 44);
        assertThat(polls).hasValue(1);
        assertThat(uploads.uploadedHere(listed("acme/inbox/june.csv", 44))).isTrue();
        assertThat(uploads.uploadedHere(listed("acme/inbox/june.csv", 45))).as("other bytes since").isFalse();
    }

    @Test
    void anUploadUnderATemporaryNameAsksForAPollOnlyWhenRenamed() {
        uploads.writeOpened("acme/inbox/june.csv.part");
        uploads.writeClosed("acme/inbox/june.csv.part", 44);
        assertThat(polls).as("an upload name is never taken").hasValue(0);
        uploads.renamed("acme/inbox/june.csv.part", "acme/inbox/june.csv");
        assertThat(polls).hasValue(1);
        assertThat(uploads.uploadedHere(listed("acme/inbox/june.csv", 44))).isTrue();
        assertThat(uploads.uploadedHere(listed("acme/inbox/june.csv.part", 44))).isFalse();
    }

    @Test
    void aFileOpenedForWritingAgainOrRemovedIsNoLongerTrusted() {
        uploads.writeOpened("acme/inbox/june.csv");
        uploads.writeClosed("acme/inbox/june.csv", 44);
        uploads.writeOpened("acme/inbox/june.csv");
        assertThat(uploads.uploadedHere(listed("acme/inbox/june.csv", 44))).isFalse();
        uploads.writeClosed("acme/inbox/june.csv", 60);
        assertThat(uploads.uploadedHere(listed("acme/inbox/june.csv", 60))).isTrue();
        uploads.removed("acme/inbox/june.csv");
        // the same name and size again, put there behind the server's back: its mtime must age as an external file's
        assertThat(uploads.uploadedHere(listed("acme/inbox/june.csv", 60))).isFalse();
    }

    @Test
    void aFailedCloseAFileOutsideTheInboxAndATwoWriterFileAreNotTakenEarly() {
        uploads.writeOpened("acme/inbox/broken.csv");
        uploads.writeClosed("acme/inbox/broken.csv", -1);
        assertThat(uploads.uploadedHere(listed("acme/inbox/broken.csv", 0))).isFalse();

        uploads.writeOpened("acme/receipts/x.json");
        uploads.writeClosed("acme/receipts/x.json", 10);
        uploads.writeOpened("acme/inbox/sub/x.csv");
        uploads.writeClosed("acme/inbox/sub/x.csv", 10);
        assertThat(polls).hasValue(0);

        uploads.writeOpened("acme/inbox/twice.csv");
        uploads.writeOpened("acme/inbox/twice.csv");
        uploads.writeClosed("acme/inbox/twice.csv", 10);
        assertThat(uploads.uploadedHere(listed("acme/inbox/twice.csv", 10))).as("one writer still has it open").isFalse();
        uploads.writeClosed("acme/inbox/twice.csv", 12);
        assertThat(uploads.uploadedHere(listed("acme/inbox/twice.csv", 12))).isTrue();
    }
}
