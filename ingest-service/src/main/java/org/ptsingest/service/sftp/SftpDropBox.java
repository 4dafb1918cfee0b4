package org.ptsingest.service.sftp;

import static org.ptsingest.service.persistence.jooq.Tables.PROVIDER_SSH_KEY;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.List;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.file.virtualfs.VirtualFileSystemFactory;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.SftpSubsystemFactory;
import org.jooq.DSLContext;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.feed.Echo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * The default drop box: an embedded SFTP server (Apache MINA SSHD). Each provider logs in as its
 * provider_id with a key registered through the API and sees only its own {@code /inbox} and
 * {@code /receipts}, where it may only write, rename and delete regular files in {@code /inbox}
 * ({@link DropBoxRights}, applied by {@link DropBoxFileSystem}). The service's own account sees every
 * provider's folder; the inbox route polls through it exactly as it would poll an external SFTP server.
 *
 * <p>Started before Camel routes (lower phase) and stopped after them, and it writes the
 * known_hosts entry the route verifies the host key against.
 */
@Component
@ConditionalOnProperty(name = "ingest.sftp.embedded", havingValue = "true", matchIfMissing = true)
public class SftpDropBox implements SmartLifecycle {
    public static final String INBOX = "inbox";
    public static final String RECEIPTS = "receipts";
    /** Where the service moves a file it could not process after every attempt, with {@code <file>.error.json}. */
    public static final String QUARANTINE = "quarantine";
    private static final Logger log = LoggerFactory.getLogger(SftpDropBox.class);

    private final IngestProperties properties;
    private final DSLContext dsl;
    private final UploadsInProgress uploads;
    private SshServer server;

    public SftpDropBox(IngestProperties properties, DSLContext dsl, UploadsInProgress uploads) {
        this.properties = properties;
        this.dsl = dsl;
        this.uploads = uploads;
    }

