package org.ptsingest.service;

import java.time.Clock;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;

/** The DAS ingestion service: SFTP drop box, feed pipeline, registry and feed APIs. */
@SpringBootApplication(scanBasePackages = "org.ptsingest")
@org.springframework.scheduling.annotation.EnableScheduling
@ConfigurationPropertiesScan("org.ptsingest.config")
public class IngestServiceApplication {
    public static void main(String[] args) {
        SpringApplication.run(IngestServiceApplication.class, args);
    }

    /**
     * The time the self-reporting pages and the reminders go by (which reporting window is open, which
     * reminders are due); tests replace it with a clock they set.
     */
    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
