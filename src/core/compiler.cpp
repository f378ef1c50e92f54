// compile(): the front end's pipeline (see compiler.hpp).
#include "compiler.hpp"

#include "ast.hpp"
#include "codegen.hpp"
#include "lexer.hpp"
#include "parser.hpp"

namespace rua {

std::unique_ptr<FuncProto> compile(std::string_view text, std::string_view chunkname,
                                   const CompileOptions& opts) {
  Lexer lx(text, chunkname);
  Ast ast;
  parse_chunk(lx, ast, opts.max_depth);
  return generate_code(lx, ast);
}

}  // namespace rua
