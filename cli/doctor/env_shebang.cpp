#include "env_shebang.hpp"

#include <signal.h>

#include <array>
#include <cctype>
#include <deque>
#include <set>
#include <vector>

#include "env_signals.hpp"

namespace cgview::cli {

namespace {

// A #! line's 256 bytes hold fewer option words than this: more come only
// from a ${NAME} whose value holds -S and itself (X='-S ${X}'), which env
// splits for ever.
constexpr size_t kMaxWords = 256;

struct Word {
  std::string text;
  bool script = false;  // the script's own path, after the #! line's one argument
};

enum class Takes { Nothing, Word, OnlyAfterEquals };

struct LongOption {
  std::string_view name;
  Takes takes;
  char as_short;  // the short option it is, or 0
};

// coreutils env's long options (9.7); --argv0 is 9.6's.
constexpr std::array kLongOptions{
    LongOption{"ignore-environment", Takes::Nothing, 'i'},
    LongOption{"null", Takes::Nothing, '0'},
    LongOption{"unset", Takes::Word, 'u'},
    LongOption{"chdir", Takes::Word, 'C'},
    LongOption{"default-signal", Takes::OnlyAfterEquals, 'D'},  // 'D', 'I', 'B' stand for these three alone
    LongOption{"ignore-signal", Takes::OnlyAfterEquals, 'I'},
    LongOption{"block-signal", Takes::OnlyAfterEquals, 'B'},
    LongOption{"list-signal-handling", Takes::Nothing, 0},
    LongOption{"debug", Takes::Nothing, 'v'},
    LongOption{"split-string", Takes::Word, 'S'},
    LongOption{"argv0", Takes::Word, 'a'},
    LongOption{"help", Takes::Nothing, 'h'},  // 'h' and 'V' stand for these two alone
    LongOption{"version", Takes::Nothing, 'V'},
};

constexpr std::string_view kShortWithWord = "uCSa";  // "+C:iS:u:v0" and 9.6's "a:"
constexpr std::string_view kShortAlone = "iv0";

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; }

bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// -S's string as env splits it, or its complaint in `error`.
bool split_string(std::string_view s, const EnvLookup& lookup, std::vector<std::string>& words, std::string& error) {
  enum class Quote { None, Single, Double } quote = Quote::None;
  std::string word;
  bool in_word = false;
  auto end_word = [&] {
    if (in_word) words.push_back(std::move(word));
    word.clear();
    in_word = false;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quote == Quote::Single) {  // literal but for \\ and \'
      if (c == '\'') quote = Quote::None;
      else if (c == '\\' && i + 1 < s.size() && (s[i + 1] == '\\' || s[i + 1] == '\'')) word += s[++i];
      else word += c;
      continue;
    }
    if (quote == Quote::None && is_blank(c)) {
      end_word();
      continue;
    }
    if (quote == Quote::None && c == '#' && !in_word) break;  // a comment to the end
    // Each character makes or extends a word but for \_ and \c outside
    // quotes and an unset ${NAME} (one set to "" makes an empty word).
    if (c != '\\' && c != '$') in_word = true;
    if (c == '\'' && quote == Quote::None) {
      quote = Quote::Single;
    } else if (c == '"') {
      quote = quote == Quote::Double ? Quote::None : Quote::Double;
    } else if (c == '\\') {
      char next = i + 1 < s.size() ? s[++i] : '\0';
      if (quote == Quote::Double || (next != '_' && next != 'c')) in_word = true;
      switch (next) {
        case '\\': case '"': case '\'': case '#': case '$': word += next; break;
        case 'f': word += '\f'; break;
        case 'n': word += '\n'; break;
        case 'r': word += '\r'; break;
        case 't': word += '\t'; break;
        case 'v': word += '\v'; break;
        case '_':  // a blank in quotes, else the end of a word
          if (quote == Quote::Double) word += ' ';
          else end_word();
          break;
        case 'c':  // the end of the whole string
          if (quote == Quote::Double) {
            error = "'\\c' must not appear in double-quoted -S string";
            return false;
          }
          end_word();
          return true;
        default:
          error = std::string("invalid sequence '\\") + (next == '\0' ? "" : std::string(1, next)) + "' in -S";
          return false;
      }
    } else if (c == '$') {  // ${NAME} only, never split
      size_t close = s.find('}', i);
      std::string_view name = close == std::string_view::npos ? std::string_view() : s.substr(i + 2, close - i - 2);
      bool ok = i + 1 < s.size() && s[i + 1] == '{' && !name.empty() && is_name_start(name[0]);
      for (char n : name) ok &= is_name_char(n);
      if (!ok) {
        error = "only ${VARNAME} expansion is supported, error at: " + std::string(s.substr(i));
        return false;
      }
      if (std::optional<std::string> value = lookup(name)) {
        word += *value;
        in_word = true;
      }
      i = close;
    } else {
      word += c;
    }
  }
  if (quote != Quote::None) {
    error = "no terminating quote in -S string";
    return false;
  }
  end_word();
  return true;
}

