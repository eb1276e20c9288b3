#include "image_files.h"

#include <algorithm>
#include <cctype>
#include <dirent.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include "edgeocr/error.h"

#define STB_IMAGE_IMPLEMENTATION
#define STBI_NO_HDR
#define STBI_NO_LINEAR
#define STBI_FAILURE_USERMSG
#include "stb_image.h"

namespace edgeocr {

namespace {
const char* const kExtensions[] = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".gif", ".rgb", ".webp"};

bool is_dir(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_file(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string lower_extension(const std::string& name) {
  const size_t dot = name.rfind('.');
  if (dot == std::string::npos || dot == 0) return "";
  std::string ext = name.substr(dot);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

unsigned read16(const unsigned char* p, bool big_endian) { return big_endian ? (p[0] << 8) | p[1] : (p[1] << 8) | p[0]; }
uint32_t read32(const unsigned char* p, bool big_endian) {
  return big_endian ? (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3]
                    : (uint32_t{p[3]} << 24) | (uint32_t{p[2]} << 16) | (uint32_t{p[1]} << 8) | p[0];
}

// Orientation tag (0x0112) in a TIFF-structured EXIF block, 1 when absent or malformed.
int tiff_orientation(const unsigned char* tiff, size_t size) {
  if (size < 8) return 1;
  const bool big = tiff[0] == 'M' && tiff[1] == 'M';
  if (!big && !(tiff[0] == 'I' && tiff[1] == 'I')) return 1;
  const uint32_t ifd = read32(tiff + 4, big);
  if (ifd + 2 > size) return 1;
  const unsigned count = read16(tiff + ifd, big);
  for (unsigned i = 0; i < count; ++i) {
    const size_t entry = ifd + 2 + static_cast<size_t>(i) * 12;
    if (entry + 12 > size) return 1;
    if (read16(tiff + entry, big) == 0x0112) {
      const unsigned v = read16(tiff + entry + 8, big);
      return v >= 1 && v <= 8 ? static_cast<int>(v) : 1;
    }
  }
  return 1;
}
}  // namespace

std::vector<std::string> list_images(const std::string& folder) {
  if (!is_dir(folder)) throw Error(codes::kBadInput, folder + ": not a folder of images");
  std::vector<std::string> names;
  if (DIR* dir = opendir(folder.c_str())) {
    while (const dirent* e = readdir(dir)) {
      const std::string name = e->d_name;
      const std::string ext = lower_extension(name);
      if (std::find(std::begin(kExtensions), std::end(kExtensions), ext) != std::end(kExtensions) &&
          is_file(folder + "/" + name))
        names.push_back(name);
    }
    closedir(dir);
  }
  if (names.empty())
    throw Error(codes::kBadInput, folder + ": no images (.bmp, .gif, .jpeg, .jpg, .png, .rgb, .tif, .tiff, .webp)");
  std::sort(names.begin(), names.end());
  return names;
}

int jpeg_exif_orientation(const std::string& bytes) {
  const auto* d = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  if (n < 4 || d[0] != 0xFF || d[1] != 0xD8) return 1;
  size_t pos = 2;
  while (pos + 4 <= n && d[pos] == 0xFF) {
    const unsigned marker = d[pos + 1];
    const size_t length = read16(d + pos + 2, true);
    if (marker == 0xDA || length < 2) break;  // start of scan: no more metadata
    if (marker == 0xE1 && pos + 4 + length - 2 <= n && length >= 8 && std::equal(d + pos + 4, d + pos + 10, "Exif\0\0"))
      return tiff_orientation(d + pos + 10, length - 8);
    pos += 2 + length;
  }
  return 1;
}

Image apply_exif_orientation(const Image& image, int orientation) {
  if (orientation <= 1 || orientation > 8) return image;
  const bool transpose = orientation >= 5;  // 5-8 swap width and height
  Image out(transpose ? image.height : image.width, transpose ? image.width : image.height);
  for (int y = 0; y < out.height; ++y)
    for (int x = 0; x < out.width; ++x) {
      int sx = x, sy = y;  // source pixel of output (x, y)
      switch (orientation) {
        case 2: sx = image.width - 1 - x; break;
        case 3: sx = image.width - 1 - x; sy = image.height - 1 - y; break;
        case 4: sy = image.height - 1 - y; break;
        case 5: sx = y; sy = x; break;
        case 6: sx = y; sy = image.height - 1 - x; break;
        case 7: sx = image.width - 1 - y; sy = image.height - 1 - x; break;
        case 8: sx = image.width - 1 - y; sy = x; break;
        default: break;
      }
      const uint8_t* s = image.row(sy) + static_cast<size_t>(sx) * 3;
      uint8_t* d = out.row(y) + static_cast<size_t>(x) * 3;
      d[0] = s[0], d[1] = s[1], d[2] = s[2];
    }
  return out;
}

Image read_image(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(codes::kBadInput, path + ": cannot read file");
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string bytes = ss.str();
  if (bytes.empty()) throw Error(codes::kBadInput, path + ": empty file");
  int w = 0, h = 0, channels = 0;
  stbi_uc* data = stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()), static_cast<int>(bytes.size()), &w,
                                        &h, &channels, 3);
  if (!data)
    throw Error(codes::kBadInput, path + ": not an image this runner can decode (" + stbi_failure_reason() +
                                      "; it reads JPEG, PNG, BMP, GIF, TGA and PNM)");
  Image image = bgr_from_rgb(data, w, h, 3);
  stbi_image_free(data);
  if (image.empty()) throw Error(codes::kBadInput, path + ": image has no pixels");
  return apply_exif_orientation(image, jpeg_exif_orientation(bytes));
}

}  // namespace edgeocr
