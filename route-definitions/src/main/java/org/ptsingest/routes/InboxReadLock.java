package org.ptsingest.routes;

import com.jcraft.jsch.ChannelSftp;
import java.util.function.Predicate;
import org.apache.camel.Exchange;
import org.apache.camel.LoggingLevel;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileEndpoint;
import org.apache.camel.component.file.GenericFileExclusiveReadLockStrategy;
import org.apache.camel.component.file.GenericFileOperations;
import org.apache.camel.component.file.remote.strategy.SftpChangedExclusiveReadLockStrategy;
import org.ptsingest.config.IngestProperties;

/**
 * The inbox route's read lock: a file the embedded SFTP server saw uploaded whole is taken at once; any other
 * file (from an external server, or one the server no longer remembers) only once its mtime is older than
 * {@code ingest.sftp.read-lock-check-interval}, as camel-ftp's {@code readLock=changed} with that minimum age
 * decides. Waiting for the mtime to age cost every drop on the embedded server up to that interval although
 * the server knew the upload had ended.
 */
public final class InboxReadLock implements GenericFileExclusiveReadLockStrategy<ChannelSftp.LsEntry> {
    /** The bean name the inbox endpoint refers to. */
    public static final String BEAN = "inboxReadLock";

    private final Predicate<GenericFile<?>> uploadedWhole;
    private final SftpChangedExclusiveReadLockStrategy changed = new SftpChangedExclusiveReadLockStrategy();

    /**
     * @param uploadedWhole whether the embedded server saw this file's upload complete at the size listed, with
     *     nobody writing it since
     */
    public InboxReadLock(Predicate<GenericFile<?>> uploadedWhole, IngestProperties properties) {
        this.uploadedWhole = uploadedWhole;
        long check = properties.sftp().readLockCheckInterval().toMillis();
        changed.setCheckInterval(check);
        changed.setMinAge(check);
        changed.setMinLength(0); // an empty feed is a feed: judged and answered, not left in the inbox
        changed.setTimeout(Math.max(60_000, check * 20));
        // ask for the one file, not for a listing of its folder (an inbox under a flood holds hundreds)
        changed.setFastExistsCheck(true);
    }

    @Override
    public boolean acquireExclusiveReadLock(GenericFileOperations<ChannelSftp.LsEntry> operations,
            GenericFile<ChannelSftp.LsEntry> file, Exchange exchange) throws Exception {
        return uploadedWhole.test(file) || changed.acquireExclusiveReadLock(operations, file, exchange);
    }

    @Override
    public void prepareOnStartup(GenericFileOperations<ChannelSftp.LsEntry> operations,
            GenericFileEndpoint<ChannelSftp.LsEntry> endpoint) throws Exception {
        changed.prepareOnStartup(operations, endpoint);
    }

    @Override
    public void releaseExclusiveReadLockOnAbort(GenericFileOperations<ChannelSftp.LsEntry> operations,
            GenericFile<ChannelSftp.LsEntry> file, Exchange exchange) throws Exception {
        changed.releaseExclusiveReadLockOnAbort(operations, file, exchange);
    }

    @Override
    public void releaseExclusiveReadLockOnRollback(GenericFileOperations<ChannelSftp.LsEntry> operations,
            GenericFile<ChannelSftp.LsEntry> file, Exchange exchange) throws Exception {
        changed.releaseExclusiveReadLockOnRollback(operations, file, exchange);
    }

    @Override
    public void releaseExclusiveReadLockOnCommit(GenericFileOperations<ChannelSftp.LsEntry> operations,
            GenericFile<ChannelSftp.LsEntry> file, Exchange exchange) throws Exception {
        changed.releaseExclusiveReadLockOnCommit(operations, file, exchange);
    }

    @Override
    public void setTimeout(long timeout) {
        changed.setTimeout(timeout);
    }

    @Override
    public void setCheckInterval(long checkInterval) {
        changed.setCheckInterval(checkInterval);
    }

    @Override
    public void setReadLockLoggingLevel(LoggingLevel level) {
        changed.setReadLockLoggingLevel(level);
    }

    @Override
    public void setMarkerFiler(boolean markerFile) {
        changed.setMarkerFiler(markerFile);
    }

    @Override
    public void setDeleteOrphanLockFiles(boolean deleteOrphanLockFiles) {
        changed.setDeleteOrphanLockFiles(deleteOrphanLockFiles);
    }
}