// The long option `name` (before any '=') names, by its whole name or a
// prefix of one alone, as getopt_long takes it; nullptr with `error` else,
// which quotes the whole `word` ("--de=x"), '=' and all, as glibc's getopt does.
const LongOption* find_long_option(std::string_view name, std::string_view word, std::string& error) {
  const LongOption* found = nullptr;
  for (const LongOption& option : kLongOptions) {
    if (option.name == name) return &option;
    if (!option.name.starts_with(name)) continue;
    if (found != nullptr) {
      error = "option '" + std::string(word) + "' is ambiguous";
      return nullptr;
    }
    found = &option;
  }
  if (found == nullptr) error = "unrecognized option '" + std::string(word) + "'";
  return found;
}

class Reader {
 public:
  Reader(std::string_view argument, const EnvLookup& lookup) : lookup_(lookup) {
    if (!argument.empty()) words_.push_back({std::string(argument), false});
    words_.push_back({"", true});
  }

  EnvShebang read() {
    if (!read_options()) return failed();
    if (!words_.empty() && !words_.front().script && words_.front().text == "-") {  // a lone "-" is -i
      out_.drops_preload = words_.front().text;  // "-" (a copy: GCC 12 at -O3 warns falsely of a literal's)
      cleared_ = true;
      words_.pop_front();
    }
    // env clears its environment (-i, "-"), unsets the -u names, sets the
    // NAME=VALUE words, in that order; unsetenv refuses a name with '=' or none.
    if (cleared_ || unsets_path_) {
      out_.path = "/bin:/usr/bin";
      out_.path_unset = true;
    }
    // -i and "-" spare env its unsets (coreutils 9.1 skips them), and their complaints.
    if (bad_unset_ && !cleared_) return nothing("fails (cannot unset '" + *bad_unset_ + "': Invalid argument)");
    while (!words_.empty() && !words_.front().script && words_.front().text.find('=') != std::string::npos) {
      const std::string& set = words_.front().text;
      if (set.starts_with("LD_PRELOAD=")) out_.drops_preload = set == "LD_PRELOAD=" ? set : "";
      if (set.starts_with("PATH=")) {
        out_.path = set.substr(5);
        out_.path_unset = false;
      }
      words_.pop_front();
    }
    if (words_.empty())
      return nothing(out_.chdir ? "fails (must specify command with --chdir (-C))" : "prints its environment");
    if (null_) return nothing("fails (cannot specify --null (-0) with command)");
    if (!unchangeable_.empty())
      return nothing("fails (failed to set signal action for signal " + std::to_string(*unchangeable_.begin()) +
                     ": Invalid argument)");
    if (words_.front().script) {
      out_.drops_preload.clear();
      out_.runs_script_itself = true;
    } else if (words_.front().text.empty()) {
      return nothing("fails (no program is named '')");
    } else {
      out_.command = words_.front().text;
    }
    return out_;
  }

 private:
  EnvShebang failed() { return nothing(stopped_ ? error_ : "fails (" + error_ + ")"); }
  bool stop(std::string what) {  // an option that ends env without a command
    error_ = std::move(what);
    stopped_ = true;
    return false;
  }
  EnvShebang nothing(std::string why) const { return out_.running_nothing(std::move(why)); }

  // Options, until the first word that is none ("--" ends them too).
  bool read_options() {
    while (!words_.empty() && !words_.front().script) {
      const std::string word = words_.front().text;
      if (word.size() < 2 || word[0] != '-') return true;
      words_.pop_front();
      if (word == "--") return true;
      if (word.starts_with("--") ? !read_long(word) : !read_short_group(word)) return false;
      if (++steps_ > kMaxWords) return stop("splits -S strings for ever (a ${NAME} that holds -S and itself)");
    }
    return true;
  }

