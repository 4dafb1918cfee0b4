package org.ptsingest.service.sftp;

import com.jcraft.jsch.ChannelSftp;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;
import org.apache.camel.component.file.remote.SftpRemoteFile;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.Handle;
import org.apache.sshd.sftp.server.SftpEventListener;
import org.ptsingest.routes.SftpFileNames;
import org.springframework.stereotype.Component;

/**
 * Files the embedded SFTP server has open for writing, and the inbox route's filter that skips them:
 * a file still being uploaded is never taken, however long the provider's client pauses. (The read
 * lock alone cannot promise that: it watches size and an mtime with one-second resolution.) With an
 * external SFTP server nothing registers here and the filter lets everything through to the read lock.
 */
@Component("uploadsInProgress")
public class UploadsInProgress implements SftpEventListener, GenericFileFilter<Object> {
    private final Map<String, Integer> writing = new ConcurrentHashMap<>();

    @Override
    public void opening(ServerSession session, String remoteHandle, Handle localHandle) {
        if (isWrite(localHandle)) {
            writing.merge(key(session, localHandle), 1, Integer::sum);
        }
    }

    @Override
    public void closed(ServerSession session, String remoteHandle, Handle localHandle, Throwable thrown) {
        if (isWrite(localHandle)) {
            writing.computeIfPresent(key(session, localHandle), (k, n) -> n > 1 ? n - 1 : null);
        }
    }

    @Override
    public boolean accept(GenericFile<Object> file) {
        return file.isDirectory() || (regular(file) && !writing.containsKey(file.getRelativeFilePath()));
    }

    /**
     * An external SFTP server lists a link or a FIFO as what it is (the embedded one does not list
     * them at all); taking one would fail (dangling, loop) or block (FIFO) the download on every poll.
     */
    private static boolean regular(GenericFile<Object> file) {
        return !(file.getFile() instanceof SftpRemoteFile remote)
                || !(remote.getRemoteFile() instanceof ChannelSftp.LsEntry entry)
                || entry.getAttrs().isReg();
    }

    /** The path as the inbox route names it: {providerId}/inbox/{file}, encoded as the service sees it. */
    private static String key(ServerSession session, Handle handle) {
        String path = handle.getFile().toString();
        return session.getUsername() + SftpFileNames.encodePath(path.startsWith("/") ? path : "/" + path);
    }

    private static boolean isWrite(Handle handle) {
        return handle instanceof FileHandle f && (f.getOpenOptions().contains(StandardOpenOption.WRITE)
                || f.getOpenOptions().contains(StandardOpenOption.APPEND));
    }
}
