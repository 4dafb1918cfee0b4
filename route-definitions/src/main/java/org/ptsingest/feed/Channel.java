package org.ptsingest.feed;

/** How a feed reached the service. */
public enum Channel { SFTP, HTTPS, AS2 }
