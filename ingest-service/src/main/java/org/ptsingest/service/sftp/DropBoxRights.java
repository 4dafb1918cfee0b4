package org.ptsingest.service.sftp;

/**
 * What a provider may do in its drop box, as seen from its own root ({@code /inbox},
 * {@code /receipts}, {@code /quarantine}): create, write, rename and delete regular files directly in
 * {@code /inbox}; delete files in {@code /quarantine} (where the service moves a file it could not
 * process, with its {@code .error.json}); read anything it can see. Nothing else: no directories, no
 * links, no changes to {@code /receipts} (receipts are the service's record, written through its own
 * account) or to the folders themselves. Plain rules, no SFTP types; {@link DropBoxFileSystem} applies them.
 */
final class DropBoxRights {
    private DropBoxRights() {}

    /** Where a path is in a provider's view. */
    enum Place { HOME, INBOX, RECEIPTS, QUARANTINE, IN_INBOX, IN_RECEIPTS, IN_QUARANTINE, ELSEWHERE }

    /** What is at a path now (links are never followed). */
    enum Kind {
        NONE, FILE, DIRECTORY, OTHER;

        /** Whether a listing shows it: links, FIFOs, sockets and devices are not shown. */
        boolean listed() {
            return this == FILE || this == DIRECTORY;
        }
    }

    /** {@code path}: absolute and normalised in the provider's view, e.g. {@code /inbox/june.csv}. */
    static Place place(String path) {
        String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        if (p.equals("/") || p.isEmpty()) {
            return Place.HOME;
        }
        if (p.equals("/" + SftpDropBox.INBOX)) {
            return Place.INBOX;
        }
        if (p.equals("/" + SftpDropBox.RECEIPTS)) {
            return Place.RECEIPTS;
        }
        if (p.equals("/" + SftpDropBox.QUARANTINE)) {
            return Place.QUARANTINE;
        }
        int slash = p.indexOf('/', 1);
        if (slash > 0 && p.indexOf('/', slash + 1) < 0 && slash + 1 < p.length()) {
            String folder = p.substring(1, slash);
            if (folder.equals(SftpDropBox.INBOX)) {
                return Place.IN_INBOX;
            }
            if (folder.equals(SftpDropBox.RECEIPTS)) {
                return Place.IN_RECEIPTS;
            }
            if (folder.equals(SftpDropBox.QUARANTINE)) {
                return Place.IN_QUARANTINE;
            }
        }
        return Place.ELSEWHERE;
    }

    /** Create or write (or set the times of) a file. */
    static boolean mayWrite(Place place, Kind existing) {
        return place == Place.IN_INBOX && (existing == Kind.NONE || existing == Kind.FILE);
    }

    static boolean mayRemove(Place place, Kind existing) {
        return (place == Place.IN_INBOX || place == Place.IN_QUARANTINE) && existing == Kind.FILE;
    }

    static boolean mayRename(Place from, Kind fromKind, Place to, Kind toKind) {
        return from == Place.IN_INBOX && mayRemove(from, fromKind) && mayWrite(to, toKind);
    }
}
