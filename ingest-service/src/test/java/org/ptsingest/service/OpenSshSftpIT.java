package org.ptsingest.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A provider's whole experience with the stock OpenSSH client: ops register its key over HTTPS, it
 * uploads with {@code sftp}, and fetches its receipt back the same way.
 */
class OpenSshSftpIT extends IngestItSupport {

    @TempDir
    Path tmp;

    @Test
    void providerUploadsWithOpenSshAndReadsItsReceiptBack() throws Exception {
        loadSampleRegistry();
        Path key = tmp.resolve("id_ed25519");
        OpenSshClient.keygen(key, "sunwatch@it");
        HttpResponse<String> put = send(asOps("/api/v1/providers/sunwatch/ssh-keys")
                .header("Content-Type", "text/plain")
                .PUT(HttpRequest.BodyPublishers.ofFile(tmp.resolve("id_ed25519.pub"))).build());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        assertThat(put.body()).contains("SHA256:");

        Path feed = SAMPLES.resolve("csv-v1/sunwatch/01-baseline.csv").toAbsolutePath();
        String upload = sftp(key, "sunwatch", "put " + feed + " inbox/baseline.csv.part\n"
                + "rename inbox/baseline.csv.part inbox/baseline.csv\n");
        assertThat(upload).doesNotContain("denied");

        Path local = tmp.resolve("receipt.json");
        // the provider's own client fetches the receipt until it is there
        await("receipt fetched with sftp").atMost(java.time.Duration.ofSeconds(60))
                .pollInterval(java.time.Duration.ofMillis(500)).until(() -> {
                    sftp(key, "sunwatch", "-get receipts/baseline.csv.receipt.json " + local + "\n");
                    return Files.exists(local);
                });
        JsonNode receipt = JSON.readTree(Files.readString(local));
        assertValidReceipt(receipt);
        assertThat(receipt.get("status").asText()).isEqualTo("ACCEPTED");
        assertThat(receipt.get("file_name").asText()).isEqualTo("baseline.csv");

        // The provider sees only its own inbox and receipts; the inbox is empty again (the route removes the feed a
        // moment after writing its receipt).
        await("the feed left the inbox").atMost(java.time.Duration.ofSeconds(30))
                .until(() -> !Files.exists(providerDir("sunwatch").resolve("inbox/baseline.csv")));
        String listing = sftp(key, "sunwatch", "ls -1 /\nls -1 /..\nls -1 inbox\n");
        assertThat(listing.lines().filter(l -> !l.startsWith("sftp>")).map(String::strip).toList())
                .containsExactly("/inbox", "/quarantine", "/receipts", "/../inbox", "/../quarantine", "/../receipts");

        // A key registered for sunwatch does not open another provider's drop box.
        Process other = new ProcessBuilder(List.of("sftp", "-b", "-", "-i", key.toString(), "-P", String.valueOf(properties.sftp().port()),
                "-o", "UserKnownHostsFile=" + properties.knownHosts().toAbsolutePath(), "-o", "BatchMode=yes",
                "-o", "StrictHostKeyChecking=yes", "gridsense@localhost")).redirectErrorStream(true).start();
        other.getOutputStream().close();
        assertThat(other.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(other.exitValue()).isNotZero();
    }

    /**
     * A name the service could not take (its download's work file must fit a 255-byte file name) is refused at upload, directly or by a rename, so the provider knows at once; one just short enough is taken and
     * answered (FILE_NAME_NOT_ALLOWED: longer than 128 characters).
     */
    @Test
    void aNameTooLongToAnswerIsRefusedAtUpload() throws Exception {
        loadSampleRegistry();
        Path key = tmp.resolve("id_ed25519");
        OpenSshClient.keygen(key, "sunwatch@it");
        assertThat(send(asOps("/api/v1/providers/sunwatch/ssh-keys").header("Content-Type", "text/plain")
                .PUT(HttpRequest.BodyPublishers.ofFile(tmp.resolve("id_ed25519.pub"))).build()).statusCode())
                .isEqualTo(200);
        Path feed = SAMPLES.resolve("csv-v1/sunwatch/01-baseline.csv").toAbsolutePath();
        String tooLong = "b".repeat(240) + ".csv";
        // 30 CJK characters are 90 bytes, 270 characters as the service reads them (each byte percent-encoded)
        String cjk = "\u65e5".repeat(30) + ".csv";
        String shortEnough = "a".repeat(196) + ".csv";
        String out = sftp(key, "sunwatch", "-put " + feed + " inbox/" + tooLong + "\n"
                + "-put " + feed + " inbox/" + cjk + "\n"
                + "-put " + feed + " inbox/upload.part\n"
                + "-rename inbox/upload.part inbox/" + tooLong + "\n"
                + "-put " + feed + " inbox/" + shortEnough + "\n");
        assertThat(out.lines().filter(l -> l.contains("Permission denied"))).hasSize(3);
        JsonNode receipt = awaitReceipt("sunwatch", org.ptsingest.feed.FeedFileName.safe(shortEnough));
        assertThat(receipt.at("/rejection/code").asText()).isEqualTo("FILE_NAME_NOT_ALLOWED");
        try (var inbox = Files.list(providerDir("sunwatch").resolve("inbox"))) {
            assertThat(inbox.map(p -> p.getFileName().toString())).containsOnly("upload.part");
        }
    }

    private String sftp(Path key, String user, String batch) throws Exception {
        return new OpenSshClient(key, properties).batch(user, batch).output();
    }
}
