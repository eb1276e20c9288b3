// Input images for the runner: the folder listing and decoding rules of the Python
// runner (edgeocr/ocr/image_io.py), with stb_image as the decoder.
#pragma once

#include <string>
#include <vector>

#include "edgeocr/image.h"

namespace edgeocr {

// Image files directly in `folder` (PaddleOCR's extension set, case-insensitive), sorted by
// name. Throws Error(bad_input) if `folder` is not a folder or holds no image.
std::vector<std::string> list_images(const std::string& folder);

// Decodes JPEG, PNG, BMP (and GIF, TGA, PNM) to BGR, turning JPEGs upright by their EXIF
// orientation as OpenCV's imread does. Throws Error(bad_input) naming the file and why.
Image read_image(const std::string& path);

// The EXIF orientation (1-8) of a JPEG file's bytes, 1 when absent.
int jpeg_exif_orientation(const std::string& bytes);

// `image` turned upright for EXIF orientation `orientation`.
Image apply_exif_orientation(const Image& image, int orientation);

}  // namespace edgeocr
