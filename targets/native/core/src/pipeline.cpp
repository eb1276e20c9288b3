#include "edgeocr/pipeline.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "edgeocr/db_postprocess.h"
#include "edgeocr/decode.h"
#include "edgeocr/error.h"
#include "edgeocr/geometry.h"
#include "edgeocr/preprocess.h"
#include "edgeocr/work_marker.h"

namespace edgeocr {

namespace {
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

void expect_batch(const Tensor& out, Model model, size_t batch, size_t rank) {
  if (out.shape.size() != rank || out.shape[0] != static_cast<int64_t>(batch) || out.numel() != out.data.size())
    throw Error(codes::kModel, std::string(model_name(model)) + " model returned shape " + out.shape_string() +
                                   " for a batch of " + std::to_string(batch));
}
}  // namespace

const char* mode_name(Mode mode) {
  switch (mode) {
    case Mode::DetClsRec: return "det_cls_rec";
    case Mode::DetRec: return "det_rec";
    default: return "rec";
  }
}

std::optional<Mode> parse_mode(const std::string& name) {
  for (Mode m : {Mode::DetClsRec, Mode::DetRec, Mode::Rec})
    if (name == mode_name(m)) return m;
  return std::nullopt;
}

OcrPipeline::OcrPipeline(Inference& inference, Dictionary dict, OcrConfig config, Mode mode)
    : inference_(inference), dict_(std::move(dict)), config_(std::move(config)), mode_(mode) {
  config_.validate();
  if (mode_ == Mode::DetClsRec && !inference_.has(Model::Cls))
    throw Error(codes::kModel, "mode det_cls_rec needs a cls model and the bundle has none; use det_rec");
  inference_.run(Model::Det, Tensor({1, 3, kDetStride, kDetStride}));
  if (mode_ == Mode::DetClsRec) {
    const auto& s = config_.cls_image_shape;
    expect_batch(inference_.run(Model::Cls, Tensor({1, s[0], s[1], s[2]})), Model::Cls, 1, 2);
  }
  const auto& s = config_.rec_image_shape;
  const Tensor rec = inference_.run(Model::Rec, Tensor({1, s[0], s[1], s[2]}));
  expect_batch(rec, Model::Rec, 1, 3);
  dict_.check_matches(static_cast<size_t>(rec.shape[2]));
}

// Stage markers (edgeocr/work_marker.h) enclose the stage timers: begin before the clock is
// read, end after, so the timed spans stay as they were.
std::vector<Quad> OcrPipeline::detect(const Image& image, StageTimes& ms) const {
  stage_begin(EDGEOCR_WORK_DET_PRE);
  auto t = Clock::now();
  const auto [resize_h, resize_w] =
      det_target_size(image.height, image.width, config_.det_limit_side_len, config_.det_limit_type == "max");
  const Tensor input = det_input(image, resize_h, resize_w);
  ms.det_pre = ms_since(t);
  stage_end(EDGEOCR_WORK_DET_PRE);

  stage_begin(EDGEOCR_WORK_DET_INFER);
  t = Clock::now();
  const Tensor probs = inference_.run(Model::Det, input);
  ms.det_infer = ms_since(t);
  stage_end(EDGEOCR_WORK_DET_INFER);

  stage_begin(EDGEOCR_WORK_DET_POST);
  t = Clock::now();
  if (probs.shape.size() != 4 || probs.shape[0] != 1 || probs.shape[1] != 1 || probs.shape[2] != resize_h ||
      probs.shape[3] != resize_w || probs.numel() != probs.data.size())
    throw Error(codes::kModel, "det model returned shape " + probs.shape_string() + " for input " + input.shape_string());
  DbParams params;
  params.thresh = static_cast<float>(config_.det_db_thresh);
  params.box_thresh = config_.det_db_box_thresh;
  params.max_candidates = config_.det_db_max_candidates;
  params.unclip_ratio = config_.det_db_unclip_ratio;
  params.use_dilation = config_.use_dilation;
  params.score_fast = config_.det_db_score_mode == "fast";
  const std::vector<DbBox> boxes = db_boxes(probs.data.data(), resize_h, resize_w, image.height, image.width, params);
  std::vector<Quad> sorted = sorted_boxes(filter_det_boxes(boxes, image.height, image.width));
  ms.det_post = ms_since(t);
  stage_end(EDGEOCR_WORK_DET_POST);
  return sorted;
}

void OcrPipeline::classify(std::vector<Image>& crops) const {
  const auto& shape = config_.cls_image_shape;
  for (const auto& indices : line_batch_order(crops, config_.cls_batch_num)) {
    const Tensor probs = inference_.run(Model::Cls, line_batch(crops, indices, shape[1], shape[2]));
    expect_batch(probs, Model::Cls, indices.size(), 2);
    const std::vector<ClsResult> labels = decode_cls(probs);
    for (size_t k = 0; k < indices.size(); ++k)
      if (labels[k].label == 1 && labels[k].score > config_.cls_thresh) crops[indices[k]] = rotate180(crops[indices[k]]);
  }
}

std::vector<std::pair<std::string, float>> OcrPipeline::recognize(const std::vector<Image>& crops) const {
  const auto& shape = config_.rec_image_shape;
  std::vector<std::pair<std::string, float>> results(crops.size(), {"", 0.0f});
  for (const auto& indices : line_batch_order(crops, config_.rec_batch_num)) {
    const int width = rec_batch_width(crops, indices, shape[1], shape[2]);
    const Tensor probs = inference_.run(Model::Rec, line_batch(crops, indices, shape[1], width));
    expect_batch(probs, Model::Rec, indices.size(), 3);
    const std::vector<TextResult> texts = decode_ctc(probs, dict_);
    for (size_t k = 0; k < indices.size(); ++k) results[indices[k]] = {texts[k].text, texts[k].score};
  }
  return results;
}

OcrResult OcrPipeline::run(const Image& image) const {
  if (image.empty()) throw Error(codes::kBadInput, "image has no pixels");
  OcrResult result;
  if (mode_ == Mode::Rec) {  // the image is one text-line crop; the whole run is its rec stage
    stage_begin(EDGEOCR_WORK_REC);
    const auto start = Clock::now();
    const auto texts = recognize({image});
    const float w = static_cast<float>(image.width), h = static_cast<float>(image.height);
    result.lines.push_back(OcrLine{Quad{PointF{0, 0}, PointF{w, 0}, PointF{w, h}, PointF{0, h}}, texts[0].first, texts[0].second});
    result.ms.rec = result.ms.total = ms_since(start);
    stage_end(EDGEOCR_WORK_REC);
    return result;
  }
  // The run's total includes the stage markers between its stages: a few failing syscalls.
  const auto start = Clock::now();
  const std::vector<Quad> boxes = detect(image, result.ms);
  stage_begin(EDGEOCR_WORK_DET_POST);
  auto t = Clock::now();
  std::vector<Image> crops;
  crops.reserve(boxes.size());
  for (const Quad& box : boxes) crops.push_back(rotate_crop(image, box));
  result.ms.det_post += ms_since(t);  // cutting out the crops ends detection
  stage_end(EDGEOCR_WORK_DET_POST);

  // Only det_cls_rec reports a cls stage (the runner's runs_ms), so only it marks one.
  if (mode_ == Mode::DetClsRec) stage_begin(EDGEOCR_WORK_CLS);
  t = Clock::now();
  if (mode_ == Mode::DetClsRec && !crops.empty()) classify(crops);
  result.ms.cls = ms_since(t);
  if (mode_ == Mode::DetClsRec) stage_end(EDGEOCR_WORK_CLS);

  stage_begin(EDGEOCR_WORK_REC);
  t = Clock::now();
  const auto texts = crops.empty() ? std::vector<std::pair<std::string, float>>{} : recognize(crops);
  result.ms.rec = ms_since(t);
  stage_end(EDGEOCR_WORK_REC);
  for (size_t i = 0; i < boxes.size(); ++i) result.lines.push_back(OcrLine{boxes[i], texts[i].first, texts[i].second});
  result.ms.total = ms_since(start);
  return result;
}

Json line_json(const OcrLine& line) {
  Json box = Json::array();
  for (const PointF& p : line.box) {
    Json xy = Json::array();
    xy.push(static_cast<double>(p.x));
    xy.push(static_cast<double>(p.y));
    box.push(xy);
  }
  // Python's round(score, 6): the double nearest the 6-decimal text.
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", static_cast<double>(line.score));
  Json j = Json::object();
  j.set("box", box);
  j.set("text", line.text);
  j.set("score", std::strtod(buf, nullptr));
  return j;
}

}  // namespace edgeocr
