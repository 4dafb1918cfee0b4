package org.ptsingest.service.sftp;

import org.ptsingest.config.IngestProperties;
import org.ptsingest.routes.InboxTurns;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The inbox route's {@link InboxTurns}, over the filter that skips files still being uploaded. */
@Configuration
class InboxTurnsConfig {
    @Bean(InboxTurns.BEAN)
    InboxTurns inboxTurns(UploadsInProgress uploads, IngestProperties properties) {
        return new InboxTurns(uploads, properties.sftp().filesPerProviderPerPoll());
    }
}
