/**
 * The PTS reading rules as plain Java: who may report a system, plausibility against capacity and
 * neighbouring readings, and the precedence of outcome codes. No Camel, Spring or SQL here; the
 * persistence layer feeds these classes sorted streams and a registry snapshot.
 */
package org.ptsingest.rules;
