// The front end's entry points: Lua source text in, FuncProto tree out.
//
//   text --lexer--> tokens --parser--> AST --codegen--> FuncProto
//
// The bytecode is PUC Lua 5.5's instruction for instruction (same register
// allocation, constants, jumps and line information), so listings can be
// compared with PUC's and every debug-library answer matches.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "func_proto.hpp"

namespace rua {

// A syntax or semantic error; 'message' is complete ("file:3: ... near 'x'").
struct CompileError {
  std::string message;
};

struct CompileOptions {
  int max_depth = 200;  // nesting of statements/expressions (LUAI_MAXCCALLS)
};

// Compiles a chunk. 'chunkname' is the source name as lua_load takes it
// ("@file.lua", "=stdin", or the text itself). Throws CompileError.
std::unique_ptr<FuncProto> compile(std::string_view text, std::string_view chunkname,
                                   const CompileOptions& opts = {});

// The chunk name as error messages show it (luaO_chunkid).
std::string chunk_id(std::string_view chunkname);

// A human-readable listing of a prototype (like 'luac -l', or -l -l when
// 'recursive' also lists nested functions with constants, locals, upvalues).
std::string list_proto(const FuncProto& f, bool recursive);

}  // namespace rua
