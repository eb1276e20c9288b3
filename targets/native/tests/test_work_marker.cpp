#include <cerrno>
#include <cstring>

#include "check.h"
#include "edgeocr/work_marker.h"

using namespace edgeocr;

TEST(work_markers_encode_event_scope_and_id_in_32_bits) {
  const uint32_t begin = edgeocr_work_marker(0, EDGEOCR_WORK_IMAGE, 7);
  const uint32_t end = edgeocr_work_marker(1, EDGEOCR_WORK_IMAGE, 7);
  CHECK_EQ(begin, 0xED100007u);
  CHECK_EQ(end, 0xED900007u);
  for (uint32_t m : {begin, end}) {
    CHECK(edgeocr_work_is_marker(m));
    CHECK_EQ(edgeocr_work_scope_of(m), static_cast<uint32_t>(EDGEOCR_WORK_IMAGE));
    CHECK_EQ(edgeocr_work_id(m), 7u);
  }
  CHECK(!edgeocr_work_is_end(begin) && edgeocr_work_is_end(end));
  const uint32_t stage = edgeocr_work_marker(1, EDGEOCR_WORK_STAGE, EDGEOCR_WORK_REC);
  CHECK_EQ(edgeocr_work_scope_of(stage), static_cast<uint32_t>(EDGEOCR_WORK_STAGE));
  CHECK_EQ(std::string(edgeocr_work_stage_name(edgeocr_work_id(stage))), std::string("rec"));
  CHECK(edgeocr_work_stage_name(EDGEOCR_WORK_STAGES) == nullptr);
  CHECK_EQ(edgeocr_work_id(edgeocr_work_marker(0, EDGEOCR_WORK_RUN, EDGEOCR_WORK_ID_MASK + 3)), 2u);  // wraps
  CHECK(!edgeocr_work_is_marker(512) && !edgeocr_work_is_marker(uint64_t{begin} << 8));  // an ordinary count
}

TEST(work_marker_does_nothing_a_program_can_see) {
  // The failing write must neither write anything (descriptor -1) nor leave its errno.
  errno = ENOENT;
  work_begin(EDGEOCR_WORK_INIT, 0);
  work_end(EDGEOCR_WORK_INIT, 0);
  CHECK_EQ(errno, ENOENT);
}
