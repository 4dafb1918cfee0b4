package org.ptsingest.feed;

/** The feed formats the service reads; each has a contract in schemas/. */
public enum FeedFormat {
    /** schemas/csv-feed-v1.md */
    CSV_V1,
    /** schemas/feed-v1.xsd */
    XML_V1,
    /** schemas/json-feed-v1.schema.json */
    JSON_V1,
    /** the PTS ARData XML document DAS clients already send (translated at the edge) */
    PTS_ARDATA,
    /** the PTS REST JSON body DAS clients already send (translated at the edge) */
    PTS_JSON
}
