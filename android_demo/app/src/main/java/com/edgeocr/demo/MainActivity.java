package com.edgeocr.demo;

import android.app.Activity;
import android.content.ActivityNotFoundException;
import android.content.Intent;
import android.content.SharedPreferences;
import android.graphics.Bitmap;
import android.graphics.BitmapFactory;
import android.graphics.Canvas;
import android.graphics.Color;
import android.graphics.Matrix;
import android.graphics.Paint;
import android.graphics.Path;
import android.media.ExifInterface;
import android.net.Uri;
import android.os.Bundle;
import android.provider.MediaStore;
import android.widget.Button;
import android.widget.EditText;
import android.widget.ImageView;
import android.widget.SeekBar;
import android.widget.Spinner;
import android.widget.TextView;

import androidx.core.content.FileProvider;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * One screen: pick an image (gallery) or take a photo, run det (+cls) + rec on the bundled
 * Paddle-Lite bundle, draw the boxes, list texts with scores and show per-stage latency.
 * Settings (threads, power mode, det long side, score threshold, run mode) apply on "Apply".
 * Every failure - a bundle that does not load, an image that does not decode - is shown as
 * a message; OCR runs on a worker thread so the screen never freezes.
 */
public final class MainActivity extends Activity {
    private static final int REQUEST_PICK = 1;
    private static final int REQUEST_PHOTO = 2;
    private static final int MAX_SIDE = 2048;  // decoded images are scaled down to this
    private static final String PREFS = "settings";

    private final ExecutorService worker = Executors.newSingleThreadExecutor();
    private OcrEngine engine;  // touched on the worker thread only
    private Bitmap image;
    private Uri photoUri;

    private TextView status, timings, lines, thresholdLabel;
    private ImageView imageView;
    private Spinner threadsSpinner, powerSpinner, modeSpinner;
    private EditText detSideEdit;
    private SeekBar thresholdSeek;

    @Override
    protected void onCreate(Bundle savedInstanceState) {
        super.onCreate(savedInstanceState);
        setContentView(R.layout.activity_main);
        status = findViewById(R.id.status_text);
        timings = findViewById(R.id.timings_text);
        lines = findViewById(R.id.lines_text);
        imageView = findViewById(R.id.image_view);
        threadsSpinner = findViewById(R.id.threads_spinner);
        powerSpinner = findViewById(R.id.power_spinner);
        modeSpinner = findViewById(R.id.mode_spinner);
        detSideEdit = findViewById(R.id.det_side_edit);
        thresholdSeek = findViewById(R.id.threshold_seek);
        thresholdLabel = findViewById(R.id.threshold_label);

        ((Button) findViewById(R.id.pick_button)).setOnClickListener(v -> pickImage());
        ((Button) findViewById(R.id.photo_button)).setOnClickListener(v -> takePhoto());
        ((Button) findViewById(R.id.run_button)).setOnClickListener(v -> runOcr());
        ((Button) findViewById(R.id.apply_button)).setOnClickListener(v -> {
            saveSettings();
            openEngine();
        });
        thresholdSeek.setOnSeekBarChangeListener(new SeekBar.OnSeekBarChangeListener() {
            @Override
            public void onProgressChanged(SeekBar bar, int progress, boolean fromUser) {
                showThreshold();
            }

            @Override
            public void onStartTrackingTouch(SeekBar bar) {
            }

            @Override
            public void onStopTrackingTouch(SeekBar bar) {
            }
        });
        loadSettings();
        openEngine();
    }

    @Override
    protected void onDestroy() {
        worker.execute(() -> {
            if (engine != null) {
                engine.close();
            }
        });
        worker.shutdown();
        super.onDestroy();
    }

    // -- settings ------------------------------------------------------------------------

    private void loadSettings() {
        SharedPreferences p = getSharedPreferences(PREFS, MODE_PRIVATE);
        select(threadsSpinner, R.array.thread_counts, p.getString("threads", "2"));
        select(powerSpinner, R.array.power_modes, p.getString("power_mode", "high"));
        select(modeSpinner, R.array.run_modes, p.getString("mode", "det_cls_rec"));
        detSideEdit.setText(String.valueOf(p.getInt("det_long_side", 960)));
        thresholdSeek.setProgress(p.getInt("score_percent", 50));
        showThreshold();
    }