  bool read_long(const std::string& word) {
    size_t equals = word.find('=');
    std::string_view name = std::string_view(word).substr(2, equals == std::string::npos ? std::string::npos : equals - 2);
    const LongOption* option = find_long_option(name, word, error_);
    if (option == nullptr) return false;
    const std::string spelled = "--" + std::string(option->name);
    if (option->takes == Takes::Nothing && equals != std::string::npos) {
      error_ = "option '" + spelled + "' doesn't allow an argument";
      return false;
    }
    if (option->takes == Takes::OnlyAfterEquals)
      return read_signals(option->as_short, equals == std::string::npos ? std::nullopt
                                                                         : std::optional(word.substr(equals + 1)));
    Word value;
    if (equals != std::string::npos) value.text = word.substr(equals + 1);
    else if (option->takes == Takes::Word && !next_word(value, "option '" + spelled + "' requires an argument")) return false;
    return apply(option->as_short, spelled, value);
  }

  bool read_short_group(const std::string& word) {
    for (size_t i = 1; i < word.size(); ++i) {
      char c = word[i];
      if (kShortAlone.find(c) != std::string_view::npos) {
        if (!apply(c, std::string("-") + c, {})) return false;
        continue;
      }
      if (kShortWithWord.find(c) == std::string_view::npos) {
        error_ = std::string("invalid option -- '") + c + "'";
        return false;
      }
      Word value;
      if (i + 1 < word.size()) value.text = word.substr(i + 1);
      else if (!next_word(value, std::string("option requires an argument -- '") + c + "'")) return false;
      return apply(c, std::string("-") + c, value);
    }
    return true;
  }

  // --default-signal, --ignore-signal ('D', 'I') or --block-signal ('B')
  // with `list`, its signals between commas, or none: every signal. env
  // rejects a signal it cannot read at once; it sets the actions once every
  // option is read, where SIGKILL's and SIGSTOP's fail if a list named them
  // (without one they are passed over). Blocking them is quietly ignored.
  bool read_signals(char option, const std::optional<std::string>& list) {
    const bool sets_action = option != 'B';
    if (!list) {
      if (sets_action) unchangeable_.clear();
      return true;
    }
    size_t at = 0;
    while (at <= list->size()) {
      size_t end = list->find(',', at);
      if (end == std::string::npos) end = list->size();
      const std::string name = list->substr(at, end - at);
      at = end + 1;
      if (name.empty()) continue;  // strtok's reading: no empty fields
      const int signal = env_signal_number(name);
      if (signal == 0) {
        error_ = "'" + name + "': invalid signal";
        return false;
      }
      if (sets_action && (signal == SIGKILL || signal == SIGSTOP)) unchangeable_.insert(signal);
    }
    return true;
  }

  bool next_word(Word& value, std::string missing) {
    if (words_.empty()) {
      error_ = std::move(missing);
      return false;
    }
    value = std::move(words_.front());
    words_.pop_front();
    return true;
  }

  bool apply(char option, const std::string& spelled, const Word& value) {
    switch (option) {
      case 'i':
        out_.drops_preload = spelled;
        cleared_ = true;
        break;
      case 'u':
        if (value.text == "LD_PRELOAD") out_.drops_preload = spelled + " LD_PRELOAD";
        if (value.text == "PATH") unsets_path_ = true;
        if (!bad_unset_ && !value.script && (value.text.empty() || value.text.find('=') != std::string::npos))
          bad_unset_ = value.text;
        break;
      case 'C':
        out_.chdir = value.text;  // the script's path where -C took it: no command is left then
        break;
      case '0': null_ = true; break;
      case 'h': return stop("prints its help");
      case 'V': return stop("prints its version");
      case 'S': {
        if (value.script) {  // -S took the script's path: the path is its one word
          words_.push_front(value);
          break;
        }
        std::vector<std::string> split;
        out_.split = true;
        if (!split_string(value.text, lookup_, split, error_)) return false;
        for (auto it = split.rbegin(); it != split.rend(); ++it) words_.push_front({std::move(*it), false});
        break;
      }
      default: break;  // -a, -v and --list-signal-handling leave the environment and the command
    }
    return true;
  }

  const EnvLookup& lookup_;
  std::deque<Word> words_;
  EnvShebang out_;
  std::string error_;
  bool null_ = false;
  bool stopped_ = false;
  bool cleared_ = false;      // -i or "-": env starts from an empty environment
  bool unsets_path_ = false;  // -u PATH
  std::optional<std::string> bad_unset_;  // the first -u name unsetenv refuses
  std::set<int> unchangeable_;  // SIGKILL, SIGSTOP: named for --default-signal or --ignore-signal
  size_t steps_ = 0;
};

}  // namespace

EnvShebang read_env_shebang(std::string_view argument, const EnvLookup& lookup) {
  return Reader(argument, lookup).read();
}

}  // namespace cgview::cli
