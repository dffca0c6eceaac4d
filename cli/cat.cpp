#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>

#include "commands.hpp"

namespace cgview::cli {

bool append_to_string(void* out, const char* data, size_t len) {
  static_cast<std::string*>(out)->append(data, len);
  return true;
}

namespace {

bool read_host(const Config& config, std::string_view path, std::string& out) {
  int fd = open_host_file(config.root, path);
  if (fd < 0) return false;
  char buf[65536];
  ssize_t n;
  while ((n = read_fd(fd, buf, sizeof buf)) > 0) out.append(buf, size_t(n));
  close_host_file(fd);
  return n == 0;
}

// What a program reads from `path`, which names `file`: the rendered view, or
// the host's file where the view cannot be formed or gives nothing.
bool read_path_as_program(const Config& config, VirtualFile file, std::string_view path, std::string& out) {
  out.clear();
  if (!config.disabled) {
    Limits limits;
    bool formed = compute_limits(config, limits);
    if (can_render(file, limits, formed)) {
      Sink sink(append_to_string, &out);
      uint32_t device = 0;  // a block device's stat file: the device its "dev" file names
      if (file == VirtualFile::BlockStat && !block_stat_device(config.root, path, device)) device = 0;
      if (render(file, config, limits, nullptr, sink, device)) return true;
    }
    out.clear();
  }
  return read_host(config, path, out);
}

}  // namespace

bool read_as_program(const Config& config, VirtualFile file, std::string& out) {
  PathText path;
  served_file_path(file, 0, path);
  return read_path_as_program(config, file, path.view(), out);
}

int cat(const Config& config, const char* path) {
  std::string absolute = path;
  if (absolute.empty() || absolute[0] != '/') {
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd) == nullptr) {
      std::fprintf(stderr, "cgview: cannot resolve %s: no current directory\n", path);
      return 1;
    }
    absolute = std::string(cwd) + "/" + absolute;
  }
  PathText normalized;
  bool normal = normalize_path(absolute, normalized);
  VirtualFile file = normal ? virtual_file_for(normalized.view()) : VirtualFile::None;
  uint32_t device = 0;  // a disk's stat file is known by its "dev" file, as the shim knows it
  if (normal && file == VirtualFile::None && block_stat_device(config.root, normalized.view(), device))
    file = VirtualFile::BlockStat;
  std::string_view device_name;
  if (file == VirtualFile::None && normal && block_stat_name(normalized.view(), device_name)) {
    std::fprintf(stderr, "cgview: %s: there is no block device %.*s here (ls /sys/block lists them)\n", path,
                 int(device_name.size()), device_name.data());
    return 1;
  }
  if (file == VirtualFile::None) {
    std::fprintf(stderr,
                 "cgview: %s is not a file cgview serves ('cgview --help' and cgview(1) list them)\n", path);
    return 1;
  }
  std::string content;
  // A CPU or node file read by its canonical path (the bus's links name it too,
  // and a sysroot need not have them).
  PathText canonical;
  CpuFileRef cpu_file;
  if (split_cpu_file(file, cpu_file)) cpu_file_path(cpu_file, canonical);
  else canonical.add(normalized.view());
  if (!read_path_as_program(config, file, canonical.view(), content)) {
    // Under a sysroot the fallback is that root's own file: name it, since
    // the path given is not where it was looked for.
    if (config.root.live()) {
      int error = host_open_error(config.root, canonical.view());
      std::fprintf(stderr, "cgview: cannot read %s: %s\n", path,
                   error == ENOENT ? "the host has no such file"
                   : error != 0   ? std::strerror(error)
                                  : "reading it failed");
    } else
      std::fprintf(stderr, "cgview: cannot read %s: the view gives nothing for it and the sysroot's own %s%s cannot be read\n",
                   path, std::string(config.root.prefix.view()).c_str(), std::string(canonical.view()).c_str());
    return 1;
  }
  if (!write_all(1, content.data(), content.size())) {
    std::fprintf(stderr, "cgview: cannot write to stdout\n");
    return 1;
  }
  return 0;
}

}  // namespace cgview::cli
