/**
 * The PTS reading rules as plain Java: who may report a system, which of its meters is installed
 * when, plausibility against capacity and neighbouring readings, the precedence of outcome codes, and
 * the programme's reporting windows. No Camel, Spring or SQL here; the
 * persistence layer feeds these classes sorted streams and a registry snapshot.
 */
package org.ptsingest.rules;
