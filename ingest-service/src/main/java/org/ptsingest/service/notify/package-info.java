/**
 * E-mail: the outbox every message goes through (invitations, password links, window-opening reminders,
 * missing-report notices), its sending worker, the reminder runs, the ops API for self-reporters' accounts
 * and the pages an owner reaches from a one-time link.
 */
package org.ptsingest.service.notify;
