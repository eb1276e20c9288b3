#include "check.h"
#include "edgeocr/decode.h"
#include "edgeocr/error.h"

using namespace edgeocr;

namespace {
// [1, T, C] one-hot-ish probabilities: class `ids[t]` gets `p[t]`, the rest share the remainder.
Tensor steps(const std::vector<int>& ids, const std::vector<float>& p, int classes) {
  Tensor t({1, static_cast<int64_t>(ids.size()), classes});
  for (size_t s = 0; s < ids.size(); ++s)
    for (int c = 0; c < classes; ++c) t.data[s * classes + c] = c == ids[s] ? p[s] : (1 - p[s]) / (classes - 1);
  return t;
}
}  // namespace

TEST(ctc_merges_repeats_and_drops_blanks) {
  const Dictionary d = Dictionary::from_text("a\nb\n", "k");  // blank=0 a=1 b=2 space=3
  const auto r = decode_ctc(steps({1, 1, 0, 1, 2, 2, 3, 0}, {0.9f, 0.8f, 0.9f, 0.7f, 0.6f, 0.9f, 0.5f, 0.9f}, 4), d);
  CHECK_EQ(r[0].text, std::string("aab "));
  CHECK_EQ(r[0].score, (0.9f + 0.7f + 0.6f + 0.5f) / 4.0f);
  CHECK_EQ(decode_ctc(steps({0, 0}, {0.9f, 0.9f}, 4), d)[0].score, 0.0f);
  CHECK_ERROR(decode_ctc(steps({0}, {0.9f}, 5), d), codes::kModel, "outputs 5 classes");
}

TEST(numpy_mean_sums_pairwise_in_float32) {
  // 2^24 + fifteen 1s: a running float sum loses every 1, numpy's eight partial sums keep 14
  std::vector<float> v(16, 1.0f);
  v[0] = 16777216.0f;
  CHECK_EQ(numpy_mean(v), 1048576.875f);
  CHECK_EQ(numpy_mean({0.25f, 0.75f}), 0.5f);
  CHECK(numpy_mean({}) == 0.0f);
}

TEST(cls_takes_first_maximum) {
  Tensor t({3, 2});
  t.data = {0.2f, 0.8f, 0.5f, 0.5f, 0.95f, 0.05f};
  const auto r = decode_cls(t);
  CHECK_EQ(r[0].label, 1);
  CHECK_EQ(r[1].label, 0);
  CHECK_EQ(r[2].score, 0.95f);
}
