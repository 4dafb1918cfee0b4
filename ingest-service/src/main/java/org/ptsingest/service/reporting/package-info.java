/**
 * Reporting windows seen from ops: which systems owe a reading for a month's window and have none.
 */
package org.ptsingest.service.reporting;
