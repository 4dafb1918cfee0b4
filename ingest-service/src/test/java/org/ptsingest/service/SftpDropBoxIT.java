package org.ptsingest.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.ptsingest.service.persistence.jooq.Tables.READING;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.ptsingest.feed.FeedFileName;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * The drop box as a hostile or careless provider uses it, files put straight onto the server's disk
 * (as a host user or an external SFTP server would): one provider's junk does not stop another's
 * feeds, every file name gets an answer, and new bytes under an old name, size and mtime are judged.
 */
@ExtendWith(OutputCaptureExtension.class)
class SftpDropBoxIT extends IngestItSupport {
    static final String FEED = "system_id,meter_serial,read_at,register_kwh\n"
            + "MA-1001,SN-1001-A,2025-01-01T00:00:00-05:00,10000.000\n";

    @BeforeEach
    void registry() throws Exception {
        loadSampleRegistry();
    }

    @Test
    void oneProvidersLinksLoopsAndSpecialFilesDoNotStopAnothersFeeds() throws Exception {
        Path junk = Files.createDirectories(providerDir("gridsense").resolve("inbox"));
        Files.createSymbolicLink(junk.resolve("dangling.csv"), Path.of("/nonexistent/feed.csv"));
        Files.createSymbolicLink(junk.resolve("loop-a.csv"), Path.of("loop-b.csv"));
        Files.createSymbolicLink(junk.resolve("loop-b.csv"), Path.of("loop-a.csv"));
        Files.createSymbolicLink(junk.resolve("passwd.csv"), Path.of("/etc/passwd"));
        Files.createDirectories(junk.resolve("folder.csv"));
        Process fifo = new ProcessBuilder("mkfifo", junk.resolve("pipe.csv").toString()).start();
        assertThat(fifo.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(fifo.exitValue()).isZero();

        JsonNode other = ingest("sunwatch", "csv-v1/sunwatch/01-baseline.csv");
        assertThat(other.get("status").asText()).isEqualTo("ACCEPTED");
        // the provider with the junk still gets its own regular files answered
        drop("gridsense", write("own.csv", FEED), "own.csv");
        assertThat(awaitReceipt("gridsense", "own.csv").get("provider_id").asText()).isEqualTo("gridsense");
        // the junk was never taken (nor answered): links and special files are not feeds
        try (Stream<Path> receipts = Files.list(providerDir("gridsense").resolve("receipts"))) {
            assertThat(receipts.map(p -> p.getFileName().toString())).containsExactly("own.csv.receipt.json");
        }
        assertThat(junk.resolve("passwd.csv")).isSymbolicLink();
    }

    static Stream<String> namesNotAllowed() {
        return Stream.of("back\\slash.csv", "double\"quote.csv", "single'quote.csv",
                "evil\nFORGED feed 1 from sunwatch (SFTP x.csv, 1 bytes): ACCEPTED.csv",
                "z\u00e4hlerst\u00e4nde-\u65e5\u672c.csv", "l".repeat(196) + ".csv");
    }

    @ParameterizedTest
    @MethodSource("namesNotAllowed")
    void aNameNotAllowedIsAnsweredUnderItsSafeNameAndNeverForgesALogLine(String name, CapturedOutput output)
            throws Exception {
        drop("sunwatch", write("named.csv", FEED), name);
        String safe = FeedFileName.safe(name);
        JsonNode receipt = awaitReceipt("sunwatch", safe);
        assertThat(receipt.get("status").asText()).isEqualTo("REJECTED");
        assertThat(receipt.get("rejection").get("code").asText()).isEqualTo("FILE_NAME_NOT_ALLOWED");
        assertThat(dsl.fetchCount(READING)).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> inboxFiles("sunwatch").isEmpty());
        assertThat(output.getAll().lines()).noneMatch(line -> line.startsWith("FORGED"));
    }

