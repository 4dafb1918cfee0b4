/** Typed configuration under the single prefix {@code ingest}. */
package org.ptsingest.config;
