#include "edgeocr/inference.h"

namespace edgeocr {

const char* model_name(Model model) {
  switch (model) {
    case Model::Det: return "det";
    case Model::Cls: return "cls";
    default: return "rec";
  }
}

}  // namespace edgeocr
