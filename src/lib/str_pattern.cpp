// The pattern matcher (see str_pattern.hpp for the design). Character
// classes use <cctype>, so they follow the C locale set by os.setlocale, as
// PUC's do.
#include "str_pattern.hpp"

#include <cctype>
#include <cstring>

namespace rua {

namespace {

constexpr char kEsc = '%';

inline int uchar(char c) { return static_cast<unsigned char>(c); }

// Does byte c belong to class %cl? An upper-case class letter is the
// complement; any other character after '%' stands for itself.
bool class_matches(int c, int cl) {
  bool res;
  switch (std::tolower(cl)) {
    case 'a': res = std::isalpha(c); break;
    case 'c': res = std::iscntrl(c); break;
    case 'd': res = std::isdigit(c); break;
    case 'g': res = std::isgraph(c); break;
    case 'l': res = std::islower(c); break;
    case 'p': res = std::ispunct(c); break;
    case 's': res = std::isspace(c); break;
    case 'u': res = std::isupper(c); break;
    case 'w': res = std::isalnum(c); break;
    case 'x': res = std::isxdigit(c); break;
    case 'z': res = (c == 0); break;  // deprecated, still accepted
    default: return cl == c;
  }
  return std::islower(cl) ? res : !res;
}

// Does byte c belong to the set [...] that starts at p ('[') and ends at
// ec (its ']')? class_end has checked the syntax.
bool set_matches(int c, const char* p, const char* ec) {
  bool found = true;  // what finding c means: false for a complemented set
  p++;                // skip '['
  if (*p == '^') {
    found = false;
    p++;
  }
  for (; p < ec; p++) {
    if (*p == kEsc) {
      p++;
      if (class_matches(c, uchar(*p))) return found;
    } else if (p + 2 < ec && p[1] == '-') {  // a range; a '-' just before ']' is literal
      if (uchar(p[0]) <= c && c <= uchar(p[2])) return found;
      p += 2;
    } else if (uchar(*p) == c) {
      return found;
    }
  }
  return !found;
}

// Counts one level of nested 'match' calls for as long as it lives.
class DepthGuard {
 public:
  explicit DepthGuard(int& left) : left_(left) { left_--; }
  ~DepthGuard() { left_++; }
  DepthGuard(const DepthGuard&) = delete;
  DepthGuard& operator=(const DepthGuard&) = delete;

