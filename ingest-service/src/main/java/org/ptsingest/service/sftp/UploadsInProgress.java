package org.ptsingest.service.sftp;

import com.jcraft.jsch.ChannelSftp;
import java.io.IOException;
import java.nio.file.CopyOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;
import org.apache.camel.component.file.remote.SftpRemoteFile;
import org.apache.sshd.server.session.ServerSession;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.Handle;
import org.apache.sshd.sftp.server.SftpEventListener;
import org.ptsingest.config.IngestProperties;
import org.ptsingest.routes.InboxTurns;
import org.ptsingest.routes.SftpFileNames;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * What the embedded SFTP server sees of uploads, for the inbox route:
 * <ul>
 *   <li><b>files open for writing</b>, which the route's filter skips: a file still being uploaded is never taken,
 *       however long the provider's client pauses (the read lock alone cannot promise that: it watches size and
 *       an mtime with one-second resolution);</li>
 *   <li><b>uploads completed</b>: a file closed after writing (or renamed to its name after that), with its
 *       size. The route's read lock takes such a file at once, without waiting for its mtime to age
 *       ({@link #uploadedHere}), and each completed upload under a name the route takes asks for a poll now
 *       ({@link #onUploadCompleted}) rather than at the next poll delay.</li>
 * </ul>
 * With an external SFTP server nothing registers here: the filter lets everything through to the read lock,
 * which then waits for the mtime to age, and the route polls at its delay.
 */
@Component("uploadsInProgress")
public class UploadsInProgress implements SftpEventListener, GenericFileFilter<Object> {
    /** Completed uploads remembered at most (files left in inboxes under an upload name never leave the map otherwise). */
    static final int MAX_COMPLETED = 10_000;

    private final Map<String, Integer> writing = new ConcurrentHashMap<>();
    /** Inbox files whose upload completed here, by path, with their size then. */
    private final Map<String, Long> completed = new ConcurrentHashMap<>();
    private volatile Runnable uploadCompleted = () -> { };
    /** The service's own account, which sees every provider's folder under its root. */
    private final String serviceUser;

    @Autowired
    public UploadsInProgress(IngestProperties properties) {
        this(properties.sftp().user());
    }

    UploadsInProgress(String serviceUser) {
        this.serviceUser = serviceUser;
    }

    /** Called (on the server's thread, so it must not block) for every completed upload the inbox route may take. */
    public void onUploadCompleted(Runnable action) {
        this.uploadCompleted = action;
    }

    @Override
    public void opening(ServerSession session, String remoteHandle, Handle localHandle) {
        if (isWrite(localHandle)) {
            writeOpened(key(session, localHandle.getFile()));
        }
    }

    @Override
    public void closed(ServerSession session, String remoteHandle, Handle localHandle, Throwable thrown) {
        if (isWrite(localHandle)) {
            String key = key(session, localHandle.getFile());
            long size;
            try {
                size = thrown == null ? Files.size(localHandle.getFile()) : -1;
            } catch (IOException e) {
                size = -1; // gone already: nothing to take
            }
            writeClosed(key, size);
        }
    }

    @Override
    public void moved(ServerSession session, Path srcPath, Path dstPath, Collection<CopyOption> opts, Throwable thrown) {
        if (thrown == null) { // (not renamed: the file is where it was)
            renamed(key(session, srcPath), key(session, dstPath));
        }
    }

    @Override
    public void removed(ServerSession session, Path path, boolean isDirectory, Throwable thrown) {
        if (thrown == null) {
            removed(key(session, path));
        }
    }

    // The events by the inbox route's names for the files ({providerId}/inbox/{file}); package-private for tests.

    void writeOpened(String key) {
        writing.merge(key, 1, Integer::sum);
        completed.remove(key);
    }

    /** @param size the file's size after the last writer closed it, or -1 when the close failed */
    void writeClosed(String key, long size) {
        Integer left = writing.computeIfPresent(key, (k, n) -> n > 1 ? n - 1 : null);
        if (left == null && size >= 0 && inInbox(key)) {
            completed(key, size);
        }
    }

    void renamed(String from, String to) {
        Long size = completed.remove(from);
        if (size != null && inInbox(to) && !writing.containsKey(to)) {
            completed(to, size);
        }
    }

    void removed(String key) {
        completed.remove(key);
    }

    private void completed(String key, long size) {
        if (completed.size() >= MAX_COMPLETED) {
            completed.clear(); // forgotten uploads are taken as from an external server: after their mtime aged
        }
        completed.put(key, size);
        if (!InboxTurns.uploadName(key.substring(key.lastIndexOf('/') + 1))) {
            uploadCompleted.run();
        }
    }

    @Override
    public boolean accept(GenericFile<Object> file) {
        return file.isDirectory() || (regular(file) && !writing.containsKey(file.getRelativeFilePath()));
    }

    /**
     * Whether this server saw the file's upload complete, at the size the route listed, and nobody has it open
     * for writing since: then it is whole now, whatever its mtime says.
     */
    public boolean uploadedHere(GenericFile<?> file) {
        String key = file.getRelativeFilePath();
        Long size = completed.get(key);
        return size != null && size == file.getFileLength() && !writing.containsKey(key);
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

    /**
     * The path as the inbox route names it: {providerId}/inbox/{file}, encoded as the service sees it, whether a
     * provider's session names it (from its own root) or the service's (which deletes the file once answered).
     */
    private String key(ServerSession session, Path file) {
        String path = file.toString();
        String encoded = SftpFileNames.encodePath(path.startsWith("/") ? path : "/" + path);
        return session.getUsername().equals(serviceUser) ? encoded.substring(1) : session.getUsername() + encoded;
    }

    private static boolean inInbox(String key) {
        String[] parts = key.split("/", -1);
        return parts.length == 3 && parts[1].equals(SftpDropBox.INBOX);
    }

    private static boolean isWrite(Handle handle) {
        return handle instanceof FileHandle f && (f.getOpenOptions().contains(StandardOpenOption.WRITE)
                || f.getOpenOptions().contains(StandardOpenOption.APPEND));
    }
}
