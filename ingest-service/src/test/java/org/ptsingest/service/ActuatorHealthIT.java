package org.ptsingest.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** {@code /actuator/health} tells monitoring whether the service is up, and only ops how its parts are. */
class ActuatorHealthIT extends IngestItSupport {

    @Test
    void anonymousCallersGetTheStatusOnly() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(url("/actuator/health")).GET().build());

        assertThat(r.statusCode()).as(r.body()).isIn(200, 503);
        JsonNode health = JSON.readTree(r.body());
        assertThat(health.fieldNames()).toIterable().containsExactly("status");
        // what used to be visible: the database, the SFTP endpoint URI and its known-hosts file
        assertThat(r.body()).doesNotContain("known_hosts").doesNotContain("sftp").doesNotContain("PostgreSQL");
        // nor one component by name
        HttpResponse<String> db = send(HttpRequest.newBuilder(url("/actuator/health/db")).GET().build());
        assertThat(db.body()).doesNotContain("PostgreSQL").doesNotContain("validationQuery");
    }

    @Test
    void providerKeysGetTheStatusOnly() throws Exception {
        loadSampleRegistry();
        HttpResponse<String> r = send(HttpRequest.newBuilder(url("/actuator/health"))
                .header("Authorization", "Bearer " + issueKey("sunwatch")).GET().build());

        assertThat(JSON.readTree(r.body()).fieldNames()).toIterable().containsExactly("status");
    }

    @Test
    void opsSeeEveryComponentWithItsDetails() throws Exception {
        HttpResponse<String> r = send(asOps("/actuator/health").GET().build());

        assertThat(r.statusCode()).as(r.body()).isIn(200, 503);
        JsonNode health = JSON.readTree(r.body());
        assertThat(health.at("/components/db/details/database").asText()).isEqualTo("PostgreSQL");
        assertThat(health.at("/components/camelHealth").isMissingNode()).as(r.body()).isFalse();
    }
}
