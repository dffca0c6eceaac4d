// Fuzzes `cgview doctor`'s reading of a #! line's argument to env
// (cli/doctor/env_shebang.cpp): images hold scripts of any content. It must
// end without a crash or hang, and give exactly one outcome: a command, the
// script itself, or nothing with env's reason.
//
// Input: the rest of a #! line after env (at most the kernel's 256 bytes;
// longer inputs are read too).
#include "env_shebang.hpp"
#include "fuzz_support.hpp"

using namespace cgview::cli;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view argument = fuzz::as_text(data, size);
  EnvLookup lookup = [](std::string_view name) -> std::optional<std::string> {
    if (name == "PATH") return "/usr/bin:/bin";
    if (name == "EMPTY") return "";
    return std::nullopt;
  };
  EnvShebang env = read_env_shebang(argument, lookup);
  const int outcomes = int(!env.command.empty()) + int(env.runs_script_itself) + int(!env.runs_nothing.empty());
  FUZZ_CHECK(outcomes == 1);
  if (env.command.empty()) FUZZ_CHECK(env.drops_preload.empty());
  // A command is made of the argument's bytes and ${PATH}'s (13 bytes for 7): never twice as long.
  FUZZ_CHECK(env.command.size() <= 2 * argument.size());
  // Without -S the command is the argument itself, or a word after it: never made up.
  if (!env.split && !env.command.empty()) FUZZ_CHECK(env.command == argument);
  return 0;
}
