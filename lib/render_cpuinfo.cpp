// /proc/cpuinfo as a machine with the CPUs of V would print it, in every
// layout Linux has (cpuinfo_lines.hpp): the per-CPU blocks and lines of V
// only, with their real ids; the count lines saying N (alpha's "cpu active
// mask" is the possible CPUs, and stays the host's);
// on x86 (and s390x's blocks), "siblings" and "cpu cores" counting V's CPUs and V's distinct
// cores in the block's package, so no program finds more cores than CPUs.
// Text outside the blocks is kept: a header (s390x, sparc, alpha), arm64's
// shared section after its list of processor lines, and a trailer (arm32's
// Hardware/Revision/Serial, ppc64's timebase/platform/model, which programs
// read to tell the machine). When nothing is hidden the host's file passes
// through byte for byte, a last line without its newline included.
//
// Two reads of the host file: the first finds the layout, whether anything
// changes, the ids it names, and the packages and cores of V's CPUs; the
// second writes.
//
// The kernel names each online CPU by its id. A file rendered by a layer
// below us may not: LXCFS numbers a cpuset's CPUs 0, 1, ... in order, and
// with --enable-cfs shows only as many as the quota allows. When the file
// does not name all of A but names exactly 0..|A|-1, its entry k is A's k-th
// CPU; when it names exactly 0..N-1, its entries stand for V's CPUs in order;
// either way the kept entries take the real ids they stand for, so the file
// agrees with the online list and the affinity. When it names neither all of
// A nor all of V, nothing can be matched and the file passes through as it is
// (its own answer).
#include "cpuinfo_lines.hpp"
#include "input_file.hpp"
#include "virtual_files.hpp"

namespace cgview {

namespace {

// V's CPUs whose package and core were seen. Bounded so the render needs no
// heap (7 KiB of stack with `named`); past it, "siblings" and "cpu cores" say at most N.
constexpr unsigned kMaxPlaces = 512;
struct Place {
  uint32_t package, core;
};

struct Scan {
  bool changes = false;  // a CPU outside V is named, or a count line is not N
  // A carriage return or a Malformed line: not the kernel's text, whose blocks
  // cannot be told apart with certainty; the file passes through unchanged.
  bool malformed = false;
  bool listed = false;   // processor lines back to back (arm64 before 4.x)
  // How the file's ids name CPUs (see settle_numbering): by id, entry k for
  // A's k-th CPU, or entry k for V's k-th CPU.
  enum class Numbering : unsigned char { ById, PlaceInA, PlaceInV } numbering = Numbering::ById;
  bool places_complete = true;
  CpuSet named;          // the CPU ids the file names
  unsigned places = 0;
  uint16_t place_cpu[kMaxPlaces];
  Place place[kMaxPlaces];

