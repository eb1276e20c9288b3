"""Models: PP-OCRv2 architectures (backbone/neck/head by config), the zoo that fills them
with released weights, and loaders for users' own checkpoints and inference models."""