    @Override
    public void start() {
        try {
            Path root = properties.sftpRoot().toAbsolutePath();
            Path providers = root.resolve(properties.sftp().providersDir());
            Files.createDirectories(providers);
            KeyPair serviceKey = SshKeys.loadOrGenerate(properties.servicePrivateKey(), properties.sftp().user());

            SshServer sshd = SshServer.setUpDefaultServer();
            sshd.setHost(properties.sftp().host());
            sshd.setPort(properties.sftp().port());
            // SFTP is a request/response protocol of small packets: with Nagle's algorithm on, a reply can sit
            // behind the peer's delayed ACK (tens of milliseconds per round trip, several round trips per file)
            CoreModuleProperties.TCP_NODELAY.set(sshd, true);
            SimpleGeneratorHostKeyProvider hostKeys =
                    new SimpleGeneratorHostKeyProvider(properties.keysDir().resolve("sftp_host_key"));
            hostKeys.setAlgorithm(KeyUtils.EC_ALGORITHM);
            hostKeys.setKeySize(256);
            sshd.setKeyPairProvider(hostKeys);
            sshd.setPasswordAuthenticator(null);
            sshd.setKeyboardInteractiveAuthenticator(null);
            sshd.setPublickeyAuthenticator((user, key, session) -> accepts(user, key, serviceKey.getPublic(), session));
            sshd.setFileSystemFactory(new VirtualFileSystemFactory(root) {
                @Override
                public Path getUserHomeDir(SessionContext session) throws IOException {
                    String user = session.getUsername();
                    if (user.equals(properties.sftp().user())) {
                        return root;
                    }
                    Path home = providers.resolve(user);
                    Files.createDirectories(home.resolve(INBOX));
                    Files.createDirectories(home.resolve(RECEIPTS));
                    Files.createDirectories(home.resolve(QUARANTINE));
                    return home;
                }
            });
            SftpSubsystemFactory sftp = new SftpSubsystemFactory.Builder()
                    .withFileSystemAccessor(new DropBoxFileSystem(properties.sftp().user())).build();
            sftp.addSftpEventListener(uploads);
            sshd.setSubsystemFactories(List.of(sftp));
            sshd.start();
            server = sshd;
            writeKnownHosts(hostKeys.loadKeys(null).iterator().next().getPublic());
            log.info("SFTP drop box listening on {}:{} (files under {})", properties.sftp().host(), sshd.getPort(),
                    root.toAbsolutePath());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot start the embedded SFTP server on port "
                    + properties.sftp().port() + ": " + e.getMessage(), e);
        }
    }

    private boolean accepts(String user, PublicKey offered, PublicKey serviceKey, ServerSession session) {
        if (user.equals(properties.sftp().user())) {
            return KeyUtils.compareKeys(serviceKey, offered);
        }
        // A provider's client that leaks connections (opens one per file, never closes) would hold sockets and
        // threads every other provider needs: past the cap it is told why and hung up on, before the key is
        // looked up. The service's own account (the inbox poller) has no cap.
        int max = properties.sftp().maxSessionsPerProvider();
        if (session instanceof org.apache.sshd.server.session.AbstractServerSession counted
                && counted.getActiveSessionCountForUser(user) >= max) {
            log.warn("SFTP login of {} turned away: it has {} sessions open already (ingest.sftp.max-sessions-per-provider)",
                    Echo.escape(user), max);
            try {
                session.disconnect(SshConstants.SSH2_DISCONNECT_TOO_MANY_CONNECTIONS, "too many sessions open for "
                        + Echo.escape(user) + " (at most " + max + "); close the others and try again");
            } catch (IOException closing) {
                log.debug("disconnecting {}: {}", user, closing.getMessage());
            }
            return false;
        }
        String fingerprint = KeyUtils.getFingerPrint(offered);
        boolean known;
        try {
            known = dsl.fetchExists(PROVIDER_SSH_KEY,
                    PROVIDER_SSH_KEY.PROVIDER_ID.eq(user), PROVIDER_SSH_KEY.FINGERPRINT.eq(fingerprint));
        } catch (DataAccessException e) {
            // The registered keys cannot be read (PostgreSQL is down). That is no verdict on the key: hang up
            // with "service not available" and a message the provider's client prints, rather than the
            // "permission denied" of a refused key, which would send the provider to ops with a good key.
            log.warn("SFTP login of {} turned away: registered keys cannot be read ({})", Echo.escape(user), e.getMessage());
            try {
                session.disconnect(SshConstants.SSH2_DISCONNECT_SERVICE_NOT_AVAILABLE,
                        "the drop box cannot check keys right now (database unavailable); try again later");
            } catch (IOException closing) {
                log.debug("disconnecting {}: {}", user, closing.getMessage());
            }
            return false;
        }
        if (!known) {
            log.info("SFTP login refused for {}: key {} is not registered", user, fingerprint);
        }
        return known;
    }

    /** The route runs with strict host key checking; trust exactly this server's key. */
    private void writeKnownHosts(PublicKey hostKey) throws IOException {
        Path file = properties.knownHosts();
        Files.createDirectories(file.getParent());
        String host = properties.sftp().port() == 22 ? properties.sftp().host()
                : "[" + properties.sftp().host() + "]:" + properties.sftp().port();
        Files.writeString(file, host + " " + PublicKeyEntry.toString(hostKey) + "\n");
    }

    /** Port actually bound (useful when configured as 0 in tests). */
    public int port() {
        return server.getPort();
    }

    @Override
    public void stop() {
        if (server != null) {
            try {
                server.stop(true);
            } catch (IOException e) {
                log.warn("SFTP server did not stop cleanly: {}", e.getMessage());
            }
            server = null;
        }
    }

    @Override
    public boolean isRunning() {
        return server != null && server.isStarted();
    }

    @Override
    public int getPhase() {
        // Camel's routes start in a later phase and stop in an earlier one.
        return Integer.MIN_VALUE + 100;
    }
}
