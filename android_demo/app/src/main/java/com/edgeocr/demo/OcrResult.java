package com.edgeocr.demo;

import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

import java.util.ArrayList;
import java.util.List;

/** The engine's JSON answer as Java objects, for drawing and listing. */
final class OcrResult {
    static final class Line {
        final float[] box;  // x0, y0, x1, y1, x2, y2, x3, y3: clockwise from top-left
        final String text;
        final double score;

        Line(float[] box, String text, double score) {
            this.box = box;
            this.text = text;
            this.score = score;
        }
    }

    final List<Line> lines = new ArrayList<>();
    final double detPre, detInfer, detPost, cls, rec, total;

    private OcrResult(JSONObject json) throws JSONException {
        JSONArray array = json.getJSONArray("lines");
        for (int i = 0; i < array.length(); i++) {
            JSONObject line = array.getJSONObject(i);
            JSONArray points = line.getJSONArray("box");
            float[] box = new float[8];
            for (int p = 0; p < 4; p++) {
                box[2 * p] = (float) points.getJSONArray(p).getDouble(0);
                box[2 * p + 1] = (float) points.getJSONArray(p).getDouble(1);
            }
            lines.add(new Line(box, line.getString("text"), line.getDouble("score")));
        }
        JSONObject t = json.getJSONObject("timings_ms");
        detPre = t.getDouble("det_pre");
        detInfer = t.getDouble("det_infer");
        detPost = t.getDouble("det_post");
        cls = t.getDouble("cls");
        rec = t.getDouble("rec");
        total = t.getDouble("total");
    }

    static OcrResult parse(String json) throws OcrException {
        try {
            return new OcrResult(new JSONObject(json));
        } catch (JSONException e) {
            throw new OcrException("unexpected answer from the OCR engine: " + e.getMessage());
        }
    }
}
