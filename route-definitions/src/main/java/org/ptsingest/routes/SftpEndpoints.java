package org.ptsingest.routes;

import java.nio.file.Path;
import org.ptsingest.config.IngestProperties;

/**
 * Camel SFTP endpoint URIs built from typed configuration. Host keys are always checked against a
 * known_hosts file (camel-ftp's default is not to check); the key is the service's own.
 */
final class SftpEndpoints {
    private SftpEndpoints() {}

    private static String base(IngestProperties p) {
        IngestProperties.Sftp s = p.sftp();
        return "sftp://" + s.user() + "@" + s.host() + ":" + s.port() + "/" + s.providersDir()
                + "?privateKeyFile=" + file(p.servicePrivateKey())
                + "&knownHostsFile=" + file(p.knownHosts())
                + "&strictHostKeyChecking=yes&useUserKnownHostsFile=false"
                + "&binary=true&throwExceptionOnConnectFailed=true"
                // Whether a file exists (a receipt about to be replaced, the changed read lock's look at a file)
                // is asked of that one path, not by listing its folder: a provider's receipts folder grows with
                // every feed, and an inbox under a flood holds hundreds of files.
                + "&fastExistsCheck=true";
    }

    /**
     * Polls every provider's inbox ({providerId}/inbox/*). A file is taken only when no upload has
     * it open (the embedded server reports open files to the uploadsInProgress filter) and either the embedded
     * server saw its upload complete or its mtime is older than the check interval (the only signal an
     * external server gives: {@link InboxReadLock}), files named
     * .*, *.part, *.tmp or *.filepart are never taken (upload under such a name, then rename; {@link InboxTurns}
     * refuses them, before it counts a provider's files), and
     * the claim repository makes the pick exactly-once across instances. A poll takes a few files of each
     * provider and judges them in turns between providers ({@link InboxTurns}); while it found work, the
     * next poll follows at once. The download streams to a
     * local work file; the remote file is deleted only after the feed committed and its receipt was written.
     */
    static String inbox(IngestProperties p) {
        IngestProperties.Sftp s = p.sftp();
        return base(p)
                + "&recursive=true&minDepth=3&maxDepth=3"
                + "&antInclude=*/" + "inbox" + "/*"
                + "&filter=#" + InboxTurns.BEAN + "&sorter=#" + InboxTurns.BEAN + "&pollStrategy=#" + InboxTurns.BEAN
                + "&greedy=true"
                // A folder that vanished or cannot be read (one provider's, on an external server) is
                // skipped rather than failing the one walk over every provider's inbox.
                + "&ignoreFileNotFoundOrPermissionError=true"
                + "&localWorkDirectory=" + file(p.workDir().resolve("sftp-download"))
                + "&delete=true"
                + "&idempotent=true&idempotentRepository=#fileClaims"
                + "&idempotentKey=${file:name}-${file:size}-${file:modified}"
                + "&exclusiveReadLockStrategy=#" + InboxReadLock.BEAN
                // the first poll one delay after start, as every later one; uploads to the embedded server ask for
                // a poll at once (UploadsInProgress), so the delay bounds only what that server did not see
                + "&initialDelay=" + s.pollDelay().toMillis() + "&delay=" + s.pollDelay().toMillis()
                + "&backoffErrorThreshold=3&backoffMultiplier=5";
    }

    /** Writes receipts under a temporary name and renames, so a provider never reads half a receipt. */
    static String receipts(IngestProperties p) {
        return base(p) + "&autoCreate=true&fileExist=Override&tempPrefix=.writing-"
                + "&fileName=${header." + SftpDeliveries.PROVIDER_ID + "}/receipts/${header."
                + SftpDeliveries.RECEIPT_FILE_NAME + "}";
    }

    /** Writes into {providerId}/quarantine/ the same way: under a temporary name, then renamed. */
    static String quarantine(IngestProperties p) {
        return base(p) + "&autoCreate=true&fileExist=Override&tempPrefix=.writing-"
                + "&fileName=${header." + SftpDeliveries.PROVIDER_ID + "}/quarantine/${header."
                + SftpQuarantineRoute.QUARANTINE_FILE_NAME + "}";
    }

    private static String file(Path path) {
        return path.toAbsolutePath().toString();
    }
}
