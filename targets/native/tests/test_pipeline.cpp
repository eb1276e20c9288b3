#include "check.h"
#include "edgeocr/error.h"
#include "edgeocr/pipeline.h"
#include "scripted_inference.h"

using namespace edgeocr;

namespace {
Dictionary abc() { return Dictionary::from_text("a\nb\nc\n", "keys.txt"); }
}  // namespace

TEST(pipeline_warms_up_like_text_system_and_finds_both_bars) {
  ScriptedInference inf;
  OcrPipeline p(inf, abc(), OcrConfig{}, Mode::DetClsRec);
  CHECK_EQ(inf.calls.size(), size_t{3});
  CHECK_EQ(inf.calls[0], std::string("det[1, 3, 32, 32]"));
  CHECK_EQ(inf.calls[1], std::string("cls[1, 3, 48, 192]"));
  CHECK_EQ(inf.calls[2], std::string("rec[1, 3, 32, 320]"));
  const OcrResult r = p.run(Image(160, 64));
  CHECK_EQ(r.lines.size(), size_t{2});
  CHECK_EQ(r.lines[0].text, std::string("a"));
  CHECK_EQ(r.lines[0].score, 0.75f);
  CHECK(r.lines[0].box[0].y < r.lines[1].box[0].y);
  CHECK_EQ(inf.calls[4], std::string("cls[2, 3, 48, 192]"));
  CHECK(r.ms.total >= r.ms.det_infer);
}

TEST(det_rec_skips_the_classifier_and_rec_mode_reads_the_whole_image) {
  ScriptedInference inf(false);
  OcrPipeline p(inf, abc(), OcrConfig{}, Mode::DetRec);
  p.run(Image(160, 64));
  for (const std::string& c : inf.calls) CHECK(c.rfind("cls", 0) != 0);
  OcrPipeline rec(inf, abc(), OcrConfig{}, Mode::Rec);
  inf.calls.clear();
  const OcrResult r = rec.run(Image(200, 20));
  CHECK_EQ(inf.calls.size(), size_t{1});
  CHECK_EQ(inf.calls[0], std::string("rec[1, 3, 32, 320]"));
  CHECK_EQ(r.lines.size(), size_t{1});
  CHECK_EQ(r.lines[0].box[2].x, 200.0f);
  CHECK_EQ(r.ms.det_infer, 0.0);
}

TEST(pipeline_refuses_missing_cls_and_mismatched_dictionary) {
  ScriptedInference no_cls(false);
  CHECK_ERROR(OcrPipeline(no_cls, abc(), OcrConfig{}, Mode::DetClsRec), codes::kModel, "needs a cls model");
  ScriptedInference wide(true, 6625);
  CHECK_ERROR(OcrPipeline(wide, abc(), OcrConfig{}, Mode::DetRec), codes::kModel, "rec model outputs 6625 classes");
}
