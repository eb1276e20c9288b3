/* edgeocr_work: a TCG plugin for qemu-user (QEMU 7.2 plugin API) that counts the aarch64
 * instructions a program executes and attributes them to the native runner's work markers
 * (core/include/edgeocr/work_marker.h): init, each image, each warm-up and timed run, each
 * stage. Instruction counts are the same in identical runs and scale like work on a phone,
 * which emulated wall time does not.
 *
 *   qemu-aarch64 -plugin edgeocr_work.so,out=COUNTS.json PROGRAM ARGS...
 *
 * edgeocr/device/work_count.py builds it (gcc -shared -fPIC -O2, against the header
 * third_party/fetch_qemu_plugin_api.sh fetches) and reads COUNTS.json, written at exit:
 *
 *   {"schema": "edgeocr-work-count/1", "unit": "guest instructions", "vcpus": 1,
 *    "total": N,                  every instruction the process executed
 *    "init": N,                   inside the init markers
 *    "images": [{"image": ID, "total": N,                      inside the image's markers
 *                "warmup": [{"total": N, "stages": {"det_pre": N, ...}}, ...],
 *                "runs":   [{"total": N, "stages": {...}}, ...]}, ...],
 *    "errors": ["...", ...]}      markers out of order or left open; [] for a clean run
 *
 * A run's "stages" holds the stages it marked, in pipeline order. What no marker encloses
 * (process start, reading the bundle, decoding between markers, writing the result) is
 * total minus the rest.
 *
 * Counting: each translated block adds its length to one counter inline when it starts, so
 * no callback runs per block and emulation stays fast. qemu-user runs each guest thread as
 * a vCPU and all share the counter: with more threads the figures are summed over vCPUs,
 * and since inline adds are not atomic, concurrent threads can lose increments. Count with
 * threads=1; "vcpus" says how many there were. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qemu-plugin.h>

#include "edgeocr/work_marker.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

enum { AARCH64_WRITE = 64 }; /* write's syscall number on aarch64 Linux and Android */
enum { MAX_ERRORS = 8 };     /* messages kept; the rest are only counted */
enum { LEVELS = 3 };         /* nesting: 0 init or image, 1 warm-up or timed run, 2 stage */

typedef struct {
  int warmup;
  uint64_t total;
  uint64_t stage[EDGEOCR_WORK_STAGES];
  unsigned marked; /* bit per stage entered */
} Run;

typedef struct {
  uint32_t id;
  uint64_t total;
  size_t first_run; /* its runs are runs[first_run] up to the next image's first_run */
} Image;

typedef struct {
  int open;
  uint32_t marker; /* the begin marker */
  uint64_t at;     /* the count when it came */
} Scope;

static uint64_t insns; /* the inline counter */
static unsigned vcpus;
static const char* out_path;
static uint64_t init_insns;
static Image* images;
static size_t n_images, cap_images;
static Run* runs;
static size_t n_runs, cap_runs;
static Scope open_scopes[LEVELS];
static char errors[MAX_ERRORS][96];
static unsigned n_errors;

static void* grown(void* items, size_t n, size_t* cap, size_t size) {
  if (n < *cap) return items;
  *cap = *cap ? 2 * *cap : 64;
  items = realloc(items, *cap * size);
  if (!items) {
    fputs("edgeocr_work: out of memory\n", stderr);
    abort();
  }
  return items;
}

static void report(const char* format, ...) {
  if (n_errors < MAX_ERRORS) {
    va_list args;
    va_start(args, format);
    vsnprintf(errors[n_errors], sizeof errors[0], format, args);
    va_end(args);
  }
  ++n_errors;
}

/* "image 3 begin", "det_post end": for error messages (no characters JSON must escape). */
static const char* describe(uint32_t marker, char* buf, size_t size) {
  static const char* const scopes[] = {"init", "image", "warmup", "run"};
  const uint32_t scope = edgeocr_work_scope_of(marker), id = edgeocr_work_id(marker);
  const char* event = edgeocr_work_is_end(marker) ? "end" : "begin";
  const char* stage = edgeocr_work_stage_name(id);
  if (scope < EDGEOCR_WORK_STAGE)
    snprintf(buf, size, "%s %u %s", scopes[scope], (unsigned)id, event);
  else if (scope == EDGEOCR_WORK_STAGE && stage)
    snprintf(buf, size, "%s %s", stage, event);
  else
    snprintf(buf, size, "unknown marker 0x%08x", (unsigned)marker);
  return buf;
}

