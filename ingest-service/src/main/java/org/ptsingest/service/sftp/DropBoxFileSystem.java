package org.ptsingest.service.sftp;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.AclEntry;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.security.Principal;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.sftp.server.DirectoryHandle;
import org.apache.sshd.sftp.server.FileHandle;
import org.apache.sshd.sftp.server.SftpFileSystemAccessor;
import org.apache.sshd.sftp.server.SftpSubsystemProxy;
import org.ptsingest.routes.SftpFileNames;

/**
 * The drop box's file system as the SFTP server applies it: what a provider may do
 * ({@link DropBoxRights}), what anybody sees in a listing, and the names the service's own account
 * sees ({@link SftpFileNames}). A refusal is an {@link AccessDeniedException}, which the server
 * answers with SSH_FX_PERMISSION_DENIED; the session goes on.
 *
 * <p>Listings show regular files and directories only. A symbolic link, a loop of links, a FIFO or a
 * socket put into a folder on the host (nobody can create one over SFTP here) would otherwise fail
 * the whole directory read, or block the reader on a FIFO, and the inbox route reads every
 * provider's inbox in one walk: one provider's junk would stop every provider's feeds. Hiding them
 * here keeps that single walk (one consumer, one claim repository) instead of a route per provider.
 */
final class DropBoxFileSystem implements SftpFileSystemAccessor {
    private final String serviceUser;

    DropBoxFileSystem(String serviceUser) {
        this.serviceUser = serviceUser;
    }

    private boolean isService(SftpSubsystemProxy subsystem) {
        return serviceUser.equals(subsystem.getServerSession().getUsername());
    }

    private void check(SftpSubsystemProxy subsystem, boolean allowed, String what, Path path)
            throws AccessDeniedException {
        if (!allowed && !isService(subsystem)) {
            throw new AccessDeniedException(path.toString(), null, what + " is not allowed in the drop box "
                    + "(providers may only write, rename and delete regular files in /inbox)");
        }
    }

    /** A new file's name must be one the service can fetch and answer ({@link SftpFileNames#answerable}). */
    private void checkName(SftpSubsystemProxy subsystem, Path file) throws AccessDeniedException {
        String name = file.getFileName() == null ? "" : file.getFileName().toString();
        if (!isService(subsystem) && !SftpFileNames.answerable(name)) {
            throw new AccessDeniedException(file.toString(), null, "the file name is too long for the drop box: "
                    + SftpFileNames.encode(name).length() + " characters as the service reads it, at most "
                    + SftpFileNames.MAX_SEEN_LENGTH + " (a byte outside A-Z a-z 0-9 . _ + - counts three)");
        }
    }

    private static DropBoxRights.Place place(Path path) {
        return DropBoxRights.place(path.toAbsolutePath().normalize().toString());
    }

