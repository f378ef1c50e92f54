// The lexer (see lexer.hpp). Follows llex.c's structure closely so that
// tokens, line numbers and the text of error messages match PUC Lua: the
// buffer 'buf_' keeps what PUC keeps, because "near '...'" quotes it.
#include "lexer.hpp"

#include <cstring>

#include "compiler.hpp"
#include "numconv.hpp"

namespace rua {
namespace {

const char* const kTokenNames[] = {
    "and",  "break", "do",    "else",  "elseif",   "end",       "false",  "for",     "function", "global",
    "goto", "if",    "in",    "local", "nil",      "not",       "or",     "repeat",  "return",   "then",
    "true", "until", "while", "//",    "..",       "...",       "==",     ">=",      "<=",       "~=",
    "<<",   ">>",    "::",    "<eof>", "<number>", "<integer>", "<name>", "<string>"};

constexpr int kNumReserved = TK_WHILE - kFirstReserved + 1;

bool is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(int c) { return c >= '0' && c <= '9'; }
bool is_alnum(int c) { return is_alpha(c) || is_digit(c); }
bool is_xdigit(int c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_space(int c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
bool is_print(int c) { return c >= 32 && c < 127; }
int hex_value(int c) { return is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10; }

// Reserved word lookup: 'global' is contextual (LUA_COMPAT_GLOBAL), so the
// lexer returns it as a name and the parser decides.
int reserved_token(std::string_view s) {
  for (int i = 0; i < kNumReserved; i++) {
    if (i + kFirstReserved == TK_GLOBAL) continue;
    if (s == kTokenNames[i]) return kFirstReserved + i;
  }
  return 0;
}

// UTF-8 encoding of code points up to 2^31 (luaO_utf8esc), 1 to 6 bytes.
int utf8_encode(char* buff, uint32_t x) {  // writes backwards from buff[7]
  int n = 1;
  if (x < 0x80) {
    buff[7] = char(x);
  } else {
    unsigned mfb = 0x3f;
    do {
      buff[8 - (n++)] = char(0x80 | (x & 0x3f));
      x >>= 6;
      mfb >>= 1;
    } while (x > mfb);
    buff[8 - n] = char((~mfb << 1) | x);
  }
  return n;
}

}  // namespace

std::string chunk_id(std::string_view source) {
  constexpr size_t kIdSize = 60;  // LUA_IDSIZE, including the final '\0'
  std::string out;
  if (!source.empty() && source[0] == '=') {
    out.assign(source.substr(1, kIdSize - 1));
  } else if (!source.empty() && source[0] == '@') {
    if (source.size() <= kIdSize) {
      out.assign(source.substr(1));
    } else {
      out = "...";
      out.append(source.substr(source.size() - (kIdSize - 4)));
    }
  } else {
    size_t nl = source.find('\n');
    const size_t avail = kIdSize - (sizeof("[string \"") - 1) - 3 - (sizeof("\"]") - 1) - 1;
    out = "[string \"";
    if (source.size() < avail && nl == std::string_view::npos) {
      out.append(source);
    } else {
      size_t len = nl == std::string_view::npos ? source.size() : nl;
      if (len > avail) len = avail;
      out.append(source.substr(0, len));
      out.append("...");
    }
    out.append("\"]");
  }
  return out;
}

Lexer::Lexer(std::string_view text, std::string_view chunkname)
    : text_(text), source_(chunkname), id_(chunk_id(chunkname)) {
  ahead_.tok = TK_EOS;
  advance();
}

void Lexer::save(int c) {
  if (buf_.size() >= (SIZE_MAX / 3) * 2) lex_error("lexical element too long", 0);
  buf_.push_back(char(c));
}

bool Lexer::check_next1(int c) {
  if (current_ != c) return false;
  advance();
  return true;
}

bool Lexer::check_next2(const char* set) {
  if (current_ != set[0] && current_ != set[1]) return false;
  save_and_next();
  return true;
}

void Lexer::inc_line() {
  int old = current_;
  advance();                                       // skip '\n' or '\r'
  if (at_newline() && current_ != old) advance();  // skip '\n\r' or '\r\n'
  if (++linenumber_ >= INT32_MAX) lex_error("chunk has too many lines", 0);
}

std::string Lexer::token_to_string(int tok) const {
  if (tok < kFirstReserved) {
    if (is_print(tok)) return std::string("'") + char(tok) + "'";
    return "'<\\" + std::to_string(tok) + ">'";
  }
  const char* s = kTokenNames[tok - kFirstReserved];
  if (tok < TK_EOS) return std::string("'") + s + "'";
  return s;
}

std::string Lexer::text_token(int tok) {
  switch (tok) {
    case TK_NAME:
    case TK_STRING:
    case TK_FLT:
    case TK_INT: return "'" + std::string(buf_.c_str()) + "'";  // stops at an embedded zero, as PUC's %s
    default: return token_to_string(tok);
  }
}

void Lexer::lex_error(std::string_view msg, int token) {
  std::string m = id_ + ":" + std::to_string(linenumber_) + ": " + std::string(msg);
  if (token) m += " near " + text_token(token);
  throw CompileError{std::move(m)};
}

void Lexer::syntax_error(std::string_view msg) { lex_error(msg, t_.tok); }

void Lexer::semantic_error(std::string_view msg) { error_at(msg, lastline_); }

void Lexer::error_at(std::string_view msg, int line) {
  throw CompileError{id_ + ":" + std::to_string(line) + ": " + std::string(msg)};
}

int Lexer::read_numeral(Token& tk) {
  const char* expo = "Ee";
  int first = current_;
  save_and_next();
  if (first == '0' && check_next2("xX")) expo = "Pp";
  for (;;) {
    if (check_next2(expo))
      check_next2("-+");
    else if (is_xdigit(current_) || current_ == '.')
      save_and_next();
    else
      break;
  }
  if (is_alpha(current_)) save_and_next();  // numeral touching a letter: force an error
  switch (str_to_number(buf_, tk.i, tk.n)) {
    case NumKind::Int: return TK_INT;
    case NumKind::Float: return TK_FLT;
    default: lex_error("malformed number", TK_FLT);
  }
}

size_t Lexer::skip_sep() {
  size_t count = 0;
  int s = current_;
  save_and_next();
  while (current_ == '=') {
    save_and_next();
    count++;
  }
  return current_ == s ? count + 2 : count == 0 ? 1 : 0;
}

void Lexer::read_long_string(Token* tk, size_t sep) {
  int line = linenumber_;
  save_and_next();  // skip 2nd '['
  if (at_newline()) inc_line();
  for (;;) {
    switch (current_) {
      case -1:
        lex_error(std::string("unfinished long ") + (tk ? "string" : "comment") + " (starting at line " +
                      std::to_string(line) + ")",
                  TK_EOS);
      case ']':
        if (skip_sep() == sep) {
          save_and_next();  // skip 2nd ']'
          goto done;
        }
        break;
      case '\n':
      case '\r':
        save('\n');
        inc_line();
        if (!tk) buf_.clear();
        break;
      default:
        if (tk)
          save_and_next();
        else
          advance();
    }
  }
done:
  if (tk) tk->s = intern(std::string_view(buf_).substr(sep, buf_.size() - 2 * sep));
}

void Lexer::esc_check(bool ok, const char* msg) {
  if (!ok) {
    if (current_ != -1) save_and_next();  // add current to buffer for the message
    lex_error(msg, TK_STRING);
  }
}

int Lexer::get_hexa() {
  save_and_next();
  esc_check(is_xdigit(current_), "hexadecimal digit expected");
  return hex_value(current_);
}

int Lexer::read_hexa_escape() {
  int r = get_hexa();
  r = (r << 4) + get_hexa();
  buf_.resize(buf_.size() - 2);
  return r;
}

uint32_t Lexer::read_utf8_escape() {
  int i = 4;        // chars to remove: start with #"\u{X"
  save_and_next();  // skip 'u'
  esc_check(current_ == '{', "missing '{'");
  uint32_t r = uint32_t(get_hexa());
  while (save_and_next(), is_xdigit(current_)) {
    i++;
    esc_check(r <= (0x7FFFFFFFu >> 4), "UTF-8 value too large");
    r = (r << 4) + uint32_t(hex_value(current_));
  }
  esc_check(current_ == '}', "missing '}'");
  advance();  // skip '}'
  buf_.resize(buf_.size() - size_t(i));
  return r;
}

int Lexer::read_decimal_escape() {
  int i, r = 0;
  for (i = 0; i < 3 && is_digit(current_); i++) {
    r = 10 * r + current_ - '0';
    save_and_next();
  }
  esc_check(r <= 255, "decimal escape too large");
  buf_.resize(buf_.size() - size_t(i));
  return r;
}

void Lexer::read_string(int del, Token& tk) {
  save_and_next();  // keep the delimiter for error messages
  while (current_ != del) {
    switch (current_) {
      case -1: lex_error("unfinished string", TK_EOS);
      case '\n':
      case '\r': lex_error("unfinished string", TK_STRING);
      case '\\': {
        int c;
        save_and_next();  // keep '\\' for error messages
        switch (current_) {
          case 'a': c = '\a'; goto read_save;
          case 'b': c = '\b'; goto read_save;
          case 'f': c = '\f'; goto read_save;
          case 'n': c = '\n'; goto read_save;
          case 'r': c = '\r'; goto read_save;
          case 't': c = '\t'; goto read_save;
          case 'v': c = '\v'; goto read_save;
          case 'x': c = read_hexa_escape(); goto read_save;
          case 'u': {
            char buff[8];
            int n = utf8_encode(buff, read_utf8_escape());
            for (; n > 0; n--) save(buff[8 - n]);
            goto no_save;
          }
          case '\n':
          case '\r':
            inc_line();
            c = '\n';
            goto only_save;
          case '\\':
          case '"':
          case '\'': c = current_; goto read_save;
          case -1: goto no_save;  // error on the next loop
          case 'z': {
            buf_.pop_back();  // remove '\\'
            advance();
            while (is_space(current_)) {
              if (at_newline())
                inc_line();
              else
                advance();
            }
            goto no_save;
          }
          default:
            esc_check(is_digit(current_), "invalid escape sequence");
            c = read_decimal_escape();
            goto only_save;
        }
      read_save:
        advance();
      only_save:
        buf_.pop_back();  // remove '\\'
        save(c);
      no_save:
        break;
      }
      default: save_and_next();
    }
  }
  save_and_next();  // skip the delimiter
  tk.s = intern(std::string_view(buf_).substr(1, buf_.size() - 2));
}

int Lexer::read_token(Token& tk) {
  buf_.clear();
  for (;;) {
    switch (current_) {
      case '\n':
      case '\r': inc_line(); break;
      case ' ':
      case '\f':
      case '\t':
      case '\v': advance(); break;
      case '-': {
        advance();
        if (current_ != '-') return '-';
        advance();
        if (current_ == '[') {
          size_t sep = skip_sep();
          buf_.clear();
          if (sep >= 2) {
            read_long_string(nullptr, sep);
            buf_.clear();
            break;
          }
        }
        while (!at_newline() && current_ != -1) advance();
        break;
      }
      case '[': {
        size_t sep = skip_sep();
        if (sep >= 2) {
          read_long_string(&tk, sep);
          return TK_STRING;
        }
        if (sep == 0) lex_error("invalid long string delimiter", TK_STRING);
        return '[';
      }
      case '=': advance(); return check_next1('=') ? int(TK_EQ) : int('=');
      case '<':
        advance();
        if (check_next1('=')) return TK_LE;
        return check_next1('<') ? int(TK_SHL) : int('<');
      case '>':
        advance();
        if (check_next1('=')) return TK_GE;
        return check_next1('>') ? int(TK_SHR) : int('>');
      case '/': advance(); return check_next1('/') ? int(TK_IDIV) : int('/');
      case '~': advance(); return check_next1('=') ? int(TK_NE) : int('~');
      case ':': advance(); return check_next1(':') ? int(TK_DBCOLON) : int(':');
      case '"':
      case '\'': read_string(current_, tk); return TK_STRING;
      case '.':
        save_and_next();
        if (check_next1('.')) return check_next1('.') ? TK_DOTS : TK_CONCAT;
        if (!is_digit(current_)) return '.';
        return read_numeral(tk);
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7':
      case '8':
      case '9': return read_numeral(tk);
      case -1: return TK_EOS;
      default: {
        if (is_alpha(current_)) {
          do save_and_next();
          while (is_alnum(current_));
          if (int r = reserved_token(buf_)) return r;
          tk.s = intern(buf_);
          return TK_NAME;
        }
        int c = current_;
        advance();
        return c;
      }
    }
  }
}

void Lexer::next() {
  lastline_ = linenumber_;
  if (ahead_.tok != TK_EOS) {
    t_ = ahead_;
    ahead_.tok = TK_EOS;
  } else {
    t_.tok = read_token(t_);
  }
}

int Lexer::lookahead() {
  ahead_.tok = read_token(ahead_);
  return ahead_.tok;
}

}  // namespace rua
