package org.ptsingest.service.as2;

import static org.ptsingest.service.persistence.jooq.Tables.AS2_PARTNER;
import static org.ptsingest.service.persistence.jooq.Tables.PROVIDER;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMParser;
import org.jooq.DSLContext;
import org.ptsingest.service.persistence.jooq.tables.records.As2PartnerRecord;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/** The AS2 trading partners ops registered: provider, AS2 identity, signing certificate. */
@Repository
public class As2Partners {
    private final DSLContext dsl;

    public As2Partners(DSLContext dsl) {
        this.dsl = dsl;
    }

    /**
     * A registered partner: the provider its messages are feeds of, the certificate they must be signed
     * with, and whether it may still use SHA-1 and 3DES ({@link LegacyAlgorithms}).
     */
    public record Partner(String providerId, String as2Id, X509Certificate certificate, Instant registeredAt,
            boolean legacyAlgorithmsAllowed) {
        public boolean validAt(Instant when) {
            return !when.isBefore(certificate.getNotBefore().toInstant())
                    && !when.isAfter(certificate.getNotAfter().toInstant());
        }
    }

    /** Why a registration was refused; the message is shown to ops as is. */
    public static final class RegistrationException extends RuntimeException {
        private final boolean conflict;

        public RegistrationException(String message, boolean conflict) {
            super(message);
            this.conflict = conflict;
        }

        public boolean conflict() {
            return conflict;
        }
    }

    public Optional<Partner> byAs2Id(String as2Id) {
        return dsl.selectFrom(AS2_PARTNER).where(AS2_PARTNER.AS2_ID.eq(as2Id)).fetchOptional().map(As2Partners::partner);
    }

    public Optional<Partner> byProvider(String providerId) {
        return dsl.selectFrom(AS2_PARTNER).where(AS2_PARTNER.PROVIDER_ID.eq(providerId)).fetchOptional()
                .map(As2Partners::partner);
    }

    public List<Partner> all() {
        return dsl.selectFrom(AS2_PARTNER).orderBy(AS2_PARTNER.PROVIDER_ID).fetch(As2Partners::partner);
    }

    /**
     * Registers (or replaces) the provider's AS2 identity and signing certificate. The certificate is
     * PEM or DER; it is stored as given, so an expired one can be registered (messages signed with it
     * are then refused, which is what ops see in the log and the partner in its MDN).
     * {@code legacyAlgorithmsAllowed} lets it sign with SHA-1 and encrypt with 3DES.
     */
    @Transactional
    public Partner register(String providerId, String as2Id, byte[] certificate, boolean legacyAlgorithmsAllowed) {
        if (as2Id == null || !validAs2Name(as2Id)) {
            throw new RegistrationException("as2_id must be 1 to 128 printable ASCII characters "
                    + "(RFC 4130 AS2 name; quote-free)", false);
        }
        X509Certificate cert = parse(certificate);
        if (!dsl.fetchExists(PROVIDER, PROVIDER.PROVIDER_ID.eq(providerId))) {
            throw new RegistrationException("provider " + providerId + " is not registered", false);
        }
        As2PartnerRecord r = dsl.newRecord(AS2_PARTNER);
        r.setProviderId(providerId);
        r.setAs2Id(as2Id);
        try {
            r.setCertificate(cert.getEncoded());
        } catch (CertificateException e) {
            throw new RegistrationException("certificate cannot be encoded: " + e.getMessage(), false);
        }
        r.setSubject(cert.getSubjectX500Principal().getName());
        r.setIssuer(cert.getIssuerX500Principal().getName());
        r.setSerial(cert.getSerialNumber().toString(16));
        r.setNotBefore(cert.getNotBefore().toInstant().atOffset(ZoneOffset.UTC));
        r.setNotAfter(cert.getNotAfter().toInstant().atOffset(ZoneOffset.UTC));
        r.setRegisteredAt(Instant.now().atOffset(ZoneOffset.UTC));
        r.setLegacyAlgorithmsAllowed(legacyAlgorithmsAllowed);
        try {
            dsl.insertInto(AS2_PARTNER).set(r)
                    .onConflict(AS2_PARTNER.PROVIDER_ID).doUpdate().set(r)
                    .execute();
        } catch (DuplicateKeyException e) {
            throw new RegistrationException("AS2 identity " + as2Id + " is already registered for another provider", true);
        }
        return partner(r);
    }

    public boolean remove(String providerId) {
        return dsl.deleteFrom(AS2_PARTNER).where(AS2_PARTNER.PROVIDER_ID.eq(providerId)).execute() > 0;
    }

    /** RFC 4130 §6.2: 1–128 printable US-ASCII characters; we also refuse quotes and backslashes. */
    static boolean validAs2Name(String name) {
        if (name.isEmpty() || name.length() > 128) {
            return false;
        }
        for (char c : name.toCharArray()) {
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    static X509Certificate parse(byte[] certificate) {
        if (certificate == null || certificate.length == 0) {
            throw new RegistrationException("certificate is missing (PEM or DER X.509)", false);
        }
        byte[] der = certificate;
        String text = new String(certificate, java.nio.charset.StandardCharsets.US_ASCII);
        if (text.contains("-----BEGIN")) {
            Object object;
            try (PEMParser pem = new PEMParser(new StringReader(text))) {
                object = pem.readObject();
                if (object instanceof X509CertificateHolder holder) {
                    der = holder.getEncoded();
                }
            } catch (IOException | RuntimeException e) { // BouncyCastle reports broken DER as IllegalArgumentException
                throw new RegistrationException("certificate PEM cannot be read: " + e.getMessage(), false);
            }
            if (!(object instanceof X509CertificateHolder)) {
                throw new RegistrationException("the PEM text holds no X.509 certificate", false);
            }
        }
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (CertificateException e) {
            throw new RegistrationException("certificate is not an X.509 certificate: " + e.getMessage(), false);
        }
    }

    private static Partner partner(As2PartnerRecord r) {
        return new Partner(r.getProviderId(), r.getAs2Id(), parse(r.getCertificate()), r.getRegisteredAt().toInstant(),
                r.getLegacyAlgorithmsAllowed());
    }
}