    private static DropBoxRights.Kind kind(Path path) {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isRegularFile() ? DropBoxRights.Kind.FILE
                    : a.isDirectory() ? DropBoxRights.Kind.DIRECTORY : DropBoxRights.Kind.OTHER;
        } catch (IOException e) {
            return DropBoxRights.Kind.NONE;
        }
    }

    @Override
    public Path resolveLocalFilePath(SftpSubsystemProxy subsystem, Path rootDir, String remotePath) throws IOException {
        String path = isService(subsystem) ? SftpFileNames.decodePath(remotePath) : remotePath;
        return SftpFileSystemAccessor.super.resolveLocalFilePath(subsystem, rootDir, path);
    }

    @Override
    public void putRemoteFileName(SftpSubsystemProxy subsystem, Path path, Buffer buf, String name, boolean shortName)
            throws IOException {
        if (!isService(subsystem)) {
            buf.putString(name);
        } else if (shortName) {
            buf.putString(SftpFileNames.encodePath(name));
        } else {
            // the "ls -l" line ends with the entry's name
            String raw = path.getFileName() == null ? "" : path.getFileName().toString();
            buf.putString(name.endsWith(raw) ? name.substring(0, name.length() - raw.length()) + SftpFileNames.encode(raw)
                    : name);
        }
    }

    @Override
    public SeekableByteChannel openFile(SftpSubsystemProxy subsystem, FileHandle fileHandle, Path file, String handle,
            Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
        DropBoxRights.Kind kind = kind(file);
        if (kind == DropBoxRights.Kind.OTHER) {
            // nobody reads or writes through a link or into a FIFO (it would block the server thread)
            throw new AccessDeniedException(file.toString(), null, "not a regular file");
        }
        boolean writes = options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND);
        if (writes) {
            check(subsystem, DropBoxRights.mayWrite(place(file), kind), "writing here", file);
            if (kind == DropBoxRights.Kind.NONE) {
                checkName(subsystem, file);
            }
        }
        return SftpFileSystemAccessor.super.openFile(subsystem, fileHandle, file, handle, options, attrs);
    }

    @Override
    public DirectoryStream<Path> openDirectory(SftpSubsystemProxy subsystem, DirectoryHandle dirHandle, Path dir,
            String handle, LinkOption... linkOptions) throws IOException {
        // the root itself may sit behind a link on the host (e.g. /var -> /private/var); nothing inside may
        boolean root = dir.toAbsolutePath().normalize().getNameCount() == 0;
        if (!Files.isDirectory(dir) || (!root && Files.isSymbolicLink(dir))) {
            throw new AccessDeniedException(dir.toString(), null, "not a directory");
        }
        return Files.newDirectoryStream(dir, entry -> kind(entry).listed());
    }

    @Override
    public void createDirectory(SftpSubsystemProxy subsystem, Path path) throws IOException {
        check(subsystem, false, "creating a directory", path);
        SftpFileSystemAccessor.super.createDirectory(subsystem, path);
    }

    @Override
    public void createLink(SftpSubsystemProxy subsystem, Path link, Path existing, boolean symLink) throws IOException {
        // for the service's account too: nothing in the drop box is ever a link
        throw new AccessDeniedException(link.toString(), null, "links are not allowed in the drop box");
    }

    @Override
    public void removeFile(SftpSubsystemProxy subsystem, Path path, boolean isDirectory) throws IOException {
        check(subsystem, !isDirectory && DropBoxRights.mayRemove(place(path), kind(path)), "removing this", path);
        SftpFileSystemAccessor.super.removeFile(subsystem, path, isDirectory);
    }

    @Override
    public void renameFile(SftpSubsystemProxy subsystem, Path oldPath, Path newPath, Collection<CopyOption> opts)
            throws IOException {
        check(subsystem, DropBoxRights.mayRename(place(oldPath), kind(oldPath), place(newPath), kind(newPath)),
                "renaming this", oldPath);
        checkName(subsystem, newPath);
        SftpFileSystemAccessor.super.renameFile(subsystem, oldPath, newPath, opts);
    }

    @Override
    public void copyFile(SftpSubsystemProxy subsystem, Path src, Path dst, Collection<CopyOption> opts)
            throws IOException {
        check(subsystem, false, "copying on the server", dst);
        SftpFileSystemAccessor.super.copyFile(subsystem, src, dst, opts);
    }

    // Attributes (times, permissions, owners): only on a provider's own regular files in /inbox.

    @Override
    public void setFileAttribute(SftpSubsystemProxy subsystem, Path file, String view, String attribute, Object value,
            LinkOption... options) throws IOException {
        check(subsystem, DropBoxRights.mayWrite(place(file), kind(file)), "changing attributes here", file);
        SftpFileSystemAccessor.super.setFileAttribute(subsystem, file, view, attribute, value, options);
    }

    @Override
    public void setFilePermissions(SftpSubsystemProxy subsystem, Path file, Set<PosixFilePermission> perms,
            LinkOption... options) throws IOException {
        check(subsystem, DropBoxRights.mayWrite(place(file), kind(file)), "changing permissions here", file);
        SftpFileSystemAccessor.super.setFilePermissions(subsystem, file, perms, options);
    }

    @Override
    public void setFileOwner(SftpSubsystemProxy subsystem, Path file, Principal value, LinkOption... options)
            throws IOException {
        check(subsystem, false, "changing an owner", file);
        SftpFileSystemAccessor.super.setFileOwner(subsystem, file, value, options);
    }

    @Override
    public void setGroupOwner(SftpSubsystemProxy subsystem, Path file, Principal value, LinkOption... options)
            throws IOException {
        check(subsystem, false, "changing a group", file);
        SftpFileSystemAccessor.super.setGroupOwner(subsystem, file, value, options);
    }

    @Override
    public void setFileAccessControl(SftpSubsystemProxy subsystem, Path file, List<AclEntry> acl,
            LinkOption... options) throws IOException {
        check(subsystem, false, "changing access control", file);
        SftpFileSystemAccessor.super.setFileAccessControl(subsystem, file, acl, options);
    }
}
