#include "check.h"
#include "edgeocr/config.h"
#include "edgeocr/dictionary.h"
#include "edgeocr/error.h"
#include "edgeocr/sha256.h"

using namespace edgeocr;

TEST(sha256_matches_fips_vectors) {
  CHECK_EQ(sha256_hex(""), std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
  CHECK_EQ(sha256_hex("abc"), std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
  CHECK_EQ(sha256_hex(std::string(1000000, 'a')), std::string("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
}

TEST(dictionary_classes_are_blank_lines_space) {
  const Dictionary d = Dictionary::from_text("a\r\nb\n\nc\n", "keys.txt");
  CHECK_EQ(d.num_classes(), size_t{6});  // blank, a, b, "", c, space
  CHECK_EQ(d.cls(0), std::string("<blank>"));
  CHECK_EQ(d.cls(1), std::string("a"));
  CHECK_EQ(d.cls(3), std::string(""));
  CHECK_EQ(d.cls(5), std::string(" "));
  CHECK_EQ(Dictionary::from_text("a\nb", "k").num_classes(), size_t{4});
  CHECK_ERROR(Dictionary::from_text("", "empty.txt"), codes::kModel, "empty.txt: dictionary is empty");
}

TEST(dictionary_mismatch_names_both_sizes) {
  const Dictionary d = Dictionary::from_text("a\nb\nc\n", "keys.txt");
  d.check_matches(5);
  CHECK_ERROR(d.check_matches(6625), codes::kModel, "keys.txt: 3 entries give 5 classes (blank + entries + space) but the rec model outputs 6625 classes");
}

TEST(ocr_config_reads_python_json_and_refuses_unknown_keys) {
  const OcrConfig c = ocr_config_from_json(Json::parse(
      R"({"det_limit_side_len": 640, "det_limit_type": "min", "rec_image_shape": [3, 48, 320], "use_dilation": true})"));
  CHECK_EQ(c.det_limit_side_len, 640);
  CHECK_EQ(c.det_limit_type, std::string("min"));
  CHECK_EQ(c.rec_image_shape[1], 48);
  CHECK(c.use_dilation);
  CHECK_EQ(c.cls_batch_num, 6);  // default kept
  CHECK_ERROR(ocr_config_from_json(Json::parse(R"({"det_limt_side_len": 640})")), codes::kModel, "unknown ocr setting \"det_limt_side_len\"");
  CHECK_ERROR(ocr_config_from_json(Json::parse(R"({"det_limit_type": "huge"})")), codes::kModel, "det_limit_type");
  CHECK_EQ(ocr_config_from_json(c.to_json()).to_json().dump(), c.to_json().dump());
}
