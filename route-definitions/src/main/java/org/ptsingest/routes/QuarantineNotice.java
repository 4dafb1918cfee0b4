package org.ptsingest.routes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.LinkedHashMap;
import java.util.Map;
import org.ptsingest.pipeline.DeliveryState;
import org.ptsingest.pipeline.FeedResult;

/**
 * The {@code <file>.error.json} beside a quarantined file: what the provider needs to know, in words
 * (README, "Delivery life-cycle").
 */
public final class QuarantineNotice {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private QuarantineNotice() {}

    public static String json(FeedResult result) throws JsonProcessingException {
        Map<String, Object> notice = new LinkedHashMap<>();
        notice.put("delivery_id", result.deliveryId());
        notice.put("file_name", result.fileName());
        notice.put("state", result.state().name());
        notice.put("error", result.error());
        notice.put("what_happens_next", result.state() == DeliveryState.DISCARDED
                ? "The service's operators discarded this delivery with the reason above; nothing of it was stored. "
                        + "Upload it again only if they ask you to."
                : "The service could not process this file, for a reason that is not its content, on every attempt. "
                        + "Nothing of it was stored. Its operators have been alerted: once the cause is fixed they "
                        + "retry it (its receipt then appears in /receipts) or discard it. There is no need to upload "
                        + "it again; this copy may be deleted.");
        notice.put("status_url", "/api/v1/deliveries/" + result.deliveryId());
        return JSON.writeValueAsString(notice);
    }
}
