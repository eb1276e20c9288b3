#include "check.h"
#include "edgeocr/error.h"
#include "image_files.h"
#include "options.h"

using namespace edgeocr;

namespace {
RunnerOptions parse(std::vector<const char*> args) {
  args.insert(args.begin(), "edgeocr-runner");
  return parse_options(static_cast<int>(args.size()), args.data(), {"replay"});
}
}  // namespace

TEST(options_follow_the_contract) {
  const RunnerOptions o = parse({"--bundle", "b", "--images=i", "--out", "r.json", "--threads", "4", "--power-mode", "no_bind",
                                 "--mode", "rec", "--replay", "d"});
  CHECK_EQ(o.threads, 4);
  CHECK_EQ(o.warmup, 1);
  CHECK_EQ(o.repeats, 10);
  CHECK_EQ(o.images, std::string("i"));
  CHECK_EQ(o.extra.at("replay"), std::string("d"));
  CHECK(o.mode == Mode::Rec);
  CHECK_EQ(o.to_json().dump(), std::string(R"({"bundle": "b", "images": "i", "out": "r.json", "threads": 4, "power_mode": "no_bind", "warmup": 1, "repeats": 10, "mode": "rec", "record": null})"));
  CHECK_EQ(*parse({"--bundle", "b", "--images", "i", "--out", "o", "--record", "calls"}).record, std::string("calls"));
  CHECK(parse({"--probe"}).probe);
  CHECK_ERROR(parse({"--bundle", "b"}), codes::kBadArgs, "missing --images and --out (or pass --probe)");
  CHECK_ERROR(parse({"--bundle", "b", "--images", "i", "--out", "o", "--threads", "0"}), codes::kBadArgs, "threads >= 1");
  CHECK_ERROR(parse({"--images", "i", "--out", "o", "--power-mode", "turbo"}), codes::kBadArgs, "invalid choice: 'turbo'");
  CHECK_ERROR(parse({"--images", "i", "--out", "o", "--warmup", "x"}), codes::kBadArgs, "invalid int value: 'x'");
  CHECK_ERROR(parse({"--images", "i", "--out", "o", "--fast"}), codes::kBadArgs, "unrecognized arguments: --fast");
}

TEST(image_folder_listing_and_decode_errors) {
  const std::string dir = check::temp_dir();
  check::write_file(dir + "/b.PNG", "not really a png");
  check::write_file(dir + "/a.jpg", "");
  check::write_file(dir + "/notes.txt", "x");
  const auto names = list_images(dir);
  CHECK_EQ(names.size(), size_t{2});
  CHECK_EQ(names[0], std::string("a.jpg"));
  CHECK_ERROR(read_image(dir + "/a.jpg"), codes::kBadInput, "a.jpg: empty file");
  CHECK_ERROR(read_image(dir + "/b.PNG"), codes::kBadInput, "b.PNG: not an image this runner can decode");
  CHECK_ERROR(list_images(dir + "/nope"), codes::kBadInput, "not a folder of images");
  CHECK_ERROR(list_images(check::temp_dir()), codes::kBadInput, "no images");
}

TEST(exif_orientation_turns_images_upright) {
  Image im(3, 2);  // pixel value = 10 * y + x in every channel
  for (int y = 0; y < 2; ++y)
    for (int x = 0; x < 3; ++x)
      for (int c = 0; c < 3; ++c) im.row(y)[x * 3 + c] = static_cast<uint8_t>(10 * y + x);
  const Image cw = apply_exif_orientation(im, 6);  // stored rotated: display turns it 90 degrees clockwise
  CHECK_EQ(cw.width, 2);
  CHECK_EQ(cw.height, 3);
  CHECK_EQ(static_cast<int>(cw.row(0)[0]), 10);  // the bottom-left pixel comes to the top-left
  CHECK_EQ(static_cast<int>(apply_exif_orientation(im, 3).row(0)[0]), 12);
  // APP1 "Exif" with a big-endian TIFF IFD holding orientation 6
  const std::string jpeg = std::string("\xFF\xD8\xFF\xE1\x00\x22" "Exif\0\0" "MM\0\x2A\0\0\0\x08" "\0\x01" "\x01\x12\0\x03\0\0\0\x01\0\x06\0\0" "\0\0\0\0", 38) + "\xFF\xD9";
  CHECK_EQ(jpeg_exif_orientation(jpeg), 6);
  CHECK_EQ(jpeg_exif_orientation("\xFF\xD8\xFF\xD9"), 1);
}
