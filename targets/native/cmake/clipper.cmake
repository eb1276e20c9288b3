# Clipper 6.4.2 (the library pyclipper wraps), compiled from source for whichever target
# this build is for. third_party/fetch_clipper.sh puts the source in the default place.
if(NOT EXISTS "${EDGEOCR_CLIPPER_DIR}/clipper.cpp" OR NOT EXISTS "${EDGEOCR_CLIPPER_DIR}/clipper.hpp")
  message(FATAL_ERROR
    "Clipper source not found in EDGEOCR_CLIPPER_DIR=${EDGEOCR_CLIPPER_DIR}.\n"
    "Run targets/native/third_party/fetch_clipper.sh (Debian), or pass "
    "-DEDGEOCR_CLIPPER_DIR=<folder with Clipper 6.4.2's clipper.cpp and clipper.hpp>.")
endif()
file(STRINGS "${EDGEOCR_CLIPPER_DIR}/clipper.hpp" _clipper_version REGEX "Version +: +6\\.4\\.2")
if(NOT _clipper_version)
  message(FATAL_ERROR "${EDGEOCR_CLIPPER_DIR}/clipper.hpp is not Clipper 6.4.2 (the version pyclipper wraps)")
endif()
add_library(edgeocr_clipper STATIC "${EDGEOCR_CLIPPER_DIR}/clipper.cpp")
target_include_directories(edgeocr_clipper PUBLIC "${EDGEOCR_CLIPPER_DIR}")
target_compile_options(edgeocr_clipper PRIVATE -w)  # third-party code: its warnings are not ours
