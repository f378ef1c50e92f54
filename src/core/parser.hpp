// The parser: recursive descent over the lexer's tokens, building the AST
// (ast.hpp). It reports every syntax error PUC Lua's parser reports, with
// the same wording; scope rules (locals, globals, gotos, constants) are
// checked by the code generator, which resolves names.
#pragma once

#include <string_view>

#include "ast.hpp"
#include "lexer.hpp"

namespace rua {

// Parses a whole chunk into 'ast' (ast.main). 'max_depth' bounds the
// nesting of statements and expressions ("C stack overflow" beyond it).
void parse_chunk(Lexer& lx, Ast& ast, int max_depth);

}  // namespace rua
