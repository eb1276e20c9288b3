"""Labelled data: PaddleOCR det/rec label files (read, validate, write) and a synthesizer
that renders readable Chinese/English text lines with exact ground truth."""
