package org.ptsingest.service.as2;

import java.util.Map;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.cms.CMSEnvelopedData;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformation;

/**
 * The algorithms AS2 gateways still offer that are no longer safe: SHA-1 (and MD5) as the signature's
 * digest, 3DES (and DES, RC2) as the envelope's cipher. New partners are refused them; ops allow them
 * per partner ({@code legacy_algorithms_allowed}) for a gateway that cannot do better yet. Read from
 * the CMS structures themselves, not from the {@code micalg} header, which a sender may misstate.
 */
final class LegacyAlgorithms {
    private static final Map<String, String> DIGESTS = Map.of(
            OIWObjectIdentifiers.idSHA1.getId(), "SHA-1",
            PKCSObjectIdentifiers.md5.getId(), "MD5");
    private static final Map<String, String> CIPHERS = Map.of(
            PKCSObjectIdentifiers.des_EDE3_CBC.getId(), "3DES",
            OIWObjectIdentifiers.desCBC.getId(), "DES",
            PKCSObjectIdentifiers.RC2_CBC.getId(), "RC2");

    private LegacyAlgorithms() {}

    /**
     * What legacy algorithm the message uses ("signed with SHA-1", "encrypted with 3DES"), or null.
     * Structures that cannot be read are not judged here: decryption and verification already passed.
     */
    static String used(byte[] envelope, byte[] signedPart, byte[] signature) {
        try {
            String cipher = CIPHERS.get(new CMSEnvelopedData(envelope).getEncryptionAlgOID());
            if (cipher != null) {
                return "encrypted with " + cipher;
            }
        } catch (Exception e) {
            // decrypted already; an unreadable algorithm identifier is not a legacy one
        }
        try {
            CMSSignedData signed = new CMSSignedData(new CMSProcessableByteArray(signedPart), signature);
            for (SignerInformation signer : signed.getSignerInfos()) {
                String digest = DIGESTS.get(signer.getDigestAlgOID());
                if (digest != null) {
                    return "signed with " + digest;
                }
            }
        } catch (Exception e) {
            // verified already
        }
        return null;
    }
}
