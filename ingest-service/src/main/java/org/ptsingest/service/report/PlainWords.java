package org.ptsingest.service.report;

import org.ptsingest.feed.OutcomeCode;

/**
 * What an outcome code means for an owner who typed one reading, in plain words; the rule's own message
 * (with its numbers and times) is shown beneath it.
 */
final class PlainWords {
    private PlainWords() {}

    static String explain(OutcomeCode code) {
        return switch (code) {
            case ACCEPTED -> "Your reading is stored.";
            case HIGH_PRODUCTION -> "Your reading is stored. It shows more production than usual for the size of "
                    + "your system, so programme staff will look at it; you need do nothing.";
            case DUPLICATE -> "This exact reading is already on record; nothing new was stored.";
            case REGISTER_DECREASED -> "Your reading was not stored: it is lower than a reading already on record. "
                    + "A meter only counts up, so please check the number on the meter and enter it again.";
            case CAPACITY_EXCEEDED -> "Your reading was not stored: it would mean your system produced more than "
                    + "it physically can since the last reading. Please check the number (all digits, no extra "
                    + "digit) and enter it again.";
            case CONFLICTING_READING -> "Your reading was not stored: a different reading is already on record "
                    + "for exactly that date and time. Please check the time and enter it again.";
            case DAS_MANDATE -> "Your reading was not stored: this system is larger than the limit for "
                    + "self-reporting, so its production must be reported through an approved Data Acquisition "
                    + "System (DAS) provider.";
            case FUTURE_READING -> "Your reading was not stored: its date and time are in the future.";
            case BEFORE_INTERCONNECTION -> "Your reading was not stored: its date is before the system was "
                    + "connected to the grid.";
            case NOT_DESIGNATED_REPORTER -> "Your reading was not stored: you are not the registered reporter of "
                    + "this system on that date. Contact the programme if this is wrong.";
            case METER_NOT_INSTALLED -> "Your reading was not stored: the meter on record for this system is "
                    + "another one. Contact the programme if your meter was replaced.";
            case UNKNOWN_SYSTEM -> "Your reading was not stored: the system is not registered.";
            case INVALID_VALUE -> "Your reading was not stored: a value could not be read. Please enter it again.";
            default -> "Your reading was not stored (" + code + ").";
        };
    }
}
