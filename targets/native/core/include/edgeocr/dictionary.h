// The recognizer's classes: blank, then the dictionary's lines, then a space (PaddleOCR's
// use_space_char), so the 6623-line ppocr_keys_v1.txt gives 6625 classes.
#pragma once

#include <string>
#include <vector>

namespace edgeocr {

class Dictionary {
 public:
  // Reads one character per line (CRLF tolerated); throws Error(model) if unreadable or empty.
  static Dictionary load(const std::string& path);
  static Dictionary from_text(const std::string& text, const std::string& name);

  size_t num_classes() const { return classes_.size(); }
  const std::string& cls(size_t index) const { return classes_[index]; }
  const std::string& path() const { return path_; }
  // Throws Error(model) naming both sizes when the rec model disagrees.
  void check_matches(size_t model_classes) const;

 private:
  std::vector<std::string> classes_;
  std::string path_;
};

}  // namespace edgeocr
