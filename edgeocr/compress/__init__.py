"""Compression: PaddleSlim PACT quantization-aware training, post-training quantization and
sensitivity-based filter pruning of the PP-OCRv2 models, driven by YAML recipes (``quant/``)."""