    /**
     * A name too long to download (only an external server lets one in; the embedded one refuses it at upload,
     * OpenSshSftpIT) stays in the inbox, said once in the log, while the provider's other files are judged: Camel
     * failed its download at every poll, flooding the log.
     */
    @Test
    void aNameTooLongToDownloadIsLeftAndSaidOnceWhileTheOtherFilesAreJudged(CapturedOutput output) throws Exception {
        // 246 characters: Camel's work file would be 257 (".inprogress"), past the 255 a file name may have
        String tooLong = "b".repeat(242) + ".csv";
        drop("sunwatch", write("long-name.csv", FEED), tooLong);
        drop("sunwatch", write("first.csv", FEED), "first.csv");
        assertThat(awaitReceipt("sunwatch", "first.csv").get("status").asText()).isEqualTo("ACCEPTED");
        // a later poll (the same bytes again: answered DUPLICATE_FEED) passes the file by without a word
        drop("sunwatch", write("second.csv", FEED), "second.csv");
        awaitReceipt("sunwatch", "second.csv");

        assertThat(inboxFiles("sunwatch").stream().map(f -> f.getFileName().toString())).contains(tooLong);
        assertThat(output.getAll().lines().filter(l -> l.contains("the file name is longer than 200 bytes")))
                .hasSize(1);
        assertThat(output.getAll()).doesNotContain("File name too long");
    }

    @Test
    void aNameOfTheMaximumLengthIsAllowed() throws Exception {
        String name = "m".repeat(FeedFileName.MAX_LENGTH - 4) + ".csv";
        drop("sunwatch", write("long.csv", FEED), name);
        assertThat(awaitReceipt("sunwatch", name).get("status").asText()).isEqualTo("ACCEPTED");
    }

