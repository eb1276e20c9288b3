/* Work markers: how the native runner tells an instruction counter where init, each image,
 * each run and each stage begin and end, so a qemu-user run of the runner
 * (targets/native/qemu_plugin/edgeocr_work.c, edgeocr/device/work_count.py) can attribute
 * every executed aarch64 instruction - a cost figure that, unlike emulated wall time,
 * means something for phones and is the same in identical runs.
 *
 * A marker is the system call write(-1, NULL, MARKER). Descriptor -1 makes it fail at once
 * (EBADF on Linux and Android; qemu-user may answer EFAULT first): on a device a marker does
 * nothing but cost one syscall, and errno is kept. qemu's plugin sees the call's arguments.
 * MARKER is 32 bits (write's count is a 32-bit size_t on armeabi-v7a):
 *
 *   bits 31..24  magic 0xED
 *   bit  23      0 = begin, 1 = end
 *   bits 22..20  scope: edgeocr_work_scope below
 *   bits 19..0   id: the image's index in the runner's image order (image); the run's index
 *                among its image's warm-up or timed runs (warmup, run); the stage (stage);
 *                0 (init). Ids wrap modulo 2^20.
 *
 * Scopes nest: init stands alone; runs lie in an image, stages in a run. A stage may be
 * entered more than once per run (det_post: box extraction, then cutting out the crops);
 * its instructions add up. The markers enclose the init, run and stage timers, outside the
 * spans they time; only a run's total also holds the few markers between its stages.
 *
 * Plain C as well as C++: the plugin decodes markers with the same definitions. */
#ifndef EDGEOCR_WORK_MARKER_H
#define EDGEOCR_WORK_MARKER_H

#include <stddef.h>
#include <stdint.h>

#define EDGEOCR_WORK_MAGIC 0xEDu
#define EDGEOCR_WORK_ID_MASK 0xFFFFFu

enum edgeocr_work_scope {
  EDGEOCR_WORK_INIT = 0,    /* loading the models + the blank inferences: the runner's init_ms */
  EDGEOCR_WORK_IMAGE = 1,   /* one image: decoding, its warm-up and timed runs, its result entry */
  EDGEOCR_WORK_WARMUP = 2,  /* one warm-up run of the pipeline (warmup_ms) */
  EDGEOCR_WORK_RUN = 3,     /* one timed run of the pipeline (runs_ms) */
  EDGEOCR_WORK_STAGE = 4    /* one stage of a run, id: edgeocr_work_stage */
};

/* The stages of StageTimes (edgeocr/pipeline.h); a mode marks only the stages it reports. */
enum edgeocr_work_stage {
  EDGEOCR_WORK_DET_PRE,
  EDGEOCR_WORK_DET_INFER,
  EDGEOCR_WORK_DET_POST,
  EDGEOCR_WORK_CLS,
  EDGEOCR_WORK_REC,
  EDGEOCR_WORK_STAGES /* how many */
};

static inline uint32_t edgeocr_work_marker(int end, enum edgeocr_work_scope scope, uint32_t id) {
  return (EDGEOCR_WORK_MAGIC << 24) | ((uint32_t)(end != 0) << 23) | ((uint32_t)scope << 20) | (id & EDGEOCR_WORK_ID_MASK);
}

/* Whether a write count is a marker (a 64-bit register's value, as the plugin sees it). */
static inline int edgeocr_work_is_marker(uint64_t count) { return (count >> 24) == EDGEOCR_WORK_MAGIC; }
static inline int edgeocr_work_is_end(uint32_t marker) { return (marker >> 23) & 1u; }
static inline uint32_t edgeocr_work_scope_of(uint32_t marker) { return (marker >> 20) & 7u; }
static inline uint32_t edgeocr_work_id(uint32_t marker) { return marker & EDGEOCR_WORK_ID_MASK; }

/* The stage's name in StageTimes and the runner's runs_ms, NULL for an unknown id. */
static inline const char* edgeocr_work_stage_name(uint32_t stage) {
  switch (stage) {
    case EDGEOCR_WORK_DET_PRE: return "det_pre";
    case EDGEOCR_WORK_DET_INFER: return "det_infer";
    case EDGEOCR_WORK_DET_POST: return "det_post";
    case EDGEOCR_WORK_CLS: return "cls";
    case EDGEOCR_WORK_REC: return "rec";
    default: return NULL;
  }
}

#ifdef __cplusplus
namespace edgeocr {

// Emits one marker: the failing write(-1, NULL, marker) described above.
void work_marker(uint32_t marker);

inline void work_begin(edgeocr_work_scope scope, uint32_t id) { work_marker(edgeocr_work_marker(0, scope, id)); }
inline void work_end(edgeocr_work_scope scope, uint32_t id) { work_marker(edgeocr_work_marker(1, scope, id)); }
inline void stage_begin(edgeocr_work_stage stage) { work_begin(EDGEOCR_WORK_STAGE, stage); }
inline void stage_end(edgeocr_work_stage stage) { work_end(EDGEOCR_WORK_STAGE, stage); }

}  // namespace edgeocr
#endif

#endif /* EDGEOCR_WORK_MARKER_H */
