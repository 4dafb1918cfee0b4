package org.ptsingest.service.as2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class As2PartnersTest {

    @Test
    void as2NamesFollowRfc4130() {
        assertThat(As2Partners.validAs2Name("SUNWATCH-AS2")).isTrue();
        assertThat(As2Partners.validAs2Name("Sun Watch AS2")).isTrue();
        assertThat(As2Partners.validAs2Name("")).isFalse();
        assertThat(As2Partners.validAs2Name("x".repeat(129))).isFalse();
        assertThat(As2Partners.validAs2Name("quo\"te")).isFalse();
        assertThat(As2Partners.validAs2Name("tab\there")).isFalse();
        assertThat(As2Partners.validAs2Name("café")).isFalse();
    }

    @Test
    void certificatesAreReadFromPemOrDerAndAnythingElseIsRefusedWithAReason() throws Exception {
        var id = PartnerAs2Client.newIdentity("P", Instant.now(), Instant.now().plus(Duration.ofDays(1)));
        byte[] pem = org.ptsingest.service.IngestItSupport.pem(id.certificate()).getBytes(StandardCharsets.US_ASCII);

        assertThat(As2Partners.parse(pem)).isEqualTo(id.certificate());
        assertThat(As2Partners.parse(id.certificate().getEncoded())).isEqualTo(id.certificate());
        assertThatThrownBy(() -> As2Partners.parse("hello".getBytes(StandardCharsets.US_ASCII)))
                .hasMessageContaining("not an X.509 certificate");
        assertThatThrownBy(() -> As2Partners.parse("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"
                .getBytes(StandardCharsets.US_ASCII))).isInstanceOf(As2Partners.RegistrationException.class);
        assertThatThrownBy(() -> As2Partners.parse(new byte[0])).hasMessageContaining("missing");
    }
}
