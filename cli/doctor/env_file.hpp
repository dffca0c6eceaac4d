// An image's environment, as `docker inspect` prints its Config.Env and as
// `docker run --env-file` reads a file: one NAME=VALUE per line. An unpacked
// image (`docker export`) keeps no environment, so `cgview doctor --root`
// takes PATH, LD_LIBRARY_PATH and LD_PRELOAD from such a file.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace cgview::cli {

// The variables `text` sets. As docker reads the format: a UTF-8 byte order
// mark at the start dropped, leading blanks
// dropped, empty lines and lines starting with '#' skipped, the name up to
// the first '=' and the value after it, as written. A line without '=' (docker
// takes such a variable from its own environment, which is not the image's)
// or whose name is empty or holds a blank, and a line holding a NUL byte,
// are passed over; a later line wins.
std::map<std::string, std::string> parse_env_file(std::string_view text);

// The whole of the file at `path`: a regular file, or a pipe (`--env-file
// <(docker inspect ...)`, /dev/stdin), at most `limit` bytes. False, with the
// reason in `error`, for anything else, an unreadable file or a larger one.
bool read_env_file(const char* path, size_t limit, std::string& text, std::string& error);

}  // namespace cgview::cli
