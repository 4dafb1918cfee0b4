/**
 * The production ledger (issue 12): monthly production per system computed by
 * {@link org.ptsingest.rules.ProductionRules} from the stored readings, kept current after every feed, ops
 * decision, registry change and window end, with its revision history, ops adjustments and the quarterly
 * NEPOOL GIS export. {@link org.ptsingest.service.production.ProductionLedger} is what other code calls.
 */
package org.ptsingest.service.production;
