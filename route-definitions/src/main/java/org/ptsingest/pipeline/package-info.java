/** The contract between channels (routes) and the feed pipeline that judges and stores feeds. */
package org.ptsingest.pipeline;
