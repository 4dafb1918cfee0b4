package org.ptsingest.service.as2;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The feed's name from the payload's Content-Disposition, in the forms mail libraries write it. */
class As2FileNameTest {

    @Test
    void plainQuotedAndExtendedNames() {
        assertThat(As2Admission.dispositionFileName("attachment; filename=march.csv")).isEqualTo("march.csv");
        assertThat(As2Admission.dispositionFileName("attachment; filename=\"march 2026.csv\"")).isEqualTo("march 2026.csv");
        assertThat(As2Admission.dispositionFileName("attachment; filename*=UTF-8''m%C3%A4rz.csv")).isEqualTo("märz.csv");
        assertThat(As2Admission.dispositionFileName("attachment")).isNull();
    }

    /** jakarta.mail splits names longer than 60 characters into RFC 2231 continuations. */
    @Test
    void continuationsAreJoined() {
        String name = "sunwatch-production-feed-for-every-system-of-march-2026-part-0001.xml";
        String header = "attachment; filename*0=\"" + name.substring(0, 40) + "\";\r\n\tfilename*1=\""
                + name.substring(40) + "\"";
        assertThat(As2Admission.dispositionFileName(header)).isEqualTo(name);
        assertThat(As2Admission.dispositionFileName("attachment; filename*0*=UTF-8''m%C3%A4rz-; filename*1*=2026.csv"))
                .isEqualTo("märz-2026.csv");
    }
}