    @Test
    void newBytesUnderTheSameNameSizeAndModificationTimeAreJudged() throws Exception {
        String second = FEED.replace("2025-01-01", "2025-02-01").replace("10000.000", "10500.000");
        assertThat(second.length()).isEqualTo(FEED.length());
        FileTime mtime = FileTime.from(Instant.parse("2025-06-01T12:00:00Z"));

        dropWithMtime("sunwatch", FEED, "june.csv", mtime);
        JsonNode first = awaitReceipt("sunwatch", "june.csv");
        assertThat(first.get("status").asText()).isEqualTo("ACCEPTED");
        long firstFeed = first.get("feed_id").asLong();

        dropWithMtime("sunwatch", second, "june.csv", mtime);
        JsonNode again = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> receiptIfPresent("sunwatch", "june.csv"),
                        r -> r != null && r.get("feed_id").asLong() != firstFeed);
        assertValidReceipt(again);
        assertThat(again.get("status").asText()).isEqualTo("ACCEPTED");
        assertThat(again.get("sha256").asText()).isNotEqualTo(first.get("sha256").asText());
        assertThat(dsl.fetchCount(READING, READING.READ_AT.eq(OffsetDateTime.parse("2025-02-01T00:00:00-05:00"))))
                .isEqualTo(1);
        assertThat(dsl.fetchCount(READING)).isEqualTo(2);
    }

    @Test
    void aDirectoryWhereTheReceiptMustGoGetsTheReceiptWrittenBesideItOnce() throws Exception {
        Path obstacle = Files.createDirectories(providerDir("sunwatch").resolve("receipts/blocked.csv.receipt.json"));
        Files.writeString(obstacle.resolve("inside.txt"), "not a receipt");
        drop("sunwatch", write("blocked.csv", FEED), "blocked.csv");

        Path receipts = providerDir("sunwatch").resolve("receipts");
        Path written = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    try (Stream<Path> s = Files.list(receipts)) {
                        return s.filter(p -> p.getFileName().toString().matches("blocked\\.csv\\.feed-\\d+\\.receipt\\.json"))
                                .findFirst().orElse(null);
                    }
                }, p -> p != null);
        JsonNode receipt = JSON.readTree(Files.readString(written));
        assertValidReceipt(receipt);
        assertThat(written.getFileName().toString())
                .isEqualTo("blocked.csv.feed-" + receipt.get("feed_id").asLong() + ".receipt.json");
        await().atMost(Duration.ofSeconds(10)).until(() -> inboxFiles("sunwatch").isEmpty());
        assertThat(obstacle.resolve("inside.txt")).exists();
    }

    /**
     * A provider's client that opens a session per file and never closes them held sockets and threads without
     * limit. Past {@code ingest.sftp.max-sessions-per-provider} (8) it is hung up on, logged; another provider
     * logs in meanwhile, and the provider itself again once it closes one.
     */
    @Test
    void aProviderPastItsSessionCapIsTurnedAwayWhileAnotherLogsIn(@org.junit.jupiter.api.io.TempDir Path tmp,
            CapturedOutput output) throws Exception {
        java.security.KeyPair sunwatch = registeredKey("sunwatch", tmp);
        java.security.KeyPair gridsense = registeredKey("gridsense", tmp);
        int max = properties.sftp().maxSessionsPerProvider();
        assertThat(max).isEqualTo(8);
        List<org.apache.sshd.client.session.ClientSession> open = new java.util.ArrayList<>();
        try (var client = org.apache.sshd.client.SshClient.setUpDefaultClient()) {
            client.setServerKeyVerifier(new org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier(
                    org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier.INSTANCE, properties.knownHosts()));
            client.start();
            for (int i = 0; i < max; i++) {
                open.add(logIn(client, "sunwatch", sunwatch));
            }
            assertThatThrownBy(() -> logIn(client, "sunwatch", sunwatch)).as("session " + (max + 1));
            assertThat(output.getOut()).contains("SFTP login of sunwatch turned away: it has 8 sessions open already");
            // another provider is not held up by it
            try (var other = logIn(client, "gridsense", gridsense)) {
                assertThat(other.isAuthenticated()).isTrue();
            }
            // one closed, one more may open
            open.remove(0).close();
            await("the closed session gone").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                try (var again = logIn(client, "sunwatch", sunwatch)) {
                    assertThat(again.isAuthenticated()).isTrue();
                }
            });
        } finally {
            for (var session : open) {
                session.close();
            }
        }
    }

    private java.security.KeyPair registeredKey(String provider, Path tmp) throws Exception {
        java.security.KeyPair key = org.ptsingest.service.sftp.SshKeys.loadOrGenerate(tmp.resolve(provider), provider);
        var put = send(asOps("/api/v1/providers/" + provider + "/ssh-keys").header("Content-Type", "text/plain")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(
                        org.apache.sshd.common.config.keys.PublicKeyEntry.toString(key.getPublic()))).build());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        return key;
    }

    private org.apache.sshd.client.session.ClientSession logIn(org.apache.sshd.client.SshClient client, String user,
            java.security.KeyPair key) throws Exception {
        var session = client.connect(user, "localhost", properties.sftp().port()).verify(Duration.ofSeconds(10))
                .getSession();
        try {
            session.addPublicKeyIdentity(key);
            session.auth().verify(Duration.ofSeconds(10));
            return session;
        } catch (Exception e) {
            session.close();
            throw e;
        }
    }

    private void dropWithMtime(String provider, String content, String name, FileTime mtime) throws Exception {
        Path inbox = Files.createDirectories(providerDir(provider).resolve("inbox"));
        Path part = inbox.resolve(name + ".part");
        Files.writeString(part, content, StandardCharsets.UTF_8);
        Files.setLastModifiedTime(part, mtime);
        awaitNameFree(inbox.resolve(name));
        Files.move(part, inbox.resolve(name));
    }

    private JsonNode receiptIfPresent(String provider, String fileName) throws Exception {
        Path receipt = providerDir(provider).resolve("receipts").resolve(fileName + ".receipt.json");
        return Files.exists(receipt) ? JSON.readTree(Files.readString(receipt, StandardCharsets.UTF_8)) : null;
    }

    private List<Path> inboxFiles(String provider) throws Exception {
        try (Stream<Path> s = Files.list(providerDir(provider).resolve("inbox"))) {
            return s.toList();
        }
    }

    private static Path write(String name, String content) throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "it-feeds"));
        return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
    }
}
