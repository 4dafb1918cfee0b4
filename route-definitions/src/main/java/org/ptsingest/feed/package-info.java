/**
 * The vocabulary every channel and format shares: outcome codes, feed status, channels. Plain Java,
 * no Camel or Spring, so the same names appear in code, schema, receipts and docs.
 */
package org.ptsingest.feed;
