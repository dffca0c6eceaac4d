#include "placement.hpp"

#include "host_files.hpp"
#include "int128.hpp"

namespace cgview {

uint64_t mix_identity(uint64_t x) {
  // Multiplied by 2^64/phi (odd: a bijection), then the splitmix64 finaliser
  // (a published bit mixer): every input bit moves every output bit, so inode
  // numbers that differ by any fixed stride (siblings made one after another)
  // land as if at random. Structured maps (inode % CPUs, or a golden-ratio
  // step alone) put whole families of strides on the same CPUs.
  x *= 0x9e3779b97f4a7c15ull;
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

uint64_t cgroup_identity(const Sysroot& root, const CgroupDir& dir) {
  if (!dir.found) return 0;
  if (!root.live()) {
    PathText path;
    path.add(dir.path.view()).add("/cgview-test-inode");
    char buf[32];
    ssize_t n = path.overflowed() ? -1 : read_host_file(root, path.view(), buf);
    uint64_t value = 0;
    if (n <= 0 || !parse_u64(trim(std::string_view(buf, size_t(n))), value)) return 0;
    return value;
  }
  ErrnoKeeper keep_errno;
  int fd = open_host_file(root, dir.path.view());
  if (fd < 0) return 0;
  FileId id;
  bool ok = file_id(fd, id);
  close_host_file(fd);
  return ok ? id.ino : 0;
}

unsigned placement_start(const CpuSet& affinity, unsigned n, uint64_t identity, Placement placement) {
  unsigned available = affinity.count();
  unsigned lowest = 0;
  bool any = false;
  for_each_cpu_range(affinity, [&](unsigned first, unsigned) {
    if (!any) lowest = first;
    any = true;
  });
  if (placement == Placement::Lowest || identity == 0 || n == 0 || n >= available) return lowest;
  unsigned align = 1;
  while (align * 2 <= n) align *= 2;
  uint64_t blocks = available / align;
  // Multiply-shift, not %: uses the hash's high bits and has no modulo bias.
  uint64_t block = multiply_u64(mix_identity(identity), blocks).high;
  unsigned index = unsigned(block) * align, seen = 0, start = lowest;
  bool found = false;
  for_each_cpu_range(affinity, [&](unsigned first, unsigned last) {
    if (found) return;
    unsigned len = last - first + 1;
    if (index < seen + len) {
      start = first + (index - seen);
      found = true;
    }
    seen += len;
  });
  return start;
}

}  // namespace cgview
