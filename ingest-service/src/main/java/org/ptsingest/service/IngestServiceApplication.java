package org.ptsingest.service;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The DAS ingestion service: SFTP drop box, feed pipeline, registry and feed APIs. */
@SpringBootApplication(scanBasePackages = "org.ptsingest")
@org.springframework.scheduling.annotation.EnableScheduling
@ConfigurationPropertiesScan("org.ptsingest.config")
public class IngestServiceApplication {
    public static void main(String[] args) {
        SpringApplication.run(IngestServiceApplication.class, args);
    }
}
