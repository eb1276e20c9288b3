"""Scores as PaddleOCR reports them: ICDAR 2015 detection P/R/Hmean, recognition line
accuracy and normalised edit distance, and end-to-end text P/R/Hmean. Pure functions over
polygons and strings, so any pipeline (or a phone's output file) can be scored."""