  const Place* place_of(uint64_t cpu) const {
    for (unsigned i = 0; i < places; ++i)
      if (place_cpu[i] == cpu) return &place[i];
    return nullptr;
  }
  unsigned cpus_in(uint32_t package) const {
    unsigned n = 0;
    for (unsigned i = 0; i < places; ++i) n += place[i].package == package;
    return n;
  }
  unsigned cores_in(uint32_t package) const {
    unsigned n = 0;
    for (unsigned i = 0; i < places; ++i) {
      if (place[i].package != package) continue;
      bool first = true;  // the first entry of this core in the package
      for (unsigned j = 0; j < i && first; ++j) first = !(place[j].package == package && place[j].core == place[i].core);
      n += first;
    }
    return n;
  }
};

bool visible(const Limits& limits, uint64_t cpu) { return cpu < kMaxCpus && limits.cpu.visible.has(unsigned(cpu)); }

// The `k`-th CPU of `set` (from 0), or kMaxCpus when it has fewer.
[[gnu::noinline]] unsigned nth_cpu(const CpuSet& set, uint64_t k) {
  const uint64_t* words = set.words();
  for (unsigned w = 0; w < kMaxCpus / 64; ++w) {
    auto ones = unsigned(__builtin_popcountll(words[w]));
    if (k >= ones) {
      k -= ones;
      continue;
    }
    uint64_t word = words[w];
    for (; k > 0; --k) word &= word - 1;  // drop the lowest set bits before it
    return w * 64 + unsigned(__builtin_ctzll(word));
  }
  return kMaxCpus;
}

// The CPU the file's entry `id` stands for (kMaxCpus: none).
uint64_t cpu_of_entry(const Limits& limits, const Scan& scan, uint64_t id) {
  switch (scan.numbering) {
    case Scan::Numbering::PlaceInA: return nth_cpu(limits.cpu.affinity, id);
    case Scan::Numbering::PlaceInV: return nth_cpu(limits.cpu.visible, id);
    case Scan::Numbering::ById: break;
  }
  return id;
}

// Whether the file's entry `id` shows a CPU of V. Out of line: it is asked
// at four places, and the library's size has a budget.
[[gnu::noinline]] bool shown(const Limits& limits, const Scan& scan, uint64_t id) {
  return visible(limits, cpu_of_entry(limits, scan, id));
}

[[gnu::noinline]] bool names_all_of(const CpuSet& named, const CpuSet& cpus) {
  for (unsigned w = 0; w < kMaxCpus / 64; ++w)
    if (cpus.words()[w] & ~named.words()[w]) return false;
  return true;
}

// Whether `named` is exactly 0..n-1.
bool names_zero_to(const CpuSet& named, unsigned n) {
  return named.count() == n && (n == 0 || nth_cpu(named, n - 1) == n - 1);
}

// After the scan: how the file names CPUs. Decided on A before V, so that one
// file is read one way whatever V is: a file naming all of A is the kernel's
// (by id); one that does not but names exactly 0..|A|-1 is renumbered by
// place in A (LXCFS, a cpuset); one naming exactly 0..N-1 shows N CPUs for
// V's (LXCFS --enable-cfs, a quota); one naming all of V is the kernel's
// after a CPU of A went off-line (by id); anything else passes through. A
// layout that names no CPU (alpha) has nothing to match.
void settle_numbering(const Limits& limits, Scan& scan) {
  if (scan.named.empty() || names_all_of(scan.named, limits.cpu.affinity)) return;
  if (names_zero_to(scan.named, limits.cpu.affinity.count())) {
    scan.numbering = Scan::Numbering::PlaceInA;
  } else if (names_zero_to(scan.named, limits.cpu.visible.count())) {
    scan.numbering = Scan::Numbering::PlaceInV;
  } else {
    scan.changes = scan.changes && names_all_of(scan.named, limits.cpu.visible);
    return;
  }
  scan.changes = true;
  scan.places_complete = false;  // "siblings" and "cpu cores" stay as the file has them, at most N
}

constexpr uint64_t kNoCpu = UINT64_MAX;

// `buf`: the render's own line buffer, lent (stack is scarce in other people's threads).
bool scan_cpuinfo(const Config& config, const Limits& limits, Scan& scan, std::span<char> buf) {
  InputFile file(config.root, "/proc/cpuinfo", InputFile::kHeldStreamed);
  if (!file.ok()) return false;
  LineReader reader(file, buf);
  LineReader::Piece piece;
  CpuinfoKind previous = CpuinfoKind::Other;
  uint64_t cpu = kNoCpu, package = 0, core = 0;
  bool has_package = false, has_core = false;
  bool in_processor_block = false;  // ia64 prints a "cpu number" inside it
  while (reader.next(piece)) {
    if (piece.text.find('\r') != std::string_view::npos) scan.malformed = true;
    if (!piece.starts_line) continue;
    CpuinfoLine line = piece.whole() ? classify_cpuinfo_line(piece.text) : CpuinfoLine{};
    switch (line.kind) {
      case CpuinfoKind::Malformed:
        scan.malformed = true;
        break;
      case CpuinfoKind::CpuNumber:
        if (in_processor_block) break;
        [[fallthrough]];
      case CpuinfoKind::Processor:
        if (line.kind == CpuinfoKind::Processor && previous == CpuinfoKind::Processor) scan.listed = true;
        in_processor_block = line.kind == CpuinfoKind::Processor;
        cpu = line.number;
        has_package = has_core = false;
        if (!visible(limits, cpu)) scan.changes = true;
        if (cpu < kMaxCpus) scan.named.add(unsigned(cpu));
        break;
      case CpuinfoKind::CpuTagged:
        if (!visible(limits, line.number)) scan.changes = true;
        if (line.number < kMaxCpus) scan.named.add(unsigned(line.number));
        break;
      case CpuinfoKind::Count:
        if (line.number != limits.cpu.count) scan.changes = true;
        break;
      case CpuinfoKind::PhysicalId:
        package = line.number;
        has_package = true;
        break;
      case CpuinfoKind::CoreId:
        core = line.number;
        has_core = true;
        break;
      case CpuinfoKind::Blank:
        cpu = kNoCpu;
        in_processor_block = false;
        break;
      default: break;
    }
    if (has_package && has_core && visible(limits, cpu) && scan.place_of(cpu) == nullptr) {
      if (scan.places == kMaxPlaces || package > UINT32_MAX || core > UINT32_MAX) {
        scan.places_complete = false;
      } else {
        scan.place_cpu[scan.places] = uint16_t(cpu);
        scan.place[scan.places++] = {uint32_t(package), uint32_t(core)};
      }
    }
    previous = line.kind;
  }
  return !reader.failed();
}

// Writes `text` with its value (line.value_at..value_end) replaced.
void put_rewritten(Sink& out, std::string_view text, const CpuinfoLine& line, std::string_view value, bool newline) {
  out.put(text.substr(0, line.value_at));
  out.put(value);
  out.put(text.substr(line.value_end));
  if (newline) out.put('\n');
}

void put_number(Sink& out, const LineReader::Piece& piece, const CpuinfoLine& line, uint64_t n) {
  FixedText<24> value;
  value.add_u64(n);
  put_rewritten(out, piece.text, line, value.view(), piece.newline);
}

// A renumbered file's kept entry line, written with the real id its entry
// stands for. False (nothing written) for a file named by id.
bool relabel(Sink& out, const LineReader::Piece& piece, const CpuinfoLine& line, const Limits& limits,
             const Scan& scan) {
  if (scan.numbering == Scan::Numbering::ById) return false;
  put_number(out, piece, line, cpu_of_entry(limits, scan, line.number));
  return true;
}

// The host's file with what `scan` found hidden left out, into `out`
// (without its last flush). False when the file cannot be read.
bool filter_cpuinfo(const Config& config, const Limits& limits, const Scan& scan, std::span<char> buf, Sink& out) {
  InputFile file(config.root, "/proc/cpuinfo", InputFile::kHeldStreamed);
  if (!file.ok()) return false;
  LineReader reader(file, buf);
  LineReader::Piece piece;
  bool keep = true;                               // the current block's fate
  CpuinfoKind block = CpuinfoKind::Other;         // Processor or CpuNumber inside a block
  uint64_t cpu = kNoCpu;                          // the current block's CPU
  bool keep_piece = true;                         // the current line's fate, for its later pieces
  bool blank_held = false;                        // a blank line that may precede a hidden s390x block
  while (reader.next(piece)) {
    if (!piece.starts_line || !scan.changes) {
      if (keep_piece || !scan.changes) {
        out.put(piece.text);
        if (piece.newline) out.put('\n');
      }
      continue;
    }
    CpuinfoLine line = piece.whole() ? classify_cpuinfo_line(piece.text) : CpuinfoLine{};
    if (line.kind == CpuinfoKind::CpuNumber && block == CpuinfoKind::Processor) line.kind = CpuinfoKind::Other;
    if (blank_held) {
      if (!(line.kind == CpuinfoKind::CpuNumber && !shown(limits, scan, line.number))) out.put('\n');
      blank_held = false;
    }
    keep_piece = keep;
    switch (line.kind) {
      case CpuinfoKind::Processor:
        if (scan.listed) {  // one line per CPU; what follows belongs to all
          keep_piece = shown(limits, scan, line.number);
          if (keep_piece && relabel(out, piece, line, limits, scan)) keep_piece = false;
          break;
        }
        [[fallthrough]];
      case CpuinfoKind::CpuNumber:
        block = line.kind;
        cpu = line.number;
        keep = keep_piece = shown(limits, scan, cpu);
        if (keep_piece && relabel(out, piece, line, limits, scan)) keep_piece = false;
        break;
      case CpuinfoKind::CpuTagged: keep_piece = keep && shown(limits, scan, line.number); break;
      case CpuinfoKind::Blank:
        // A processor block's blank line ends it and goes with it; any other
        // (before an s390x block) waits: it goes with the next block.
        if (block != CpuinfoKind::Processor) {
          blank_held = true;
          keep_piece = false;
        }
        keep = true;
        block = CpuinfoKind::Other;
        cpu = kNoCpu;
        break;
      case CpuinfoKind::Count:
        if (keep) {
          put_number(out, piece, line, limits.cpu.count);
          keep_piece = false;
        }
        break;
      case CpuinfoKind::Siblings:
      case CpuinfoKind::CpuCores: {
        const Place* place = block != CpuinfoKind::Other && scan.places_complete ? scan.place_of(cpu) : nullptr;
        if (keep && place != nullptr) {
          bool siblings = line.kind == CpuinfoKind::Siblings;
          put_number(out, piece, line, siblings ? scan.cpus_in(place->package) : scan.cores_in(place->package));
          keep_piece = false;
        } else if (keep && block != CpuinfoKind::Other && line.number > limits.cpu.count) {
          // Not counted (past kMaxPlaces, or a renumbered file): still no
          // more CPUs or cores in a package than the machine shows.
          put_number(out, piece, line, limits.cpu.count);
          keep_piece = false;
        }
        break;
      }
      default: break;
    }
    if (keep_piece) {
      out.put(piece.text);
      if (piece.newline) out.put('\n');
    }
  }
  if (blank_held) out.put('\n');
  return !reader.failed();
}

}  // namespace

bool render_cpuinfo(const Config& config, const Limits& limits, Sink& out) {
  Scan scan;
  char buf[4096];
  // V is every online CPU, N counts them, and they are 0..N-1: nothing to hide
  // (the kernel prints the online CPUs, and a file renumbered below us would
  // name the same ids), so one read instead of two. LXCFS shows a cpuset of
  // CPU 1 as online "1" but its cpuinfo as "processor : 0": that is read twice.
  bool everything_shown = limits.cpu.visible == limits.cpu.online && limits.cpu.count == limits.cpu.online.count() &&
                          names_zero_to(limits.cpu.visible, limits.cpu.count);
  if (!everything_shown && !scan_cpuinfo(config, limits, scan, buf)) return false;
  if (!everything_shown) settle_numbering(limits, scan);
  // Text no kernel writes: its blocks cannot be told apart with certainty,
  // so the host's bytes pass as they are, as where nothing is hidden.
  if (scan.malformed) scan.changes = false;
  // The input is closed before the output's last flush: a served fd made
  // there takes the lowest free fd without moving.
  bool read = filter_cpuinfo(config, limits, scan, buf, out);
  return out.finish() && read;
}

}  // namespace cgview
