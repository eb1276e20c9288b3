// cv::fillPoly (LINE_8, no shift) on a 0/1 mask: the outline drawn with 8-connected
// Bresenham lines, then the interior filled by the active-edge scanline in 16.16 fixed
// point. Ported step for step because the DB box score is the mean probability under
// exactly these pixels, and a score near the threshold decides whether a box survives.
#include <algorithm>
#include <climits>
#include <cstdint>

#include "edgeocr/shapes.h"

namespace edgeocr {

namespace {
constexpr int kShift = 16;  // XY_SHIFT
constexpr int64_t kOne = int64_t{1} << kShift;

struct P64 {
  int64_t x, y;
};

struct Edge {
  int y0 = 0, y1 = 0;
  int64_t x = 0, dx = 0;
  Edge* next = nullptr;
};

// cv::clipLine: clips the segment to [0,w) x [0,h); false when nothing is left.
bool clip_line(int64_t w, int64_t h, P64& p1, P64& p2) {
  if (w <= 0 || h <= 0) return false;
  const int64_t right = w - 1, bottom = h - 1;
  int64_t &x1 = p1.x, &y1 = p1.y, &x2 = p2.x, &y2 = p2.y;
  int c1 = (x1 < 0) + (x1 > right) * 2 + (y1 < 0) * 4 + (y1 > bottom) * 8;
  int c2 = (x2 < 0) + (x2 > right) * 2 + (y2 < 0) * 4 + (y2 > bottom) * 8;
  if ((c1 & c2) == 0 && (c1 | c2) != 0) {
    int64_t a;
    if (c1 & 12) {
      a = c1 < 8 ? 0 : bottom;
      x1 += static_cast<int64_t>(static_cast<double>(a - y1) * (x2 - x1) / (y2 - y1));
      y1 = a;
      c1 = (x1 < 0) + (x1 > right) * 2;
    }
    if (c2 & 12) {
      a = c2 < 8 ? 0 : bottom;
      x2 += static_cast<int64_t>(static_cast<double>(a - y2) * (x2 - x1) / (y2 - y1));
      y2 = a;
      c2 = (x2 < 0) + (x2 > right) * 2;
    }
    if ((c1 & c2) == 0 && (c1 | c2) != 0) {
      if (c1) {
        a = c1 == 1 ? 0 : right;
        y1 += static_cast<int64_t>(static_cast<double>(a - x1) * (y2 - y1) / (x2 - x1));
        x1 = a;
        c1 = 0;
      }
      if (c2) {
        a = c2 == 1 ? 0 : right;
        y2 += static_cast<int64_t>(static_cast<double>(a - x2) * (y2 - y1) / (x2 - x1));
        x2 = a;
        c2 = 0;
      }
    }
  }
  return (c1 | c2) == 0;
}

bool outside(const P64& p, int w, int h) {
  return static_cast<uint64_t>(p.x) >= static_cast<uint64_t>(w) || static_cast<uint64_t>(p.y) >= static_cast<uint64_t>(h);
}

// cv::LineIterator(connectivity 8, left to right) setting every visited pixel.
void draw_line(std::vector<uint8_t>& mask, int w, int h, P64 p1, P64 p2) {
  if ((outside(p1, w, h) || outside(p2, w, h)) && !clip_line(w, h, p1, p2)) return;
  int dx = static_cast<int>(p2.x - p1.x), dy = static_cast<int>(p2.y - p1.y);
  if (dx < 0) {
    dx = -dx;
    dy = -dy;
    std::swap(p1, p2);
  }
  int step_x = 1, step_y = 1;
  if (dy < 0) {
    dy = -dy;
    step_y = -1;
  }
  const bool vertical = dy > dx;
  if (vertical) std::swap(dx, dy);
  // major axis always advances; the minor one when the error goes negative
  int err = dx - (dy + dy);
  const int plus_delta = dx + dx, minus_delta = -(dy + dy);
  int x = static_cast<int>(p1.x), y = static_cast<int>(p1.y);
  for (int i = 0; i <= dx; ++i) {
    mask[static_cast<size_t>(y) * w + x] = 1;
    const bool minor = err < 0;
    err += minus_delta + (minor ? plus_delta : 0);
    if (vertical) {
      y += step_y;
      if (minor) x += step_x;
    } else {
      x += step_x;
      if (minor) y += step_y;
    }
  }
}

std::vector<Edge> collect_edges(std::vector<uint8_t>& mask, int w, int h, const Contour& v) {
  std::vector<Edge> edges;
  const size_t n = v.size();
  P64 pt0{static_cast<int64_t>(v[n - 1].x) << kShift, v[n - 1].y};
  for (size_t i = 0; i < n; ++i) {
    const P64 pt1{static_cast<int64_t>(v[i].x) << kShift, v[i].y};
    P64 t0{(pt0.x + (kOne >> 1)) >> kShift, pt0.y};
    P64 t1{(pt1.x + (kOne >> 1)) >> kShift, pt1.y};
    draw_line(mask, w, h, t0, t1);
    P64 c0 = pt0, c1 = pt1;  // endpoints clipped to the image give a more exact edge
    if (outside(t0, w, h) || outside(t1, w, h)) {
      clip_line(w, h, t0, t1);
      if (t0.y != t1.y) {
        c0.y = t0.y;
        c1.y = t1.y;
      }
    }
    c0.x = t0.x << kShift;
    c1.x = t1.x << kShift;
    if (pt0.y != pt1.y) {
      Edge e;
      e.dx = (c1.x - c0.x) / (c1.y - c0.y);
      if (pt0.y < pt1.y) {
        e.y0 = static_cast<int>(pt0.y);
        e.y1 = static_cast<int>(pt1.y);
        e.x = c0.x + (pt0.y - c0.y) * e.dx;
      } else {
        e.y0 = static_cast<int>(pt1.y);
        e.y1 = static_cast<int>(pt0.y);
        e.x = c1.x + (pt1.y - c1.y) * e.dx;
      }
      edges.push_back(e);
    }
    pt0 = pt1;
  }
  return edges;
}

void fill_edges(std::vector<uint8_t>& mask, int w, int h, std::vector<Edge>& edges) {
  const int total = static_cast<int>(edges.size());
  if (total < 2) return;
  int y_max = INT_MIN, y_min = INT_MAX;
  int64_t x_max = INT64_MIN, x_min = INT64_MAX;
  for (const Edge& e : edges) {
    const int64_t x1 = e.x + (e.y1 - e.y0) * e.dx;
    y_min = std::min(y_min, e.y0);
    y_max = std::max(y_max, e.y1);
    x_min = std::min({x_min, e.x, x1});
    x_max = std::max({x_max, e.x, x1});
  }
  if (y_max < 0 || y_min >= h || x_max < 0 || x_min >= (static_cast<int64_t>(w) << kShift)) return;
  std::sort(edges.begin(), edges.end(), [](const Edge& a, const Edge& b) {
    if (a.y0 != b.y0) return a.y0 < b.y0;
    if (a.x != b.x) return a.x < b.x;
    return a.dx < b.dx;
  });
  Edge sentinel;
  sentinel.y0 = INT_MAX;
  edges.push_back(sentinel);
  Edge head;  // list head of the active edges
  int i = 0;
  Edge* e = &edges[0];
  y_max = std::min(y_max, h);
  const int64_t round_up = kOne - 1;
  for (int y = e->y0; y < y_max; ++y) {
    Edge* prelast = &head;
    Edge* last = head.next;
    bool draw = false;
    while (last || e->y0 == y) {
      if (last && last->y1 == y) {  // the edge ends here: drop it
        prelast->next = last->next;
        last = last->next;
        continue;
      }
      Edge* keep_prelast = prelast;
      if (last && (e->y0 > y || last->x < e->x)) {
        prelast = last;
        last = last->next;
      } else if (i < total) {  // the next edge starts here: insert it
        prelast->next = e;
        e->next = last;
        prelast = e;
        e = &edges[++i];
      } else {
        break;
      }
      if (draw) {
        if (y >= 0) {
          int64_t x1, x2;
          if (keep_prelast->x > prelast->x) {
            x1 = (prelast->x + round_up) >> kShift;
            x2 = keep_prelast->x >> kShift;
          } else {
            x1 = (keep_prelast->x + round_up) >> kShift;
            x2 = prelast->x >> kShift;
          }
          if (x1 < w && x2 >= 0) {
            x1 = std::max<int64_t>(x1, 0);
            x2 = std::min<int64_t>(x2, w - 1);
            for (int64_t x = x1; x <= x2; ++x) mask[static_cast<size_t>(y) * w + x] = 1;
          }
        }
        keep_prelast->x += keep_prelast->dx;
        prelast->x += prelast->dx;
      }
      draw = !draw;
    }
    // keep the active list sorted by x (bubble sort, as OpenCV does)
    Edge* keep = nullptr;
    do {
      prelast = &head;
      last = head.next;
      Edge* last_exchange = nullptr;
      while (last != keep && last->next != nullptr) {
        Edge* te = last->next;
        if (last->x > te->x) {
          prelast->next = te;
          last->next = te->next;
          te->next = last;
          prelast = te;
          last_exchange = prelast;
        } else {
          prelast = last;
          last = te;
        }
      }
      if (last_exchange == nullptr) break;
      keep = last_exchange;
    } while (keep != head.next && keep != &head);
  }
}
}  // namespace

void fill_poly(std::vector<uint8_t>& mask, int width, int height, const Contour& points) {
  if (points.empty()) return;
  std::vector<Edge> edges = collect_edges(mask, width, height, points);
  fill_edges(mask, width, height, edges);
}

}  // namespace edgeocr
