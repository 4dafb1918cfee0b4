package org.ptsingest.service.ingest;

import org.ptsingest.routes.SftpQuarantineRoute;
import org.springframework.stereotype.Component;

/** The routes' handle on {@link Deliveries#handOver} (bean {@value SftpQuarantineRoute#HAND_OVER}). */
@Component(SftpQuarantineRoute.HAND_OVER)
public class DeliveryHandOver {
    private final Deliveries deliveries;

    DeliveryHandOver(Deliveries deliveries) {
        this.deliveries = deliveries;
    }

    public void handOver(long deliveryId) {
        deliveries.handOver(deliveryId);
    }
}
