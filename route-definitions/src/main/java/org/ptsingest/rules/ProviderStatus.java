package org.ptsingest.rules;

/** A DAS provider's standing with the programme administrator. */
public enum ProviderStatus { APPROVED, SUSPENDED, REVOKED }
