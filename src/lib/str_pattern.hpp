// Lua patterns (manual §6.4.1): the matcher behind string.find, match,
// gmatch and gsub.
//
// A backtracking matcher over byte strings, as in PUC Lua: single-character
// classes with the suffixes * + - ?, captures (also position captures "()"),
// back-references %1-%9, balanced matches %bxy and frontiers %f[set].
// Backtracking recurses on the C++ stack only where an alternative must be
// remembered (a repetition, an optional item, a capture boundary); everything
// else loops. The recursion is bounded by kMaxMatchDepth nested attempts
// ("pattern too complex"), so no pattern can overflow the C++ stack; the bound
// and every error message are PUC's, because scripts rely on them.
//
// A Matcher holds raw pointers into the subject and the pattern: both must
// stay on the Lua stack (they are the native's arguments or upvalues) while
// it is used. Errors are raised with errorf and leave the Matcher reusable.
#pragma once

#include <cstddef>
#include <string_view>

#include "lualib.hpp"

namespace rua {

constexpr int kMaxCaptures = 32;     // PUC's LUA_MAXCAPTURES
constexpr int kMaxMatchDepth = 200;  // PUC's MAXCCALLS for 'match'

class Matcher {
 public:
  Matcher(State* L, std::string_view subject, std::string_view pattern);

  const char* subject_begin() const { return src_init_; }
  const char* subject_end() const { return src_end_; }

  // Matches the pattern starting at p (a position inside the pattern; the
  // caller has skipped a '^' anchor) against the subject at s. Returns the
  // end of the match, or null. Clears the captures of any earlier attempt.
  const char* match_at(const char* s, const char* p);

  // Pushes the captures of the last match s..e: the whole match when the
  // pattern has no captures, unless whole_if_none is false (string.find).
  // Returns the number of values pushed.
  int push_captures(const char* s, const char* e, bool whole_if_none = true);
  // Pushes capture i (0-based) of the last match s..e.
  void push_capture(int i, const char* s, const char* e);
  // Capture i as text, for gsub's "%n": returns false after pushing the
  // position when it is a position capture.
  bool capture_text(int i, const char* s, const char* e, std::string_view* text);

 private:
  static constexpr ptrdiff_t kCapUnfinished = -1;
  static constexpr ptrdiff_t kCapPosition = -2;

  struct Capture {
    const char* init;
    ptrdiff_t len;  // length, or kCapUnfinished / kCapPosition
  };

  const char* match(const char* s, const char* p);
  bool escape_step(const char*& s, const char*& p);
  const char* max_expand(const char* s, const char* p, const char* ep);
  const char* min_expand(const char* s, const char* p, const char* ep);
  const char* start_capture(const char* s, const char* p, ptrdiff_t what);
  const char* end_capture(const char* s, const char* p);
  const char* match_backref(const char* s, char digit);
  const char* match_balance(const char* s, const char* p);
  const char* match_frontier(const char* s, const char* p, const char** next);
  const char* class_end(const char* p);
  bool single_match(const char* s, const char* p, const char* ep) const;
  int capture_to_close();

  State* L_;
  const char* src_init_;
  const char* src_end_;
  const char* p_end_;
  int depth_left_ = kMaxMatchDepth;
  int level_ = 0;  // captures opened so far (finished or not)
  Capture capture_[kMaxCaptures];
};

}  // namespace rua
