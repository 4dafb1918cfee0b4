/** CSV feed v1: header rules and value checks on top of Commons CSV, streaming. */
package org.ptsingest.feed.csv;
