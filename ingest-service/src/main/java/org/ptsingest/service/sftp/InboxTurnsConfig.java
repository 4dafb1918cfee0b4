package org.ptsingest.service.sftp;

import org.ptsingest.config.IngestProperties;
import org.ptsingest.routes.InboxReadLock;
import org.ptsingest.routes.InboxTurns;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The inbox route's {@link InboxTurns}, over the filter that skips files still being uploaded, and its
 * {@link InboxReadLock}, which takes a file the embedded server saw uploaded whole at once.
 */
@Configuration
class InboxTurnsConfig {
    @Bean(InboxTurns.BEAN)
    InboxTurns inboxTurns(UploadsInProgress uploads, IngestProperties properties) {
        return new InboxTurns(uploads, properties.sftp().filesPerProviderPerPoll());
    }

    @Bean(InboxReadLock.BEAN)
    InboxReadLock inboxReadLock(UploadsInProgress uploads, IngestProperties properties) {
        return new InboxReadLock(uploads::uploadedHere, properties);
    }
}
