#include "edgeocr/config.h"

#include <cmath>
#include <set>

#include "edgeocr/error.h"

namespace edgeocr {

namespace {
// A setting the pipeline cannot run with; `code` says whose fault it is (bundle or caller).
[[noreturn]] void bad(const std::string& key, const std::string& why, const char* code = codes::kModel) {
  throw Error(code, "ocr setting " + key + ": " + why);
}

int integer(const Json& v, const std::string& key) {
  if (!v.is_number() || v.number() != std::trunc(v.number())) bad(key, "must be an integer");
  return static_cast<int>(v.number());
}

double real(const Json& v, const std::string& key) {
  if (!v.is_number()) bad(key, "must be a number");
  return v.number();
}

std::string text(const Json& v, const std::string& key) {
  if (!v.is_string()) bad(key, "must be a string");
  return v.string();
}

std::array<int, 3> shape(const Json& v, const std::string& key) {
  if (!v.is_array() || v.items().size() != 3) bad(key, "must be [channels, height, width]");
  return {integer(v.items()[0], key), integer(v.items()[1], key), integer(v.items()[2], key)};
}

Json shape_json(const std::array<int, 3>& s) {
  Json a = Json::array();
  for (int d : s) a.push(d);
  return a;
}
}  // namespace

void OcrConfig::validate() const {
  const char* code = codes::kBadArgs;
  if (det_limit_type != "max" && det_limit_type != "min") bad("det_limit_type", "must be 'max' or 'min'", code);
  if (det_db_score_mode != "fast" && det_db_score_mode != "slow")
    bad("det_db_score_mode", "must be 'fast' or 'slow'", code);
  if (det_limit_side_len < 32) bad("det_limit_side_len", "must be at least 32", code);
  if (cls_batch_num < 1 || rec_batch_num < 1) bad("cls_batch_num/rec_batch_num", "must be at least 1", code);
  for (const auto* s : {&cls_image_shape, &rec_image_shape})
    if ((*s)[0] != 3 || (*s)[1] < 1 || (*s)[2] < 1) bad("cls_image_shape/rec_image_shape", "must be [3, height, width]", code);
}

Json OcrConfig::to_json() const {
  Json j = Json::object();
  j.set("det_limit_side_len", det_limit_side_len);
  j.set("det_limit_type", det_limit_type);
  j.set("det_db_thresh", det_db_thresh);
  j.set("det_db_box_thresh", det_db_box_thresh);
  j.set("det_db_unclip_ratio", det_db_unclip_ratio);
  j.set("det_db_max_candidates", det_db_max_candidates);
  j.set("det_db_score_mode", det_db_score_mode);
  j.set("use_dilation", use_dilation);
  j.set("cls_image_shape", shape_json(cls_image_shape));
  j.set("cls_batch_num", cls_batch_num);
  j.set("cls_thresh", cls_thresh);
  j.set("rec_image_shape", shape_json(rec_image_shape));
  j.set("rec_batch_num", rec_batch_num);
  j.set("drop_score", drop_score);
  return j;
}

OcrConfig ocr_config_from_json(const Json& ocr) {
  if (!ocr.is_object()) throw Error(codes::kModel, "config.json: \"ocr\" must be an object");
  OcrConfig c;
  for (const auto& [key, v] : ocr.members()) {
    if (key == "det_limit_side_len") c.det_limit_side_len = integer(v, key);
    else if (key == "det_limit_type") c.det_limit_type = text(v, key);
    else if (key == "det_db_thresh") c.det_db_thresh = real(v, key);
    else if (key == "det_db_box_thresh") c.det_db_box_thresh = real(v, key);
    else if (key == "det_db_unclip_ratio") c.det_db_unclip_ratio = real(v, key);
    else if (key == "det_db_max_candidates") c.det_db_max_candidates = integer(v, key);
    else if (key == "det_db_score_mode") c.det_db_score_mode = text(v, key);
    else if (key == "use_dilation") {
      if (!v.is_bool()) bad(key, "must be true or false");
      c.use_dilation = v.boolean();
    } else if (key == "cls_image_shape") c.cls_image_shape = shape(v, key);
    else if (key == "cls_batch_num") c.cls_batch_num = integer(v, key);
    else if (key == "cls_thresh") c.cls_thresh = real(v, key);
    else if (key == "rec_image_shape") c.rec_image_shape = shape(v, key);
    else if (key == "rec_batch_num") c.rec_batch_num = integer(v, key);
    else if (key == "drop_score") c.drop_score = real(v, key);
    else throw Error(codes::kModel, "config.json: unknown ocr setting \"" + key +
                                         "\" (the bundle is newer than this runner; rebuild the runner)");
  }
  try {
    c.validate();
  } catch (const Error& e) {
    throw Error(codes::kModel, std::string("config.json: ") + e.what());
  }
  return c;
}

}  // namespace edgeocr