    private void saveSettings() {
        getSharedPreferences(PREFS, MODE_PRIVATE).edit()
                .putString("threads", selected(threadsSpinner, R.array.thread_counts))
                .putString("power_mode", selected(powerSpinner, R.array.power_modes))
                .putString("mode", selected(modeSpinner, R.array.run_modes))
                .putInt("det_long_side", detLongSide())
                .putInt("score_percent", thresholdSeek.getProgress())
                .apply();
    }

    private void select(Spinner spinner, int valuesId, String value) {
        int index = Arrays.asList(getResources().getStringArray(valuesId)).indexOf(value);
        spinner.setSelection(Math.max(index, 0));
    }

    private String selected(Spinner spinner, int valuesId) {
        return getResources().getStringArray(valuesId)[spinner.getSelectedItemPosition()];
    }

    private int detLongSide() {
        try {
            return Integer.parseInt(detSideEdit.getText().toString().trim());
        } catch (NumberFormatException e) {
            return 0;  // the engine refuses it with a message naming the setting
        }
    }

    private float threshold() {
        return thresholdSeek.getProgress() / 100f;
    }

    private void showThreshold() {
        thresholdLabel.setText(getString(R.string.score_threshold, threshold()));
    }

    // -- engine ------------------------------------------------------------------------

    private void openEngine() {
        final int threads = Integer.parseInt(selected(threadsSpinner, R.array.thread_counts));
        final String power = selected(powerSpinner, R.array.power_modes);
        final String mode = selected(modeSpinner, R.array.run_modes);
        final int detSide = detLongSide();
        status.setText(R.string.status_loading);
        worker.execute(() -> {
            if (engine != null) {
                engine.close();
                engine = null;
            }
            try {
                File bundle = BundleInstaller.install(this);
                engine = OcrEngine.open(bundle.getAbsolutePath(), threads, power, detSide, mode);
                String version = engine.runtimeVersion();
                runOnUiThread(() -> {
                    status.setText(getString(R.string.status_ready, version));
                    if (image != null) {
                        runOcr();
                    }
                });
            } catch (OcrException | IOException | RuntimeException e) {
                showError(e);
            }
        });
    }

    private void runOcr() {
        final Bitmap bitmap = image;
        if (bitmap == null) {
            status.setText(R.string.status_no_image);
            return;
        }
        final float minScore = threshold();
        status.setText(R.string.status_running);
        worker.execute(() -> {
            try {
                if (engine == null) {
                    throw new OcrException("the OCR engine is not loaded (see the message above, then Apply)");
                }
                int w = bitmap.getWidth(), h = bitmap.getHeight();
                int[] argb = new int[w * h];
                bitmap.getPixels(argb, 0, w, 0, 0, w, h);
                OcrResult result = OcrResult.parse(engine.run(argb, w, h, minScore));
                Bitmap drawn = drawBoxes(bitmap, result);
                runOnUiThread(() -> show(drawn, result));
            } catch (OcrException | RuntimeException e) {
                showError(e);
            }
        });
    }

