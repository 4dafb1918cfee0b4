package org.ptsingest.config;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import org.ptsingest.rules.RuleSettings;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * All configuration of the service, one prefix ({@code ingest.*}), with defaults that run on a
 * developer machine: local PostgreSQL, embedded SFTP drop box on 2222, data under ./data.
 *
 * @param dataDir where the service keeps its own files: keys, TLS keystore, raw feed archive, work files
 * @param sftp the SFTP channel
 * @param rules the reading rules
 * @param ops the ops account
 * @param https the HTTPS listener's certificate
 * @param demo demo data for the default run
 * @param as2 the AS2 channel
 * @param delivery retries, quarantine and the background worker
 * @param production reporting windows and the monthly production ledger
 * @param notifications the e-mail outbox and its worker
 * @param reminders when reminders and missing-report notices are decided
 */
@ConfigurationProperties("ingest")
public record IngestProperties(
        @DefaultValue("data") Path dataDir,
        @DefaultValue Sftp sftp,
        @DefaultValue Rules rules,
        @DefaultValue Ops ops,
        @DefaultValue Https https,
        @DefaultValue Demo demo,
        @DefaultValue As2 as2,
        @DefaultValue Delivery delivery,
        @DefaultValue Production production,
        @DefaultValue Notifications notifications,
        @DefaultValue Reminders reminders) {

    /**
     * E-mail goes out through an outbox in PostgreSQL; Spring Boot's {@code spring.mail.*} names the SMTP
     * server. Without {@code spring.mail.host} nothing is sent: messages are recorded as KEPT.
     *
     * @param from the sender address of every message
     * @param baseUrl the service's public HTTPS address, for the links in messages ({@code <base-url>/report})
     * @param workerDelay pause between two runs of the sending worker
     * @param firstRetry wait after the first failed attempt; doubles at every further failure
     * @param maxRetryInterval the longest wait between two attempts
     * @param maxAttempts failed attempts after which a message is GAVE_UP
     */
    public record Notifications(
            @DefaultValue("pts-ingest@localhost") String from,
            @DefaultValue("https://localhost:8443") String baseUrl,
            @DefaultValue("5s") Duration workerDelay,
            @DefaultValue("30s") Duration firstRetry,
            @DefaultValue("1h") Duration maxRetryInterval,
            @DefaultValue("20") int maxAttempts) {

        public Notifications {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("ingest.notifications.max-attempts must be at least 1, is " + maxAttempts);
            }
            baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        }

        /** The wait after the given number of failed attempts (1 = the first). */
        public Duration backOff(int failedAttempts) {
            Duration wait = firstRetry;
            for (int i = 1; i < failedAttempts && wait.compareTo(maxRetryInterval) < 0; i++) {
                wait = wait.multipliedBy(2);
            }
            return wait.compareTo(maxRetryInterval) < 0 ? wait : maxRetryInterval;
        }
    }

    /**
     * @param missingThreshold a DAS provider gets the missing-report notice when at least this many of its
     *     systems have no close in the window
     * @param missingDaysBeforeClose the notice is decided this many local days before the window closes
     * @param checkInterval pause between two looks at whether reminders are due
     */
    public record Reminders(
            @DefaultValue("10") int missingThreshold,
            @DefaultValue("2") int missingDaysBeforeClose,
            @DefaultValue("1m") Duration checkInterval) {

        public Reminders {
            if (missingThreshold < 1) {
                throw new IllegalArgumentException("ingest.reminders.missing-threshold must be at least 1, is "
                        + missingThreshold);
            }
            if (missingDaysBeforeClose < 1) {
                throw new IllegalArgumentException("ingest.reminders.missing-days-before-close must be at least 1, is "
                        + missingDaysBeforeClose);
            }
        }
    }

    /**
     * @param windowDays the reporting window of month M is [B(M) − windowDays, B(M) + windowDays) in
     *     {@code ingest.rules.zone}, B(M) being 00:00 on the first day of the next month
     * @param expectedYield expected kWh per kW DC for January … December (twelve values): the weights of
     *     prorated months and the basis of projected ones
     * @param workerDelay pause between two runs of the ledger worker (systems queued by feeds, ops and the
     *     registry; windows that ended)
     */
    public record Production(
            @DefaultValue("5") int windowDays,
            @DefaultValue({"62", "71", "94", "104", "118", "119", "129", "118", "101", "79", "56", "50"})
            java.util.List<BigDecimal> expectedYield,
            @DefaultValue("1s") Duration workerDelay) {

        public Production {
            if (windowDays < 1 || windowDays > 14) {
                throw new IllegalArgumentException("ingest.production.window-days must be 1 to 14, is " + windowDays);
            }
            if (expectedYield.size() != 12 || expectedYield.stream().anyMatch(y -> y.signum() <= 0)) {
                throw new IllegalArgumentException("ingest.production.expected-yield needs twelve positive values "
                        + "(January … December), is " + expectedYield);
            }
            expectedYield = java.util.List.copyOf(expectedYield);
        }
    }

    /**
     * What happens to a delivery whose judging fails for a reason that is not its content (the database,
     * the disk, a bug): it is tried again after {@code firstRetry}, then after twice that, and so on up to
     * {@code maxRetryInterval}; after {@code maxAttempts} failed attempts it is QUARANTINED for ops.
     *
     * @param maxAttempts failed attempts before a delivery is quarantined
     * @param firstRetry wait after the first failed attempt; doubles at every further failure
     * @param maxRetryInterval the longest wait between two attempts
     * @param workerDelay pause between two runs of the background worker (due retries, 202 deliveries,
     *     reprocess requests)
     * @param orphanAfter a delivery recorded but never judged (its instance died while judging it) is
     *     taken by the worker this long after it was received
     * @param workerThreads deliveries the worker judges at once per instance, each of another provider (one
     *     provider's large feed then holds no other provider's delivery)
     */
    public record Delivery(
            @DefaultValue("5") int maxAttempts,
            @DefaultValue("10s") Duration firstRetry,
            @DefaultValue("10m") Duration maxRetryInterval,
            @DefaultValue("1s") Duration workerDelay,
            @DefaultValue("2m") Duration orphanAfter,
            @DefaultValue("2") int workerThreads) {

        public Delivery {
            if (workerThreads < 1) {
                throw new IllegalArgumentException("ingest.delivery.worker-threads must be at least 1, is " + workerThreads);
            }
        }

        /** The wait after the given number of failed attempts (1 = the first). */
        public Duration backOff(int failedAttempts) {
            Duration wait = firstRetry;
            for (int i = 1; i < failedAttempts && wait.compareTo(maxRetryInterval) < 0; i++) {
                wait = wait.multipliedBy(2);
            }
            return wait.compareTo(maxRetryInterval) < 0 ? wait : maxRetryInterval;
        }
    }

    /**
     * @param enabled listen for AS2 messages (Camel {@code as2:server/listen}, its own HTTP server)
     * @param port port of that server
     * @param path request path partners post to: {@code http://host:port/path}
     * @param as2Id the service's AS2 identity; partners send {@code AS2-To} with it
     * @param serverFqdn host name used in the Message-ID of the MDNs the service sends
     * @param keystore PKCS#12 keystore with the service's signing and decryption keys; generated (one
     *     self-signed RSA key for both) under dataDir/keys when it does not exist
     * @param keystorePassword its password
     * @param signingAlias alias of the key that signs MDNs
     * @param decryptionAlias alias of the key messages are encrypted for
     * @param receiptBaseUrl HTTPS base URL partners fetch ingestion receipts from; MDNs name it
     * @param mdnPollInterval how often due asynchronous MDNs are sent
     * @param mdnFirstRetry wait after a failed asynchronous MDN delivery; doubles at every failure
     * @param mdnMaxRetryInterval the longest wait between two attempts
     * @param mdnGiveUpAfter an asynchronous MDN not delivered this long after the message is abandoned (ERROR log)
     * @param readTimeout silence from a client (half a request, then nothing) before its connection is closed
     * @param tls serve AS2 over HTTPS with the certificate of the HTTPS port (the generated self-signed one,
     *     or Spring's {@code server.ssl.*}); false serves plain HTTP
     * @param maxConcurrentMessages AS2 messages processed at once; one more is answered 503 with Retry-After
     * @param maxConcurrentPerPartner AS2 messages of one {@code AS2-From} processed at once (of
     *     {@code maxConcurrentMessages}), so one partner's burst cannot take every permit; one more is 503
     * @param maxMessageSize largest AS2 request body (413 before it is read by its Content-Length, once a
     *     chunked body passes it) and the most a compressed layer may expand to (decompression-failed)
     * @param legacyAlgorithmsAllowedByDefault whether a partner registered without saying may sign with SHA-1
     *     and encrypt with 3DES
     */
    public record As2(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("4080") int port,
            @DefaultValue("/as2") String path,
            @DefaultValue("PTS-INGEST") String as2Id,
            @DefaultValue("localhost") String serverFqdn,
            Path keystore,
            @DefaultValue("changeit") String keystorePassword,
            @DefaultValue("pts-ingest") String signingAlias,
            @DefaultValue("pts-ingest") String decryptionAlias,
            @DefaultValue("https://localhost:8443") String receiptBaseUrl,
            @DefaultValue("1s") Duration mdnPollInterval,
            @DefaultValue("5s") Duration mdnFirstRetry,
            @DefaultValue("10m") Duration mdnMaxRetryInterval,
            @DefaultValue("3d") Duration mdnGiveUpAfter,
            @DefaultValue("20s") Duration readTimeout,
            @DefaultValue("false") boolean tls,
            @DefaultValue("16") int maxConcurrentMessages,
            @DefaultValue("4") int maxConcurrentPerPartner,
            @DefaultValue("256MB") DataSize maxMessageSize,
            @DefaultValue("false") boolean legacyAlgorithmsAllowedByDefault) {

        /** The URL partners post to. */
        public String url() {
            return (tls ? "https" : "http") + "://" + serverFqdn + ":" + port + path;
        }
    }

    /**
     * @param enabled load the sample registry and give every registered provider a demo SSH key (the default run)
     * @param registryDir where providers.csv, systems.csv and designations.csv are read from
     */
    public record Demo(@DefaultValue("false") boolean enabled, @DefaultValue("sample-feeds/registry") Path registryDir) {}

    /**
     * @param password password of the ops user {@code ops} (env INGEST_OPS_PASSWORD); when empty, one is
     *     generated at start-up and printed once
     * @param viewerPassword password of the read-only console user {@code viewer} (env
     *     INGEST_OPS_VIEWER_PASSWORD); no viewer account when empty
     * @param loginMaxFailures failed password logins (console or HTTP Basic) of one user name, or from one
     *     client address, within {@code loginFailureWindow} that lock it
     * @param loginFailureWindow how far back failures count
     * @param loginLock how long the first lock lasts; each further lock of the same user name or address
     *     doubles it
     * @param loginMaxLock the longest lock
     */
    public record Ops(
            String password,
            String viewerPassword,
            @DefaultValue("5") int loginMaxFailures,
            @DefaultValue("15m") Duration loginFailureWindow,
            @DefaultValue("1m") Duration loginLock,
            @DefaultValue("1h") Duration loginMaxLock) {}

    /**
     * @param selfSigned serve HTTPS with a self-signed certificate generated on first run under dataDir/keys
     *     (set false and use Spring's server.ssl.* for a real certificate)
     * @param keystorePassword password of that generated PKCS#12 keystore
     * @param maxFeedSize largest body POST /api/v1/feeds accepts (413 beyond)
     * @param asyncAbove bodies larger than this are answered 202 with a URL to poll, and judged in the background
     * @param maxConcurrentPerProvider feed posts of one provider (POST /api/v1/feeds, the PTS REST and ARData
     *     endpoints) in process at once; one more is answered 429 with Retry-After before its body is read
     */
    public record Https(
            @DefaultValue("true") boolean selfSigned,
            @DefaultValue("changeit") String keystorePassword,
            @DefaultValue("2GB") DataSize maxFeedSize,
            @DefaultValue("64MB") DataSize asyncAbove,
            @DefaultValue("4") int maxConcurrentPerProvider) {}

    /**
     * @param embedded start the built-in MINA SSHD drop box (false when polling an external SFTP server)
     * @param host SFTP server the inbox route polls
     * @param port its port
     * @param user the service's own account on it; its home holds one folder per provider
     * @param providersDir folder (relative to that home) holding {providerId}/inbox and {providerId}/receipts
     * @param privateKeyFile the service's SSH key; generated under dataDir when empty and embedded
     * @param knownHostsFile host key(s) the route trusts; written for the embedded server when empty
     * @param pollDelay pause between inbox polls
     * @param readLockCheckInterval a file is picked up only once its size and mtime stayed the same this long
     * @param claimLease how long a silent instance's claim on a file survives before another may take over
     * @param filesPerProviderPerPoll the most files of one provider an inbox poll takes; polls follow one another
     *     at once while they find work, so this bounds how many of a busy provider's files a file another
     *     provider drops may wait for
     * @param asyncAbove files larger than this are recorded and handed to the delivery worker, which judges them and
     *     writes the receipt, so that the inbox route goes on to other files meanwhile. Low by default: the route
     *     judges one file at a time, and a file of a few MB already takes about a second; the worker's path was
     *     measured as fast for a file of a million readings (docs/perf, "Eighth round")
     */
    public record Sftp(
            @DefaultValue("true") boolean embedded,
            @DefaultValue("localhost") String host,
            @DefaultValue("2222") int port,
            @DefaultValue("ingest-service") String user,
            @DefaultValue("providers") String providersDir,
            Path privateKeyFile,
            Path knownHostsFile,
            @DefaultValue("1s") Duration pollDelay,
            @DefaultValue("500ms") Duration readLockCheckInterval,
            @DefaultValue("2m") Duration claimLease,
            @DefaultValue("5") int filesPerProviderPerPoll,
            @DefaultValue("4MB") DataSize asyncAbove,
            @DefaultValue("8") int maxSessionsPerProvider) {}

    /** See {@link RuleSettings} for what each number means. */
    public record Rules(
            @DefaultValue("10") BigDecimal dasThresholdKw,
            @DefaultValue("0.35") double highProductionCapacityFactor,
            @DefaultValue("7d") Duration highProductionMinInterval,
            @DefaultValue("5m") Duration futureTolerance,
            @DefaultValue("America/New_York") ZoneId zone) {

        public RuleSettings settings() {
            return new RuleSettings(dasThresholdKw, highProductionCapacityFactor, highProductionMinInterval,
                    futureTolerance, zone);
        }
    }

    public Path keysDir() {
        return dataDir.resolve("keys");
    }

    public Path workDir() {
        return dataDir.resolve("work");
    }

    public Path sftpRoot() {
        return dataDir.resolve("sftp");
    }

    public Path as2Keystore() {
        return as2.keystore() != null ? as2.keystore() : keysDir().resolve("as2.p12");
    }

    public Path servicePrivateKey() {
        return sftp.privateKeyFile() != null ? sftp.privateKeyFile() : keysDir().resolve("ingest-service_ed25519");
    }

    public Path knownHosts() {
        return sftp.knownHostsFile() != null ? sftp.knownHostsFile() : keysDir().resolve("known_hosts");
    }
}
