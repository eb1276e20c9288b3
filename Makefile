# The two commands of the README: `make demo` (the default end-to-end job) and `make test`.
SHELL := /bin/bash
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= out/demo
export EDGEOCR_HOME ?= $(CURDIR)/out/home

.PHONY: setup demo test sample

setup:
	@bash .ci/setup

# Bundled sample set: rendered deterministically (fixed seeds) at set-up, never downloaded.
sample: setup
	@[ -f out/sample/rec/labels.txt ] || $(BIN)/edgeocr data synth --kind rec --count 120 --seed 7 --out out/sample/rec
	@[ -f out/sample/rec-eval/labels.txt ] || $(BIN)/edgeocr data synth --kind rec --count 60 --seed 9 --out out/sample/rec-eval
	@[ -f out/sample/det/labels.txt ] || $(BIN)/edgeocr data synth --kind det --count 12 --seed 11 --out out/sample/det

demo: setup sample
	$(BIN)/edgeocr models pull ppocrv2
	@mkdir -p $(OUT) && head -n 2 out/sample/det/labels.txt | sed 's#^#$(CURDIR)/out/sample/det/#' > $(OUT)/verify-labels.txt
	$(BIN)/edgeocr ocr out/sample/det/images --out $(OUT)/ocr.json --draw $(OUT)/drawn
	$(BIN)/edgeocr eval --task rec --labels out/sample/rec/labels.txt --json $(OUT)/eval_rec.json
	$(BIN)/edgeocr eval --task det --labels out/sample/det/labels.txt --json $(OUT)/eval_det.json
	$(BIN)/edgeocr eval --task e2e --labels out/sample/det/labels.txt --json $(OUT)/eval_e2e.json
	$(BIN)/edgeocr quantize --model cls --steps 10 --train out/sample/rec/labels.txt \
	    --eval out/sample/rec-eval/labels.txt --out $(OUT)/cls-pact
	$(BIN)/edgeocr convert --target arm64-v8a --cls $(OUT)/cls-pact --out $(OUT)/bundle-arm64-v8a --force --no-verify
	@# On real ARM kernels when a Paddle-Lite ARM library is given ($$EDGEOCR_LITE_LIB); else it says what it could not verify (exit 3)
	$(BIN)/edgeocr verify $(OUT)/bundle-arm64-v8a --out $(OUT)/verify-arm64-v8a || [ $$? -eq 3 ]
	@# ONNX Runtime bundle for ARM Linux, verified on ONNX Runtime's real aarch64 kernels on the emulated board
	@# (two sample scenes, to stay quick; exit 3: no board here)
	$(BIN)/edgeocr convert --target armlinux-aarch64 --runtime onnxruntime --out $(OUT)/bundle-armlinux-onnxruntime \
	    --force --no-verify
	$(BIN)/edgeocr verify $(OUT)/bundle-armlinux-onnxruntime --data $(OUT)/verify-labels.txt \
	    --out $(OUT)/verify-armlinux-onnxruntime || [ $$? -eq 3 ]
	$(BIN)/edgeocr convert --target x86_64 --out $(OUT)/bundle-x86_64 --force
	$(BIN)/edgeocr convert --target x86_64 --runtime onnxruntime --out $(OUT)/bundle-x86_64-onnxruntime --force
	$(BIN)/edgeocr eval --task e2e --backend lite --bundle $(OUT)/bundle-x86_64 \
	    --labels out/sample/det/labels.txt --json $(OUT)/eval_e2e_lite.json
	$(BIN)/edgeocr bench --local --bundle $(OUT)/bundle-x86_64 --bundle $(OUT)/bundle-x86_64-onnxruntime \
	    --data out/sample/det/labels.txt \
	    --threads 2 --warmup 1 --repeats 3 --cooldown 0 --out $(OUT)/bench
	@echo "demo outputs in $(OUT)/"

# Tests run inside a private network namespace with only loopback: the adb server and the
# test devices they start must never reach (or multicast to) any other address.
test: setup
	unshare --net sh -c 'ip link set lo up && exec $(BIN)/python -m pytest -q -p no:cacheprovider tests'
