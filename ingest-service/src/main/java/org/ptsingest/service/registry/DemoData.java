package org.ptsingest.service.registry;

import static org.ptsingest.service.persistence.jooq.Tables.PROVIDER;
import static org.ptsingest.service.persistence.jooq.Tables.PROVIDER_SSH_KEY;

import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.jooq.DSLContext;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.service.notify.AccountMails;
import org.ptsingest.service.report.SelfReporters;
import org.ptsingest.service.sftp.SshKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * The default run's demo set-up: the sample registry from sample-feeds/registry, an SSH key per DAS
 * provider under data/demo-keys so you can log in to the drop box with the OpenSSH client at once, and the
 * self-reporters of sample-feeds/registry/self-reporting, each invited once (without SMTP the invitation
 * with its link is kept on the console's Notifications page).
 * Off unless {@code ingest.demo.enabled=true} (scripts/run sets it).
 */
@Component
@ConditionalOnProperty(name = "ingest.demo.enabled", havingValue = "true")
class DemoData implements ApplicationRunner {
    private static final Logger log = LoggerFactory.getLogger(DemoData.class);

    private final IngestProperties properties;
    private final RegistryImport imports;
    private final DSLContext dsl;
    private final SelfReporters reporters;
    private final AccountMails mails;

    DemoData(IngestProperties properties, RegistryImport imports, DSLContext dsl, SelfReporters reporters,
            AccountMails mails) {
        this.properties = properties;
        this.imports = imports;
        this.dsl = dsl;
        this.reporters = reporters;
        this.mails = mails;
    }

    @Override
    public void run(ApplicationArguments args) throws Exception {
        Path dir = properties.demo().registryDir();
        try (Reader p = Files.newBufferedReader(dir.resolve("providers.csv"), StandardCharsets.UTF_8);
                Reader s = Files.newBufferedReader(dir.resolve("systems.csv"), StandardCharsets.UTF_8);
                Reader d = Files.newBufferedReader(dir.resolve("designations.csv"), StandardCharsets.UTF_8)) {
            log.info("demo registry: {}, {}, {}", imports.providers(p).status(), imports.systems(s).status(),
                    imports.designations(d).status());
        }
        StringBuilder hint = new StringBuilder("\n\n    Demo SFTP logins (drop CSV feeds into /inbox, receipts appear in /receipts):\n");
        for (String provider : dsl.select(PROVIDER.PROVIDER_ID).from(PROVIDER)
                .where(PROVIDER.KIND.eq(org.ptsingest.rules.ReporterKind.DAS_PROVIDER.name()))
                .orderBy(PROVIDER.PROVIDER_ID).fetch(PROVIDER.PROVIDER_ID)) {
            Path keyFile = properties.dataDir().resolve("demo-keys").resolve(provider);
            KeyPair pair = SshKeys.loadOrGenerate(keyFile, provider + "@demo");
            var key = SshKeys.parse(PublicKeyEntry.toString(pair.getPublic()));
            dsl.insertInto(PROVIDER_SSH_KEY).set(PROVIDER_SSH_KEY.PROVIDER_ID, provider)
                    .set(PROVIDER_SSH_KEY.FINGERPRINT, key.fingerprint()).set(PROVIDER_SSH_KEY.PUBLIC_KEY, key.line())
                    .onConflictDoNothing().execute();
            hint.append("      sftp -i ").append(keyFile).append(" -P ").append(properties.sftp().port())
                    .append(" -o UserKnownHostsFile=").append(properties.knownHosts())
                    .append(' ').append(provider).append('@').append(properties.sftp().host()).append('\n');
        }
        Path self = dir.resolve("self-reporting");
        if (Files.isDirectory(self)) {
            try (Reader r = Files.newBufferedReader(self.resolve("self-reporters.csv"), StandardCharsets.UTF_8);
                    Reader s = Files.newBufferedReader(self.resolve("systems.csv"), StandardCharsets.UTF_8);
                    Reader d = Files.newBufferedReader(self.resolve("designations.csv"), StandardCharsets.UTF_8)) {
                log.info("demo self-reporters: {}, {}, {}", imports.selfReporters(r).status(), imports.systems(s).status(),
                        imports.designations(d).status());
            }
            hint.append("\n    Demo self-reporters (").append(properties.notifications().baseUrl())
                    .append("/report): their invitations, with the link to set a password, are on ")
                    .append(properties.notifications().baseUrl()).append("/ops/notifications\n");
            for (SelfReporters.Account a : reporters.list()) {
                if (a.invitedAt() == null && a.disabledAt() == null) {
                    mails.invite(a.reporterId());
                }
                hint.append("      ").append(a.reporterId()).append(" (").append(a.name()).append(")\n");
            }
        }
        log.info(hint.toString());
    }
}