 private:
  int& left_;
};

}  // namespace

Matcher::Matcher(State* L, std::string_view subject, std::string_view pattern)
    : L_(L),
      src_init_(subject.data()),
      src_end_(subject.data() + subject.size()),
      p_end_(pattern.data() + pattern.size()) {}

const char* Matcher::match_at(const char* s, const char* p) {
  depth_left_ = kMaxMatchDepth;  // an error may have left it anywhere
  level_ = 0;
  return match(s, p);
}

// ---- the matching engine ----

const char* Matcher::match(const char* s, const char* p) {
  if (depth_left_ == 0) errorf(L_, "pattern too complex");
  DepthGuard guard(depth_left_);
  while (p != p_end_) {
    switch (*p) {
      case '(': {
        bool position = p + 1 < p_end_ && p[1] == ')';
        return start_capture(s, p + (position ? 2 : 1), position ? kCapPosition : kCapUnfinished);
      }
      case ')': return end_capture(s, p + 1);
      case '$':
        if (p + 1 == p_end_) return s == src_end_ ? s : nullptr;
        break;  // a '$' elsewhere is an ordinary character
      case kEsc:
        if (escape_step(s, p)) {
          if (s == nullptr) return nullptr;
          continue;
        }
        break;  // a class such as %a
      default: break;
    }
    // A single-character class with an optional suffix.
    const char* ep = class_end(p);
    char suffix = ep < p_end_ ? *ep : '\0';
    if (!single_match(s, p, ep)) {
      if (suffix != '*' && suffix != '?' && suffix != '-') return nullptr;
      p = ep + 1;  // the item accepts the empty string
      continue;
    }
    switch (suffix) {
      case '?':
        if (const char* res = match(s + 1, ep + 1)) return res;
        p = ep + 1;
        continue;
      case '+': return max_expand(s + 1, p, ep);
      case '*': return max_expand(s, p, ep);
      case '-': return min_expand(s, p, ep);
      default:
        s++;
        p = ep;
        continue;
    }
  }
  return s;
}

// The escapes that are not character classes: %b, %f and back-references.
// Returns false for any other escape. Otherwise moves p past the item and
// sets s to where matching goes on (null: no match here).
bool Matcher::escape_step(const char*& s, const char*& p) {
  char c = p + 1 < p_end_ ? p[1] : '\0';
  if (c == 'b') {
    s = match_balance(s, p + 2);
    p += 4;
  } else if (c == 'f') {
    s = match_frontier(s, p + 2, &p);
  } else if (c >= '0' && c <= '9') {
    s = match_backref(s, c);
    p += 2;
  } else {
    return false;
  }
  return true;
}

// Tries the longest run of the item first, then shorter ones.
const char* Matcher::max_expand(const char* s, const char* p, const char* ep) {
  ptrdiff_t n = 0;
  while (single_match(s + n, p, ep)) n++;
  for (; n >= 0; n--) {
    if (const char* res = match(s + n, ep + 1)) return res;
  }
  return nullptr;
}

// Tries the shortest run of the item first, then longer ones.
const char* Matcher::min_expand(const char* s, const char* p, const char* ep) {
  for (;;) {
    if (const char* res = match(s, ep + 1)) return res;
    if (!single_match(s, p, ep)) return nullptr;
    s++;
  }
}

const char* Matcher::start_capture(const char* s, const char* p, ptrdiff_t what) {
  if (level_ >= kMaxCaptures) errorf(L_, "too many captures");
  capture_[level_] = {s, what};
  level_++;
  const char* res = match(s, p);
  if (res == nullptr) level_--;  // undo the capture
  return res;
}

const char* Matcher::end_capture(const char* s, const char* p) {
  int l = capture_to_close();
  capture_[l].len = s - capture_[l].init;
  const char* res = match(s, p);
  if (res == nullptr) capture_[l].len = kCapUnfinished;  // undo the close
  return res;
}

int Matcher::capture_to_close() {
  for (int l = level_ - 1; l >= 0; l--) {
    if (capture_[l].len == kCapUnfinished) return l;
  }
  errorf(L_, "invalid pattern capture");
}

// %1-%9: the same text as a finished capture (a position capture never matches).
const char* Matcher::match_backref(const char* s, char digit) {
  int l = digit - '1';
  if (l < 0 || l >= level_ || capture_[l].len == kCapUnfinished) {
    errorf(L_, "invalid capture index %%%d", l + 1);
  }
  ptrdiff_t len = capture_[l].len;
  if (len < 0 || src_end_ - s < len) return nullptr;
  return std::memcmp(capture_[l].init, s, size_t(len)) == 0 ? s + len : nullptr;
}

// %bxy at p (after "%b"): from an x to the y that balances it.
const char* Matcher::match_balance(const char* s, const char* p) {
  if (p_end_ - p < 2) errorf(L_, "malformed pattern (missing arguments to '%%b')");
  if (s >= src_end_ || *s != p[0]) return nullptr;
  char open = p[0], close = p[1];
  int depth = 1;
  while (++s < src_end_) {
    if (*s == close) {
      if (--depth == 0) return s + 1;
    } else if (*s == open) {
      depth++;
    }
  }
  return nullptr;  // the subject ends before the balance
}

// %f[set] at p (after "%f"): the position where the previous byte is not
// in the set and the next one is (the subject's edges count as '\0').
const char* Matcher::match_frontier(const char* s, const char* p, const char** next) {
  if (p >= p_end_ || *p != '[') errorf(L_, "missing '[' after '%%f' in pattern");
  const char* ep = class_end(p);
  *next = ep;
  int prev = s == src_init_ ? 0 : uchar(s[-1]);
  int cur = s < src_end_ ? uchar(*s) : 0;
  return !set_matches(prev, p, ep - 1) && set_matches(cur, p, ep - 1) ? s : nullptr;
}

// Where the single-character class at p ends (its suffix, if any, is there).
const char* Matcher::class_end(const char* p) {
  char c = *p++;
  if (c == kEsc) {
    if (p == p_end_) errorf(L_, "malformed pattern (ends with '%%')");
    return p + 1;
  }
  if (c == '[') {
    if (p < p_end_ && *p == '^') p++;
    do {  // the first character is never the closing ']'
      if (p == p_end_) errorf(L_, "malformed pattern (missing ']')");
      if (*p++ == kEsc && p < p_end_) p++;  // skip escapes such as '%]'
    } while (p == p_end_ || *p != ']');
    return p + 1;
  }
  return p;
}

bool Matcher::single_match(const char* s, const char* p, const char* ep) const {
  if (s >= src_end_) return false;
  int c = uchar(*s);
  switch (*p) {
    case '.': return true;
    case kEsc: return class_matches(c, uchar(p[1]));
    case '[': return set_matches(c, p, ep - 1);
    default: return uchar(*p) == c;
  }
}

// ---- captures ----

bool Matcher::capture_text(int i, const char* s, const char* e, std::string_view* text) {
  if (i >= level_) {
    if (i != 0) errorf(L_, "invalid capture index %%%d", i + 1);
    *text = std::string_view(s, size_t(e - s));  // no captures: the whole match
    return true;
  }
  const Capture& cap = capture_[i];
  if (cap.len == kCapUnfinished) errorf(L_, "unfinished capture");
  if (cap.len == kCapPosition) {
    push_integer(L_, lua_Integer(cap.init - src_init_) + 1);
    return false;
  }
  *text = std::string_view(cap.init, size_t(cap.len));
  return true;
}

void Matcher::push_capture(int i, const char* s, const char* e) {
  std::string_view text;
  if (capture_text(i, s, e, &text)) push_sv(L_, text);
}

int Matcher::push_captures(const char* s, const char* e, bool whole_if_none) {
  int n = (level_ == 0 && whole_if_none) ? 1 : level_;
  check_stack_msg(L_, n, "too many captures");
  for (int i = 0; i < n; i++) push_capture(i, s, e);
  return n;
}

}  // namespace rua
