// The lexer: turns chunk text into tokens, as PUC Lua 5.5's llex.c does,
// with the same error messages ("file:line: msg near 'token'").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>

namespace rua {

// Tokens: single-byte symbols are their own code; the rest start at 257.
enum Tok : int {
  kFirstReserved = 257,
  // reserved words (ORDER RESERVED)
  TK_AND = kFirstReserved,
  TK_BREAK,
  TK_DO,
  TK_ELSE,
  TK_ELSEIF,
  TK_END,
  TK_FALSE,
  TK_FOR,
  TK_FUNCTION,
  TK_GLOBAL,
  TK_GOTO,
  TK_IF,
  TK_IN,
  TK_LOCAL,
  TK_NIL,
  TK_NOT,
  TK_OR,
  TK_REPEAT,
  TK_RETURN,
  TK_THEN,
  TK_TRUE,
  TK_UNTIL,
  TK_WHILE,
  // other multi-char symbols
  TK_IDIV,
  TK_CONCAT,
  TK_DOTS,
  TK_EQ,
  TK_GE,
  TK_LE,
  TK_NE,
  TK_SHL,
  TK_SHR,
  TK_DBCOLON,
  TK_EOS,
  TK_FLT,
  TK_INT,
  TK_NAME,
  TK_STRING
};

struct Token {
  int tok = 0;
  int64_t i = 0;       // TK_INT
  double n = 0;        // TK_FLT
  std::string_view s;  // TK_NAME, TK_STRING (interned in the lexer's pool)
};

// The chunk name as messages show it ("file.lua", [string "..."]).
std::string chunk_id(std::string_view chunkname);

class Lexer {
 public:
  Lexer(std::string_view text, std::string_view chunkname);

  void next();      // advance to the next token
  int lookahead();  // peek one token further
  const Token& t() const { return t_; }
  int line() const { return linenumber_; }
  int lastline() const { return lastline_; }

  // Errors are thrown as CompileError with "chunkid:line: msg [near tok]".
  [[noreturn]] void syntax_error(std::string_view msg);        // near the current token
  [[noreturn]] void semantic_error(std::string_view msg);      // at lastline, no token
  [[noreturn]] void error_at(std::string_view msg, int line);  // at 'line', no token
  std::string token_to_string(int tok) const;

  // Interned strings stay valid for the lexer's lifetime.
  std::string_view intern(std::string_view s) { return *pool_.emplace(s).first; }
  const std::string& source() const { return source_; }

 private:
  int read_token(Token& tk);
  void advance() { current_ = pos_ < text_.size() ? static_cast<unsigned char>(text_[pos_++]) : -1; }
  void save(int c);
  void save_and_next() {
    save(current_);
    advance();
  }
  bool check_next1(int c);
  bool check_next2(const char* set);
  bool at_newline() const { return current_ == '\n' || current_ == '\r'; }
  void inc_line();
  int read_numeral(Token& tk);
  size_t skip_sep();
  void read_long_string(Token* tk, size_t sep);
  void read_string(int del, Token& tk);
  void esc_check(bool ok, const char* msg);
  int get_hexa();
  int read_hexa_escape();
  uint32_t read_utf8_escape();
  int read_decimal_escape();
  [[noreturn]] void lex_error(std::string_view msg, int token);
  std::string text_token(int tok);

  std::string_view text_;
  size_t pos_ = 0;
  int current_ = 0;
  int linenumber_ = 1;
  int lastline_ = 1;
  Token t_;
  Token ahead_;  // ahead_.tok == TK_EOS: none
  std::string buf_;
  std::string source_;  // chunk name
  std::string id_;      // chunk_id(source_)
  std::unordered_set<std::string> pool_;
};

}  // namespace rua
