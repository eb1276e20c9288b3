package com.edgeocr.demo;

/**
 * The C++ OCR core (targets/native) through JNI: det + cls + rec over a Paddle-Lite bundle.
 *
 * <p>Plain Java with no Android types, so the JNI binding can be exercised on a desktop JVM
 * (tests/native/test_android_jni.py). Results come back as JSON:
 * {"width", "height", "lines": [{"box": [[x, y] x4], "text", "score"}], "timings_ms": {...},
 * "runtime_version"}. Every native failure arrives as an {@link OcrException}.
 */
public final class OcrEngine implements AutoCloseable {
    static {
        System.loadLibrary("edgeocr_jni");
    }

    private long handle;

    private OcrEngine(long handle) {
        this.handle = handle;
    }

    /**
     * Opens the bundle folder {@code bundleDir} (det.nb, cls.nb, rec.nb, dictionary,
     * config.json, manifest.json) and warms every model up.
     *
     * @param powerMode Paddle-Lite power mode: high, low, full, no_bind, rand_high, rand_low
     * @param detLongSide the detector resizes images so their long side is at most this
     * @param mode det_cls_rec, det_rec or rec (the whole image is one text line)
     */
    public static OcrEngine open(String bundleDir, int threads, String powerMode, int detLongSide, String mode)
            throws OcrException {
        return new OcrEngine(nativeCreate(bundleDir, threads, powerMode, detLongSide, mode));
    }

    /** OCR of {@code argb} (0xAARRGGBB, as Bitmap.getPixels gives), leaving out lines below {@code minScore}. */
    public synchronized String run(int[] argb, int width, int height, float minScore) throws OcrException {
        return nativeRun(handle, argb, width, height, minScore);
    }

    /** The Paddle-Lite version the models run on. */
    public synchronized String runtimeVersion() throws OcrException {
        return nativeRuntimeVersion(handle);
    }

    @Override
    public synchronized void close() {
        if (handle != 0) {
            nativeDestroy(handle);
            handle = 0;
        }
    }

    private static native long nativeCreate(String bundleDir, int threads, String powerMode, int detLongSide,
                                            String mode) throws OcrException;

    private static native String nativeRun(long handle, int[] argb, int width, int height, float minScore)
            throws OcrException;

    private static native String nativeRuntimeVersion(long handle) throws OcrException;

    private static native void nativeDestroy(long handle);
}
