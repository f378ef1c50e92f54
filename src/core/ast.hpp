// The abstract syntax tree built by the parser and consumed by the code
// generator. Nodes live in an arena owned by the parse (Ast); names and
// string literals point into the lexer's string pool.
//
// Every node records source lines: 'line' where the construct starts (or
// where its operator is, for operators and calls) and 'last' the line of
// its last token. The code generator uses them to give each instruction the
// line PUC Lua would give it, which error messages and debug hooks show.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string_view>
#include <vector>

namespace rua {

struct Expr;
struct Stmt;
struct FuncBody;
using ExprList = std::vector<Expr*>;

// ORDER OPR (PUC lcode.h): arithmetic and bitwise first, in opcode order.
enum class BinOpr : uint8_t {
  Add,
  Sub,
  Mul,
  Mod,
  Pow,
  Div,
  IDiv,
  BAnd,
  BOr,
  BXor,
  Shl,
  Shr,
  Concat,
  Eq,
  Lt,
  Le,
  Ne,
  Gt,
  Ge,
  And,
  Or,
  None
};
enum class UnOpr : uint8_t { Minus, BNot, Not, Len, None };

enum class ExprKind : uint8_t {
  Nil,
  True,
  False,
  Int,
  Float,
  String,
  Vararg,
  Name,      // a variable
  Index,     // obj[key] / obj.name
  Call,      // fn(args) / obj:method(args)
  Function,  // function body
  Table,     // constructor
  Binary,
  Unary,
  Paren  // (e): truncates to one value
};

struct Expr {
  ExprKind kind;
  int line = 0;
  int last = 0;
  explicit Expr(ExprKind k) : kind(k) {}
};

struct ConstExpr : Expr {  // Nil True False Int Float String Vararg
  int64_t i = 0;
  double n = 0;
  std::string_view s;
  using Expr::Expr;
};

struct NameExpr : Expr {
  std::string_view name;
  NameExpr() : Expr(ExprKind::Name) {}
};

struct IndexExpr : Expr {
  Expr* obj = nullptr;
  Expr* key = nullptr;  // a String constant for obj.name
  IndexExpr() : Expr(ExprKind::Index) {}
};

struct CallExpr : Expr {
  Expr* fn = nullptr;
  std::string_view method;  // non-empty for obj:method(...)
  int method_line = 0;      // line of the method name
  ExprList args;
  CallExpr() : Expr(ExprKind::Call) {}
};

struct FunctionExpr : Expr {
  FuncBody* body = nullptr;
  FunctionExpr() : Expr(ExprKind::Function) {}
};

struct TableField {
  enum Kind : uint8_t { List, Named, Keyed } kind = List;
  Expr* key = nullptr;  // Named: a String constant; Keyed: the expression
  Expr* value = nullptr;
};

struct TableExpr : Expr {
  std::vector<TableField> fields;
  TableExpr() : Expr(ExprKind::Table) {}
};

struct BinaryExpr : Expr {
  BinOpr op = BinOpr::None;
  Expr* lhs = nullptr;
  Expr* rhs = nullptr;
  BinaryExpr() : Expr(ExprKind::Binary) {}
};

struct UnaryExpr : Expr {
  UnOpr op = UnOpr::None;
  Expr* operand = nullptr;
  UnaryExpr() : Expr(ExprKind::Unary) {}
};

struct ParenExpr : Expr {
  Expr* inner = nullptr;
  ParenExpr() : Expr(ExprKind::Paren) {}
};

// Variable attributes (<const>, <close>).
enum class Attrib : uint8_t { None, Const, Close };

struct AttribName {
  std::string_view name;
  Attrib attrib = Attrib::None;
};

struct Block {
  std::vector<Stmt*> stmts;
  int last = 0;  // line of the last token before the block's closing keyword
};

struct FuncBody {
  std::vector<std::string_view> params;
  bool is_method = false;  // adds 'self' first
  bool is_vararg = false;
  std::string_view vararg_name;  // '...t'; empty for plain '...'
  int vararg_line = 0;           // line of the last token of the parameter list's '...'
  Block* body = nullptr;
  int line = 0;  // linedefined
  int last = 0;  // lastlinedefined (line of 'end')
};

enum class StmtKind : uint8_t {
  Local,
  LocalFunction,
  Global,
  GlobalStar,
  GlobalFunction,
  Function,
  Assign,
  Call,
  Do,
  While,
  Repeat,
  If,
  NumFor,
  GenFor,
  Return,
  Break,
  Goto,
  Label
};

struct Stmt {
  StmtKind kind;
  int line = 0;  // first line of the statement
  int last = 0;  // line of its last token
  explicit Stmt(StmtKind k) : kind(k) {}
};

struct LocalStmt : Stmt {  // local attnamelist [= explist]
  std::vector<AttribName> names;
  ExprList exprs;
  LocalStmt() : Stmt(StmtKind::Local) {}
};

struct LocalFunctionStmt : Stmt {
  std::string_view name;
  FuncBody* body = nullptr;
  LocalFunctionStmt() : Stmt(StmtKind::LocalFunction) {}
};

struct GlobalStmt : Stmt {  // global attnamelist [= explist]  /  global [attrib] *
  std::vector<AttribName> names;
  bool has_init = false;
  ExprList exprs;
  Attrib star_attrib = Attrib::None;  // GlobalStar
  int init_line = 0;                  // line of the '=' token's successor (PUC's linenumber then)
  explicit GlobalStmt(StmtKind k) : Stmt(k) {}
};

struct GlobalFunctionStmt : Stmt {
  std::string_view name;
  FuncBody* body = nullptr;
  GlobalFunctionStmt() : Stmt(StmtKind::GlobalFunction) {}
};

struct FunctionStmt : Stmt {  // function a.b.c:m() ... end
  Expr* target = nullptr;     // Name or Index chain (method: last key is the method name)
  FuncBody* body = nullptr;
  FunctionStmt() : Stmt(StmtKind::Function) {}
};

struct AssignStmt : Stmt {
  ExprList targets;
  ExprList exprs;
  AssignStmt() : Stmt(StmtKind::Assign) {}
};

struct CallStmt : Stmt {
  CallExpr* call = nullptr;
  CallStmt() : Stmt(StmtKind::Call) {}
};

struct DoStmt : Stmt {
  Block* body = nullptr;
  DoStmt() : Stmt(StmtKind::Do) {}
};

struct WhileStmt : Stmt {
  Expr* cond = nullptr;
  Block* body = nullptr;
  WhileStmt() : Stmt(StmtKind::While) {}
};

struct RepeatStmt : Stmt {
  Block* body = nullptr;
  Expr* cond = nullptr;
  RepeatStmt() : Stmt(StmtKind::Repeat) {}
};

struct IfStmt : Stmt {
  std::vector<Expr*> conds;
  std::vector<Block*> blocks;
  std::vector<int> cond_lines;  // line of each 'if'/'elseif' keyword's successor
  Block* else_block = nullptr;
  IfStmt() : Stmt(StmtKind::If) {}
};

struct NumForStmt : Stmt {
  std::string_view var;
  Expr* start = nullptr;
  Expr* limit = nullptr;
  Expr* step = nullptr;  // may be null
  Block* body = nullptr;
  int do_line = 0;
  NumForStmt() : Stmt(StmtKind::NumFor) {}
};

struct GenForStmt : Stmt {
  std::vector<std::string_view> names;
  ExprList exprs;
  int exprs_line = 0;  // line of the first token after 'in'
  Block* body = nullptr;
  int do_line = 0;
  GenForStmt() : Stmt(StmtKind::GenFor) {}
};

struct ReturnStmt : Stmt {
  ExprList exprs;
  ReturnStmt() : Stmt(StmtKind::Return) {}
};

struct BreakStmt : Stmt {
  BreakStmt() : Stmt(StmtKind::Break) {}
};

struct GotoStmt : Stmt {
  std::string_view label;
  GotoStmt() : Stmt(StmtKind::Goto) {}
};

struct LabelStmt : Stmt {
  std::string_view name;
  bool last_in_block = false;  // only no-op statements follow until the block's end
  LabelStmt() : Stmt(StmtKind::Label) {}
};

// Owns every node of one parse.
class Ast {
 public:
  template <typename T, typename... Args>
  T* make(Args&&... args) {
    auto p = std::make_unique<T>(std::forward<Args>(args)...);
    T* raw = p.get();
    nodes_.push_back(Holder{raw, [](void* q) { delete static_cast<T*>(q); }});
    p.release();
    return raw;
  }
  Ast() = default;
  Ast(const Ast&) = delete;
  Ast& operator=(const Ast&) = delete;
  ~Ast() {
    for (auto& h : nodes_) h.del(h.p);
  }
  FuncBody* main = nullptr;

 private:
  struct Holder {
    void* p;
    void (*del)(void*);
  };
  std::vector<Holder> nodes_;
};

}  // namespace rua