    private void show(Bitmap drawn, OcrResult result) {
        imageView.setImageBitmap(drawn);
        status.setText(getString(R.string.status_done, result.lines.size()));
        timings.setText(getString(R.string.timings, result.detPre, result.detInfer, result.detPost, result.cls,
                result.rec, result.total));
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < result.lines.size(); i++) {
            OcrResult.Line line = result.lines.get(i);
            text.append(String.format(Locale.ROOT, "%d. %s  (%.3f)\n", i + 1, line.text, line.score));
        }
        lines.setText(text.toString());
    }

    private void showError(Exception e) {
        String message = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        runOnUiThread(() -> status.setText(getString(R.string.error_prefix, message)));
    }

    private static Bitmap drawBoxes(Bitmap source, OcrResult result) {
        Bitmap copy = source.copy(Bitmap.Config.ARGB_8888, true);
        Canvas canvas = new Canvas(copy);
        Paint paint = new Paint(Paint.ANTI_ALIAS_FLAG);
        paint.setStyle(Paint.Style.STROKE);
        paint.setColor(Color.rgb(0, 200, 80));
        paint.setStrokeWidth(Math.max(2f, Math.max(copy.getWidth(), copy.getHeight()) / 400f));
        for (OcrResult.Line line : result.lines) {
            Path path = new Path();
            path.moveTo(line.box[0], line.box[1]);
            for (int p = 1; p < 4; p++) {
                path.lineTo(line.box[2 * p], line.box[2 * p + 1]);
            }
            path.close();
            canvas.drawPath(path, paint);
        }
        return copy;
    }

    // -- images ------------------------------------------------------------------------

    private void pickImage() {
        Intent intent = new Intent(Intent.ACTION_GET_CONTENT).setType("image/*").addCategory(Intent.CATEGORY_OPENABLE);
        startActivityForResult(intent, REQUEST_PICK);
    }

    private void takePhoto() {
        File dir = new File(getCacheDir(), "photos");
        if (!dir.isDirectory() && !dir.mkdirs()) {
            showError(new IOException("cannot create " + dir));
            return;
        }
        photoUri = FileProvider.getUriForFile(this, "com.edgeocr.demo.photos", new File(dir, "photo.jpg"));
        Intent intent = new Intent(MediaStore.ACTION_IMAGE_CAPTURE).putExtra(MediaStore.EXTRA_OUTPUT, photoUri)
                .addFlags(Intent.FLAG_GRANT_WRITE_URI_PERMISSION);
        try {
            startActivityForResult(intent, REQUEST_PHOTO);
        } catch (ActivityNotFoundException e) {
            status.setText(R.string.no_camera);
        }
    }

    @Override
    protected void onActivityResult(int requestCode, int resultCode, Intent data) {
        super.onActivityResult(requestCode, resultCode, data);
        if (resultCode != RESULT_OK) {
            return;
        }
        Uri uri = requestCode == REQUEST_PICK && data != null ? data.getData() : photoUri;
        if (uri == null) {
            return;
        }
        try {
            image = decode(uri);
            imageView.setImageBitmap(image);
            runOcr();
        } catch (IOException | OcrException e) {
            showError(e);
        }
    }

    /** Decodes an image no larger than MAX_SIDE, turned upright by its EXIF orientation. */
    private Bitmap decode(Uri uri) throws IOException, OcrException {
        BitmapFactory.Options bounds = new BitmapFactory.Options();
        bounds.inJustDecodeBounds = true;
        try (InputStream in = getContentResolver().openInputStream(uri)) {
            BitmapFactory.decodeStream(in, null, bounds);
        }
        if (bounds.outWidth <= 0 || bounds.outHeight <= 0) {
            throw new OcrException("not an image Android can decode: " + uri);
        }
        BitmapFactory.Options options = new BitmapFactory.Options();
        options.inPreferredConfig = Bitmap.Config.ARGB_8888;
        options.inSampleSize = 1;
        while (Math.max(bounds.outWidth, bounds.outHeight) / options.inSampleSize > MAX_SIDE) {
            options.inSampleSize *= 2;
        }
        Bitmap bitmap;
        try (InputStream in = getContentResolver().openInputStream(uri)) {
            bitmap = BitmapFactory.decodeStream(in, null, options);
        }
        if (bitmap == null) {
            throw new OcrException("the image could not be decoded (damaged or unsupported): " + uri);
        }
        int degrees;
        try (InputStream in = getContentResolver().openInputStream(uri)) {
            switch (new ExifInterface(in).getAttributeInt(ExifInterface.TAG_ORIENTATION, ExifInterface.ORIENTATION_NORMAL)) {
                case ExifInterface.ORIENTATION_ROTATE_90:
                    degrees = 90;
                    break;
                case ExifInterface.ORIENTATION_ROTATE_180:
                    degrees = 180;
                    break;
                case ExifInterface.ORIENTATION_ROTATE_270:
                    degrees = 270;
                    break;
                default:
                    degrees = 0;
            }
        }
        if (degrees == 0) {
            return bitmap;
        }
        Matrix matrix = new Matrix();
        matrix.postRotate(degrees);
        return Bitmap.createBitmap(bitmap, 0, 0, bitmap.getWidth(), bitmap.getHeight(), matrix, true);
    }
}
