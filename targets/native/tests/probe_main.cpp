// Test-only probe: runs one core routine on a batch of JSON cases and prints the results
// as JSON, so tests/native can hold each routine to its OpenCV / pyclipper / shapely /
// numpy counterpart on thousands of generated inputs.
//
//   edgeocr_core_probe < {"op": NAME, "cases": [...]}  > {"results": [...]}
#include <iostream>
#include <iterator>
#include <map>
#include <functional>

#include "edgeocr/db_postprocess.h"
#include "edgeocr/decode.h"
#include "edgeocr/geometry.h"
#include "edgeocr/json.h"
#include "edgeocr/preprocess.h"

using namespace edgeocr;

namespace {
Contour contour_of(const Json& pts) {
  Contour c;
  for (const Json& p : pts.items()) c.push_back(PointI{static_cast<int>(p.items()[0].number()), static_cast<int>(p.items()[1].number())});
  return c;
}

std::vector<PointF> floats_of(const Json& pts) {
  std::vector<PointF> v;
  for (const Json& p : pts.items()) v.push_back(PointF{static_cast<float>(p.items()[0].number()), static_cast<float>(p.items()[1].number())});
  return v;
}

Quad quad_of(const Json& pts) {
  const std::vector<PointF> v = floats_of(pts);
  return Quad{v.at(0), v.at(1), v.at(2), v.at(3)};
}

Json points_json(const Contour& c) {
  Json a = Json::array();
  for (const PointI& p : c) {
    Json q = Json::array();
    q.push(p.x);
    q.push(p.y);
    a.push(q);
  }
  return a;
}

Json floats_json(const PointF* p, size_t n) {
  Json a = Json::array();
  for (size_t i = 0; i < n; ++i) {
    Json q = Json::array();
    q.push(static_cast<double>(p[i].x));
    q.push(static_cast<double>(p[i].y));
    a.push(q);
  }
  return a;
}

std::vector<float> float_list(const Json& j) {
  std::vector<float> v;
  for (const Json& x : j.items()) v.push_back(static_cast<float>(x.number()));
  return v;
}

Image image_of(const Json& c) {
  Image im(static_cast<int>(c.at("width").number()), static_cast<int>(c.at("height").number()));
  const auto& px = c.at("pixels").items();
  for (size_t i = 0; i < px.size(); ++i) im.pixels[i] = static_cast<uint8_t>(px[i].number());
  return im;
}

Json image_json(const Image& im) {
  Json j = Json::object();
  j.set("width", im.width);
  j.set("height", im.height);
  Json px = Json::array();
  for (uint8_t v : im.pixels) px.push(static_cast<int>(v));
  j.set("pixels", px);
  return j;
}

const std::map<std::string, std::function<Json(const Json&)>> kOps = {
    {"contours", [](const Json& c) {
       const int w = static_cast<int>(c.at("width").number()), h = static_cast<int>(c.at("height").number());
       std::vector<uint8_t> bitmap;
       for (const Json& v : c.at("bitmap").items()) bitmap.push_back(static_cast<uint8_t>(v.number()));
       Json out = Json::array();
       for (const Contour& k : find_contours(bitmap, w, h)) out.push(points_json(k));
       return out;
     }},
    {"hull", [](const Json& c) { return points_json(convex_hull(contour_of(c.at("points")), c.at("clockwise").boolean())); }},
    {"min_area_rect", [](const Json& c) {
       const RotatedRect r = min_area_rect(contour_of(c.at("points")));
       Json out = Json::object();
       out.set("center", floats_json(&r.center, 1).items()[0]);
       Json size = Json::array();
       size.push(static_cast<double>(r.width));
       size.push(static_cast<double>(r.height));
       out.set("size", size);
       out.set("angle", static_cast<double>(r.angle));
       const Quad q = box_points(r);
       out.set("box", floats_json(q.data(), 4));
       return out;
     }},
    {"mini_box", [](const Json& c) {
       const MiniBox m = mini_box(contour_of(c.at("points")));
       Json out = Json::object();
       out.set("box", floats_json(m.points.data(), 4));
       out.set("short_side", static_cast<double>(m.short_side));
       return out;
     }},
    {"fill_poly", [](const Json& c) {
       const int w = static_cast<int>(c.at("width").number()), h = static_cast<int>(c.at("height").number());
       std::vector<uint8_t> mask(static_cast<size_t>(w) * h, 0);
       fill_poly(mask, w, h, contour_of(c.at("points")));
       Json out = Json::array();
       for (uint8_t v : mask) out.push(static_cast<int>(v));
       return out;
     }},
    {"box_score", [](const Json& c) {
       const std::vector<float> prob = float_list(c.at("prob"));
       return Json(box_score(prob.data(), static_cast<int>(c.at("height").number()), static_cast<int>(c.at("width").number()),
                             floats_of(c.at("polygon"))));
     }},
    {"unclip", [](const Json& c) {
       Json out = Json::object();
       const std::vector<PointF> ring = floats_of(c.at("box"));
       out.set("area", polygon_area(ring));
       out.set("length", polygon_length(ring));
       Json paths = Json::array();
       for (const Contour& p : unclip(quad_of(c.at("box")), c.at("ratio").number())) paths.push(points_json(p));
       out.set("paths", paths);
       return out;
     }},
    {"db", [](const Json& c) {
       const std::vector<float> prob = float_list(c.at("prob"));
       DbParams p;
       p.thresh = static_cast<float>(c.at("thresh").number());
       p.box_thresh = c.at("box_thresh").number();
       p.unclip_ratio = c.at("unclip_ratio").number();
       p.max_candidates = static_cast<int>(c.at("max_candidates").number());
       p.use_dilation = c.at("use_dilation").boolean();
       p.score_fast = c.at("score_mode").string() == "fast";
       const auto boxes = db_boxes(prob.data(), static_cast<int>(c.at("height").number()), static_cast<int>(c.at("width").number()),
                                   static_cast<int>(c.at("src_height").number()), static_cast<int>(c.at("src_width").number()), p);
       Json out = Json::array();
       for (const DbBox& b : boxes) {
         Json box = Json::object();
         box.set("points", points_json(Contour(b.points.begin(), b.points.end())));
         box.set("score", b.score);
         out.push(box);
       }
       return out;
     }},
    {"det_target_size", [](const Json& c) {
       const auto [h, w] = det_target_size(static_cast<int>(c.at("height").number()), static_cast<int>(c.at("width").number()),
                                           static_cast<int>(c.at("limit").number()), c.at("limit_type").string() == "max");
       Json out = Json::array();
       out.push(h);
       out.push(w);
       return out;
     }},
    {"resize", [](const Json& c) {
       return image_json(resize_bilinear(image_of(c.at("image")), static_cast<int>(c.at("width").number()),
                                         static_cast<int>(c.at("height").number())));
     }},
    {"crop", [](const Json& c) { return image_json(rotate_crop(image_of(c.at("image")), quad_of(c.at("box")))); }},
    {"order_points", [](const Json& c) {
       const Quad q = order_points_clockwise(quad_of(c.at("points")));
       return floats_json(q.data(), 4);
     }},
    {"mean", [](const Json& c) { return Json(static_cast<double>(numpy_mean(float_list(c.at("values"))))); }},
};
}  // namespace

int main() {
  try {
    const std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    const Json request = Json::parse(text);
    const auto op = kOps.find(request.at("op").string());
    if (op == kOps.end()) throw std::runtime_error("unknown op " + request.at("op").string());
    Json results = Json::array();
    for (const Json& c : request.at("cases").items()) results.push(op->second(c));
    Json out = Json::object();
    out.set("results", results);
    std::cout << out.dump() << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "edgeocr_core_probe: " << e.what() << "\n";
    return 1;
  }
}