static void begin(int level, uint32_t marker) {
  char what[48], outer[48];
  const uint32_t scope = edgeocr_work_scope_of(marker);
  if (open_scopes[level].open) {
    report("%s inside %s", describe(marker, what, sizeof what), describe(open_scopes[level].marker, outer, sizeof outer));
    return;
  }
  if (level > 0 && (!open_scopes[level - 1].open ||
                    (level == 1 && edgeocr_work_scope_of(open_scopes[0].marker) != EDGEOCR_WORK_IMAGE))) {
    report("%s outside %s", describe(marker, what, sizeof what), level == 1 ? "an image" : "a run");
    return;
  }
  if (scope == EDGEOCR_WORK_IMAGE) {
    images = grown(images, n_images, &cap_images, sizeof *images);
    images[n_images++] = (Image){.id = edgeocr_work_id(marker), .first_run = n_runs};
  } else if (level == 1) {
    runs = grown(runs, n_runs, &cap_runs, sizeof *runs);
    runs[n_runs++] = (Run){.warmup = scope == EDGEOCR_WORK_WARMUP};
  }
  open_scopes[level] = (Scope){.open = 1, .marker = marker, .at = insns};
}

static void end(int level, uint32_t marker) {
  char what[48], inner[48];
  Scope* scope = &open_scopes[level];
  if (!scope->open || scope->marker != edgeocr_work_marker(0, edgeocr_work_scope_of(marker), edgeocr_work_id(marker))) {
    report("%s without its begin", describe(marker, what, sizeof what));
    return;
  }
  if (level + 1 < LEVELS && open_scopes[level + 1].open)
    report("%s with %s still open", describe(marker, what, sizeof what),
          describe(open_scopes[level + 1].marker, inner, sizeof inner));
  scope->open = 0;
  const uint64_t spent = insns - scope->at;
  const uint32_t id = edgeocr_work_id(marker);
  switch (edgeocr_work_scope_of(marker)) {
    case EDGEOCR_WORK_INIT: init_insns += spent; break;
    case EDGEOCR_WORK_IMAGE: images[n_images - 1].total = spent; break;
    case EDGEOCR_WORK_STAGE:
      runs[n_runs - 1].stage[id] += spent;  /* entered again (det_post): adds up */
      runs[n_runs - 1].marked |= 1u << id;
      break;
    default: runs[n_runs - 1].total = spent; break;
  }
}

static void on_marker(uint32_t marker) {
  const uint32_t scope = edgeocr_work_scope_of(marker);
  char what[48];
  if (scope > EDGEOCR_WORK_STAGE || (scope == EDGEOCR_WORK_STAGE && edgeocr_work_id(marker) >= EDGEOCR_WORK_STAGES)) {
    report("%s", describe(marker, what, sizeof what));
    return;
  }
  const int level = scope == EDGEOCR_WORK_STAGE ? 2 : scope >= EDGEOCR_WORK_WARMUP ? 1 : 0;
  if (edgeocr_work_is_end(marker))
    end(level, marker);
  else
    begin(level, marker);
}

static void on_syscall(qemu_plugin_id_t id, unsigned int vcpu_index, int64_t num, uint64_t fd, uint64_t buf,
                       uint64_t count, uint64_t a4, uint64_t a5, uint64_t a6, uint64_t a7, uint64_t a8) {
  (void)id, (void)vcpu_index, (void)a4, (void)a5, (void)a6, (void)a7, (void)a8;
  /* The kernel reads fd as a 32-bit int: -1 whatever the register's upper half holds. */
  if (num == AARCH64_WRITE && (uint32_t)fd == UINT32_MAX && buf == 0 && count <= UINT32_MAX &&
      edgeocr_work_is_marker(count))
    on_marker((uint32_t)count);
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb* tb) {
  (void)id;
  qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &insns, qemu_plugin_tb_n_insns(tb));
}

