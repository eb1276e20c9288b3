# Cross-compiling for 64-bit ARM Linux (glibc) with Debian's g++-aarch64-linux-gnu. Tests
# and the replay runner then run on x86 through qemu-user (CMAKE_CROSSCOMPILING_EMULATOR).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
find_program(EDGEOCR_QEMU_AARCH64 qemu-aarch64-static qemu-aarch64)
if(EDGEOCR_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${EDGEOCR_QEMU_AARCH64};-L;/usr/aarch64-linux-gnu")
endif()
