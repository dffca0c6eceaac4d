// The cgview command's subcommands. Each returns the process exit code:
// 0 ok, 1 error (one line on stderr), 2 usage.
#pragma once

#include <string>
#include <vector>

#include "config.hpp"
#include "virtual_files.hpp"

namespace cgview::cli {

int show(const Config& config, bool json);
int cat(const Config& config, const char* path);
int run(const Config& config, const char* cpus, const char* memory, char** command);

// `cgview doctor`'s arguments; null where not given.
struct DoctorRequest {
  bool json = false;
  const char* root = nullptr;          // --root DIR
  const char* library_path = nullptr;  // --library-path DIRS: the programs' LD_LIBRARY_PATH
  std::vector<const char*> env_files;  // --env-file FILE...: their PATH, LD_LIBRARY_PATH, LD_PRELOAD
  const char* user = nullptr;          // --user USER[:GROUP]: who runs them
  std::vector<char*> programs;
};
// doctor: 0 every program reached, 3 one is not, 1 error.
int doctor(const Config& config, const DoctorRequest& request);
int doctor_environment(const Config& config, bool json, const std::string& library_path);
// `cgview stats`: argv holds the arguments after "stats".
int stats(const Config& config, int argc, char** argv);
// enable: add this cgview's libcgview.so to ROOT/etc/ld.so.preload (root null: /),
// unless it, a copy of this build or a $LIB line is there; disable: remove the
// lines naming it, any copy of it (any class) or $LIB's. A symlinked file is
// edited where it points, inside the root. Idempotent.
int system_wide(const char* root, bool enable);

// What a preloaded program reads from `file`: the rendered view, or the host
// file when the view cannot be formed (as the shim falls back). False when
// neither can be read.
bool read_as_program(const Config& config, VirtualFile file, std::string& out);
// "0-3,8": a CPU set as the kernel writes lists (show's, doctor's).
std::string cpu_list_text(const CpuSet& set);
// A Sink's flush that appends to the std::string `out` points to.
bool append_to_string(void* out, const char* data, size_t len);

}  // namespace cgview::cli
