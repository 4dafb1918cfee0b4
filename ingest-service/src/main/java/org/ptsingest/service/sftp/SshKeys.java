package org.ptsingest.service.sftp;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.NamedResource;
import java.io.InputStream;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyEncryptionContext;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.util.security.SecurityUtils;

/** OpenSSH key handling on top of MINA SSHD: parse authorized-key lines, generate and load key pairs. */
public final class SshKeys {
    private SshKeys() {}

    /** A public key line as an ops user pasted it, parsed; the message says what is wrong otherwise. */
    public record ParsedKey(String line, PublicKey key, String fingerprint) {}

    public static ParsedKey parse(String line) {
        try {
            AuthorizedKeyEntry entry = AuthorizedKeyEntry.parseAuthorizedKeyEntry(line.strip());
            if (entry == null) {
                throw new IllegalArgumentException("empty key line");
            }
            PublicKey key = entry.resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
            return new ParsedKey(PublicKeyEntry.toString(key), key, KeyUtils.getFingerPrint(key));
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("not an OpenSSH public key: " + e.getMessage(), e);
        }
    }

    /** Parses every non-blank, non-comment line; throws naming the first bad line. */
    public static List<ParsedKey> parseAll(String text) {
        List<ParsedKey> keys = new ArrayList<>();
        String[] lines = text.split("\\R");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                keys.add(parse(line));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return keys;
    }

    /** Loads an OpenSSH private key, generating an ECDSA P-256 one (mode 600) when the file is missing. */
    public static KeyPair loadOrGenerate(Path file, String comment) throws IOException, GeneralSecurityException {
        if (!Files.exists(file)) {
            Files.createDirectories(file.getParent());
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = gen.generateKeyPair();
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, comment,
                        (OpenSSHKeyEncryptionContext) null, out);
            }
            restrict(tmp);
            Files.move(tmp, file);
            Files.writeString(file.resolveSibling(file.getFileName() + ".pub"),
                    PublicKeyEntry.toString(pair.getPublic()) + " " + comment + "\n");
        }
        try (InputStream in = Files.newInputStream(file)) {
            var pairs = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(file.toString()), in, null);
            if (pairs == null || !pairs.iterator().hasNext()) {
                throw new GeneralSecurityException("no key pair in " + file);
            }
            return pairs.iterator().next();
        }
    }

    static void restrict(Path file) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException | IOException e) {
            // Not a POSIX file system: nothing more we can do here.
        }
    }
}
