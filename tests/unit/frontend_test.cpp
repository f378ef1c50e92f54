// The front end on its own (lexer, parser, code generator) through
// rua::compile: errors, and the shape of the bytecode it emits, which must
// be PUC Lua 5.5's (constant folding, registers, specialised opcodes).
#include <gtest/gtest.h>

#include <string>

#include "compiler.hpp"
#include "lexer.hpp"
#include "numconv.hpp"

namespace {

using namespace rua;

std::unique_ptr<FuncProto> ok(const std::string& src) { return compile(src, "=t"); }

std::string error_of(const std::string& src) {
  try {
    compile(src, "=t");
  } catch (const CompileError& e) {
    return e.message;
  }
  return "(compiled)";
}

bool has_op(const FuncProto& f, OpCode op) {
  for (Instruction i : f.code)
    if (get_op(i) == op) return true;
  return false;
}

TEST(Lexer, TokensAndLines) {
  Lexer lx("local x = 0x10 -- comment\n'a\\tb' [[long\nstring]] ... >= ~=", "=t");
  int expect[] = {TK_LOCAL, TK_NAME, '=', TK_INT, TK_STRING, TK_STRING, TK_DOTS, TK_GE, TK_NE, TK_EOS};
  for (int tok : expect) {
    lx.next();
    EXPECT_EQ(lx.t().tok, tok);
    if (tok == TK_INT) EXPECT_EQ(lx.t().i, 16);
    if (tok == TK_STRING && lx.t().s.size() == 3) EXPECT_EQ(lx.t().s, "a\tb");
  }
  EXPECT_EQ(lx.line(), 3);
}

TEST(Lexer, ErrorsQuoteTheTokenAsPucLuaDoes) {
  EXPECT_EQ(error_of("x = 3x"), "t:1: malformed number near '3x'");
  EXPECT_EQ(error_of("x = 'ab"), "t:1: unfinished string near <eof>");
  EXPECT_EQ(error_of("x = '\\q'"), "t:1: invalid escape sequence near ''\\q'");
  EXPECT_EQ(error_of("\n\nx = [==["), "t:3: unfinished long string (starting at line 3) near <eof>");
}

TEST(Parser, SyntaxErrors) {
  EXPECT_EQ(error_of("x = = 1"), "t:1: unexpected symbol near '='");
  EXPECT_EQ(error_of("if x then"), "t:1: 'end' expected near <eof>");
  EXPECT_EQ(error_of("f() = 1"), "t:1: syntax error near '='");
  EXPECT_EQ(error_of("local function f() return ... end"),
            "t:1: cannot use '...' outside a vararg function near '...'");
  EXPECT_EQ(error_of("break"), "t:1: break outside loop near 'break'");
}

TEST(Parser, DeepNestingIsAnErrorNotACrash) {
  EXPECT_EQ(error_of(std::string(100000, '(') + "1" + std::string(100000, ')')), "C stack overflow");
  // left-nested chains are not recursive in the generator: they compile
  std::string chain = "x = a";
  for (int i = 0; i < 100000; i++) chain += ".b";
  EXPECT_NO_THROW(ok(chain));
}

TEST(CodeGen, ScopeErrors) {
  EXPECT_EQ(error_of("local a <const> = 1; a = 2"), "t:1: attempt to assign to const variable 'a'");
  EXPECT_EQ(error_of("global x; y = 1"), "t:1: variable 'y' not declared");
  EXPECT_EQ(error_of("goto l; local a; ::l:: print(a)"),
            "t:1: <goto l> at line 1 jumps into the scope of 'a'");
}

TEST(CodeGen, ConstantsAreFoldedAndCompileTimeConstantsTakeNoRegister) {
  auto f = ok("local a <const> = 10; return a * 2 + 1");
  EXPECT_TRUE(f->locvars.empty());  // 'a' is a compile-time constant
  ASSERT_GE(f->code.size(), 2u);
  EXPECT_EQ(get_op(f->code[1]), OpCode::LoadI);  // 21, folded
  EXPECT_EQ(arg_sbx(f->code[1]), 21);
  auto g = ok("return 2^53");
  ASSERT_EQ(g->k.size(), 1u);
  EXPECT_EQ(g->k[0].kind, Constant::Kind::Float);
  EXPECT_EQ(g->k[0].n, 9007199254740992.0);
  EXPECT_TRUE(has_op(*ok("local x = 1; return x // 0"), OpCode::IDivK));  // 1 // 0 is not folded (an error)
}

TEST(CodeGen, SpecialisedOpcodes) {
  EXPECT_TRUE(has_op(*ok("local x = ...; x = x + 1"), OpCode::AddI));
  EXPECT_TRUE(has_op(*ok("local t = {}; return t.field"), OpCode::GetField));
  EXPECT_TRUE(has_op(*ok("local t = {}; return t[3]"), OpCode::GetI));
  EXPECT_TRUE(has_op(*ok("local x = ...; if x == 5 then return 1 end"), OpCode::EqI));
  EXPECT_TRUE(has_op(*ok("return f(1)"), OpCode::TailCall));
  EXPECT_FALSE(
      has_op(*ok("local c <close> = nil; return f(1)"), OpCode::TailCall));  // not inside a tbc scope
  auto m = ok("local o = ...; o:m()");
  EXPECT_TRUE(has_op(*m, OpCode::Self));
}

TEST(CodeGen, LineInformationFollowsTheSource) {
  auto f = ok("local a = 1\n\nlocal b = a + g\nreturn b");
  ASSERT_EQ(f->code.size(), f->lineinfo.size());
  bool saw3 = false;
  for (size_t i = 0; i < f->code.size(); i++)
    if (get_op(f->code[i]) == OpCode::Add) saw3 = f->lineinfo[i] == 3;
  EXPECT_TRUE(saw3);
  EXPECT_EQ(f->lineinfo.back(), 4);
}

TEST(NumConv, ReadsAndWritesNumeralsAsLua55) {
  int64_t i;
  double d;
  EXPECT_EQ(str_to_number(" 0x10 ", i, d), NumKind::Int);
  EXPECT_EQ(i, 16);
  EXPECT_EQ(str_to_number("9223372036854775808", i, d), NumKind::Float);
  EXPECT_EQ(str_to_number("inf", i, d), NumKind::None);
  EXPECT_EQ(str_to_number("0x1p-2", i, d), NumKind::Float);
  EXPECT_EQ(d, 0.25);
  char buf[kNumberBufferSize];
  number_to_string(1.0 / 3, buf);
  EXPECT_STREQ(buf, "0.33333333333333331");
  number_to_string(100.0, buf);
  EXPECT_STREQ(buf, "100.0");
  number_to_string(int64_t(-7), buf);
  EXPECT_STREQ(buf, "-7");
}

}  // namespace
