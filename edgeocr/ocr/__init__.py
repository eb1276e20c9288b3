"""End-to-end OCR: det -> cls -> rec as PaddleOCR 2.x does it, over a pluggable backend."""
