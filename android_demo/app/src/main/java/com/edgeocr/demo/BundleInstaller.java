package com.edgeocr.demo;

import android.content.Context;
import android.content.res.AssetManager;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Copies the bundle packed in assets/bundle/ to the app's files folder: Paddle-Lite loads
 * models from files, not from the APK. Copied again whenever the packed manifest differs
 * from the installed one (a new APK with another bundle).
 */
final class BundleInstaller {
    private static final String ASSET_DIR = "bundle";
    private static final String MANIFEST = "manifest.json";

    private BundleInstaller() {
    }

    static File install(Context context) throws IOException, OcrException {
        AssetManager assets = context.getAssets();
        String[] names = assets.list(ASSET_DIR);
        if (names == null || !Arrays.asList(names).contains(MANIFEST)) {
            throw new OcrException("No bundle in the app's assets: run `edgeocr android prepare` and rebuild the app");
        }
        File target = new File(context.getFilesDir(), ASSET_DIR);
        byte[] packed = read(assets.open(ASSET_DIR + "/" + MANIFEST));
        File installed = new File(target, MANIFEST);
        if (installed.isFile() && Arrays.equals(packed, read(new FileInputStream(installed)))) {
            return target;
        }
        File staging = new File(context.getFilesDir(), ASSET_DIR + ".new");
        deleteTree(staging);
        if (!staging.mkdirs()) {
            throw new IOException("cannot create " + staging);
        }
        for (String name : names) {
            try (InputStream in = assets.open(ASSET_DIR + "/" + name);
                 OutputStream out = new FileOutputStream(new File(staging, name))) {
                copy(in, out);
            }
        }
        deleteTree(target);
        if (!staging.renameTo(target)) {
            throw new IOException("cannot move " + staging + " to " + target);
        }
        return target;
    }

    private static byte[] read(InputStream in) throws IOException {
        try (InputStream stream = in; ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            copy(stream, out);
            return out.toByteArray();
        }
    }

    private static void copy(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[1 << 16];
        int n;
        while ((n = in.read(buffer)) > 0) {
            out.write(buffer, 0, n);
        }
    }

    private static void deleteTree(File f) {
        File[] children = f.listFiles();
        if (children != null) {
            for (File c : children) {
                deleteTree(c);
            }
        }
        //noinspection ResultOfMethodCallIgnored
        f.delete();
    }
}
