// The code generator (codegen.cpp): AST in, FuncProto tree out.
#pragma once

#include <memory>

#include "ast.hpp"
#include "func_proto.hpp"
#include "lexer.hpp"

namespace rua {

// Generates the main function of a parsed chunk. Semantic errors (scopes,
// constants, gotos, limits) are thrown as CompileError through 'lx'.
std::unique_ptr<FuncProto> generate_code(Lexer& lx, Ast& ast);

}  // namespace rua
