package com.edgeocr.demo;

/** A problem the OCR engine reports (bad bundle, wrong settings, unreadable image); the
 *  message names it and is meant to be shown to the user as is. */
public final class OcrException extends Exception {
    public OcrException(String message) {
        super(message);
    }
}