static void on_vcpu_init(qemu_plugin_id_t id, unsigned int vcpu_index) {
  (void)id, (void)vcpu_index;
  __atomic_fetch_add(&vcpus, 1, __ATOMIC_RELAXED); /* threads start concurrently */
}

static void write_run(FILE* f, const Run* run) {
  fprintf(f, "{\"total\": %llu, \"stages\": {", (unsigned long long)run->total);
  const char* sep = "";
  for (uint32_t s = 0; s < EDGEOCR_WORK_STAGES; ++s) {
    if (!(run->marked & (1u << s))) continue;
    fprintf(f, "%s\"%s\": %llu", sep, edgeocr_work_stage_name(s), (unsigned long long)run->stage[s]);
    sep = ", ";
  }
  fputs("}}", f);
}

static void write_runs(FILE* f, const char* key, size_t first, size_t last, int warmup) {
  fprintf(f, "\"%s\": [", key);
  const char* sep = "";
  for (size_t r = first; r < last; ++r) {
    if (runs[r].warmup != warmup) continue;
    fputs(sep, f);
    write_run(f, &runs[r]);
    sep = ", ";
  }
  fputs("]", f);
}

static void write_counts(FILE* f) {
  fprintf(f, "{\"schema\": \"edgeocr-work-count/1\", \"unit\": \"guest instructions\", \"vcpus\": %u, ", vcpus);
  fprintf(f, "\"total\": %llu, \"init\": %llu, \"images\": [", (unsigned long long)insns, (unsigned long long)init_insns);
  for (size_t i = 0; i < n_images; ++i) {
    const size_t last = i + 1 < n_images ? images[i + 1].first_run : n_runs;
    fprintf(f, "%s\n  {\"image\": %u, \"total\": %llu, ", i ? "," : "", (unsigned)images[i].id,
            (unsigned long long)images[i].total);
    write_runs(f, "warmup", images[i].first_run, last, 1);
    fputs(", ", f);
    write_runs(f, "runs", images[i].first_run, last, 0);
    fputs("}", f);
  }
  fputs("],\n \"errors\": [", f);
  for (unsigned e = 0; e < n_errors && e < MAX_ERRORS; ++e) fprintf(f, "%s\"%s\"", e ? ", " : "", errors[e]);
  if (n_errors > MAX_ERRORS) fprintf(f, ", \"and %u more\"", n_errors - MAX_ERRORS);
  fputs("]}\n", f);
}

static void on_atexit(qemu_plugin_id_t id, void* userdata) {
  (void)id, (void)userdata;
  char what[48];
  for (int level = 0; level < LEVELS; ++level)
    if (open_scopes[level].open) report("%s never ended", describe(open_scopes[level].marker, what, sizeof what));
  FILE* f = fopen(out_path, "w");
  if (!f) {
    perror(out_path);
    return;
  }
  write_counts(f);
  if (fclose(f) != 0) perror(out_path);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t* info, int argc, char** argv) {
  if (info->system_emulation || strcmp(info->target_name, "aarch64") != 0) {
    fprintf(stderr, "edgeocr_work: counts aarch64 programs under qemu-user, not %s%s\n", info->target_name,
            info->system_emulation ? " system emulation" : "");
    return -1;
  }
  for (int i = 0; i < argc; ++i) {
    if (strncmp(argv[i], "out=", 4) != 0) {
      fprintf(stderr, "edgeocr_work: unknown argument %s (the only one is out=PATH)\n", argv[i]);
      return -1;
    }
    out_path = argv[i] + 4; /* argv lives as long as the plugin */
  }
  if (!out_path || !*out_path) {
    fputs("edgeocr_work: give the counts file: -plugin edgeocr_work.so,out=PATH\n", stderr);
    return -1;
  }
  qemu_plugin_register_vcpu_init_cb(id, on_vcpu_init);
  qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
  qemu_plugin_register_vcpu_syscall_cb(id, on_syscall);
  qemu_plugin_register_atexit_cb(id, on_atexit, NULL);
  return 0;
}
