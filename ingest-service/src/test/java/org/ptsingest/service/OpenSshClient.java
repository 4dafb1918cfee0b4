package org.ptsingest.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.ptsingest.config.IngestProperties;

/** The stock OpenSSH {@code sftp} client in batch mode, as a provider runs it against the drop box. */
final class OpenSshClient {
    /** What one batch printed (stdout and stderr) and how {@code sftp} exited. */
    record Result(String output, int exitCode) {}

    private final Path key;
    private final IngestProperties properties;

    OpenSshClient(Path key, IngestProperties properties) {
        this.key = key;
        this.properties = properties;
    }

    /** Creates an ed25519 key pair at {@code key} (and {@code key.pub}). */
    static void keygen(Path key, String comment) throws Exception {
        Process p = start(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", key.toString()));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    /** Runs the commands as one batch; a command prefixed with '-' may fail without ending the batch. */
    Result batch(String user, String commands) throws Exception {
        Process p = start(List.of("sftp", "-b", "-", "-i", key.toString(), "-P", String.valueOf(properties.sftp().port()),
                "-o", "UserKnownHostsFile=" + properties.knownHosts().toAbsolutePath(),
                "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", user + "@localhost"));
        p.getOutputStream().write(commands.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(out, p.exitValue());
    }

    private static Process start(List<String> command) throws Exception {
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }
}
