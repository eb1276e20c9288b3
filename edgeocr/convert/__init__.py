"""Conversion: inference models -> Paddle-Lite ``.nb`` files for a target, packed as a
deploy bundle, with the preflight checks and repairs ``paddle_lite_opt`` does not do."""
