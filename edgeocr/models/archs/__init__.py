"""PP-OCR architectures, assembled from backbone / neck / head by config as in PaddleOCR's
``ppocr/modeling``. Layer structure and creation order follow PaddleOCR so that its
training checkpoints load, and so that parameter names line up with exported models."""
