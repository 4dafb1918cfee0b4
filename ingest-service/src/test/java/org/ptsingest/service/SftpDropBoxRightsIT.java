package org.ptsingest.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A provider with the stock OpenSSH client may only put, rename and remove regular files in its
 * /inbox: every other change is refused with "Permission denied" (the session goes on), and nothing
 * changes on disk. Receipts are the service's record: readable, never writable.
 */
class SftpDropBoxRightsIT extends IngestItSupport {
    static final String RECEIPT = "{\"receipt_version\":\"1\"}";

    @TempDir
    Path tmp;

    OpenSshClient sftp;
    Path home;
    Path local;

    @BeforeEach
    void provider() throws Exception {
        loadSampleRegistry();
        Path key = tmp.resolve("id_ed25519");
        OpenSshClient.keygen(key, "sunwatch@it");
        HttpResponse<String> put = send(asOps("/api/v1/providers/sunwatch/ssh-keys").header("Content-Type", "text/plain")
                .PUT(HttpRequest.BodyPublishers.ofFile(tmp.resolve("id_ed25519.pub"))).build());
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        sftp = new OpenSshClient(key, properties);
        // the first login makes the provider's folders; then a receipt of the service's and a file in progress
        assertThat(sftp.batch("sunwatch", "ls\n").exitCode()).isZero();
        home = providerDir("sunwatch");
        Files.writeString(home.resolve("receipts/old.csv.receipt.json"), RECEIPT);
        Files.writeString(home.resolve("inbox/mine.csv.part"), "system_id\n");
        local = Files.writeString(tmp.resolve("forged.json"), "{\"forged\":true}");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "symlink inbox/mine.csv.part inbox/link.csv",
        "symlink /etc/passwd inbox/passwd.csv",
        "symlink /etc inbox/etc",
        "ln inbox/mine.csv.part inbox/hard.csv",
        "ln /etc/passwd inbox/hard.csv",
        "mkdir inbox/sub",
        "mkdir elsewhere",
        "mkdir receipts/sub",
        "rmdir inbox",
        "rmdir receipts",
        "rename inbox gone",
        "rename receipts gone",
        "rename inbox/mine.csv.part receipts/mine.csv.receipt.json",
        "rename receipts/old.csv.receipt.json inbox/old.csv",
        "rename receipts/old.csv.receipt.json receipts/new.receipt.json",
        "rm receipts/old.csv.receipt.json",
        "put LOCAL receipts/old.csv.receipt.json",
        "put LOCAL receipts/forged.csv.receipt.json",
        "put LOCAL home.csv",
        "chmod 000 receipts/old.csv.receipt.json",
        "chmod 000 receipts",
        "chmod 000 inbox",
    })
    void everythingButRegularFilesInTheInboxIsRefusedWithPermissionDenied(String command) throws Exception {
        String before = listing();
        OpenSshClient.Result result = sftp.batch("sunwatch",
                "-" + command.replace("LOCAL", local.toString()) + "\nls -1 inbox\n");
        assertThat(result.output()).as(result.output()).contains("Permission denied");
        // the session went on: the command after the refused one ran
        assertThat(result.output()).as(result.output()).contains("inbox/mine.csv.part").doesNotContain("Connection closed");
        assertThat(result.exitCode()).isZero();
        assertThat(listing()).isEqualTo(before);
        assertThat(Files.readString(home.resolve("receipts/old.csv.receipt.json"))).isEqualTo(RECEIPT);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "put LOCAL inbox/new.csv.part",
        "rename inbox/mine.csv.part inbox/renamed.csv.part",
        "rm inbox/mine.csv.part",
        "get receipts/old.csv.receipt.json LOCAL.copy",
    })
    void regularFilesInTheInboxAreTheProviders(String command) throws Exception {
        OpenSshClient.Result result = sftp.batch("sunwatch", command.replace("LOCAL", local.toString()) + "\n");
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).doesNotContain("denied");
    }

    private String listing() throws Exception {
        try (var files = Files.walk(home)) {
            return String.join("\n", files.map(p -> home.relativize(p) + (Files.isSymbolicLink(p) ? "@" : ""))
                    .sorted().toList());
        }
    }
}
