#include "edgeocr/work_marker.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace edgeocr {

void work_marker(uint32_t marker) {
  // syscall() rather than write(): glibc declares write's buffer as read for `count` bytes,
  // which a NULL buffer contradicts. Every argument is passed as the long syscall() reads.
  const int saved = errno;  // the call fails by design: code reading errno later must not see it
  syscall(SYS_write, -1L, 0L, static_cast<unsigned long>(marker));
  errno = saved;
}

}  // namespace edgeocr
