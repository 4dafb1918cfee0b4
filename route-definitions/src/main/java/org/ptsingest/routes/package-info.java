/**
 * Camel routes, one per channel plus the shared ingest route. Routes only move data and call the
 * pipeline; every decision is made in plain classes ({@code org.ptsingest.rules}, {@code feed.csv}).
 */
package org.ptsingest.routes;
