// The parser (see parser.hpp). Its shape follows lparser.c's grammar
// functions so that errors come out where, and as, PUC Lua's do.
#include "parser.hpp"

#include "compiler.hpp"

namespace rua {
namespace {

constexpr int kUnaryPriority = 12;

struct Priority {
  uint8_t left, right;
};
// ORDER OPR
constexpr Priority kPriority[] = {
    {10, 10}, {10, 10},          // + -
    {11, 11}, {11, 11},          // * %
    {14, 13},                    // ^ (right associative)
    {11, 11}, {11, 11},          // / //
    {6, 6},   {4, 4},   {5, 5},  // & | ~
    {7, 7},   {7, 7},            // << >>
    {9, 8},                      // .. (right associative)
    {3, 3},   {3, 3},   {3, 3},  // == < <=
    {3, 3},   {3, 3},   {3, 3},  // ~= > >=
    {2, 2},   {1, 1}             // and or
};

UnOpr unary_op(int tok) {
  switch (tok) {
    case TK_NOT: return UnOpr::Not;
    case '-': return UnOpr::Minus;
    case '~': return UnOpr::BNot;
    case '#': return UnOpr::Len;
    default: return UnOpr::None;
  }
}

BinOpr binary_op(int tok) {
  switch (tok) {
    case '+': return BinOpr::Add;
    case '-': return BinOpr::Sub;
    case '*': return BinOpr::Mul;
    case '%': return BinOpr::Mod;
    case '^': return BinOpr::Pow;
    case '/': return BinOpr::Div;
    case TK_IDIV: return BinOpr::IDiv;
    case '&': return BinOpr::BAnd;
    case '|': return BinOpr::BOr;
    case '~': return BinOpr::BXor;
    case TK_SHL: return BinOpr::Shl;
    case TK_SHR: return BinOpr::Shr;
    case TK_CONCAT: return BinOpr::Concat;
    case TK_NE: return BinOpr::Ne;
    case TK_EQ: return BinOpr::Eq;
    case '<': return BinOpr::Lt;
    case TK_LE: return BinOpr::Le;
    case '>': return BinOpr::Gt;
    case TK_GE: return BinOpr::Ge;
    case TK_AND: return BinOpr::And;
    case TK_OR: return BinOpr::Or;
    default: return BinOpr::None;
  }
}

class Parser {
 public:
  Parser(Lexer& lx, Ast& ast, int max_depth) : lx_(lx), ast_(ast), max_depth_(max_depth) {}

  void main_function() {
    FuncBody* f = ast_.make<FuncBody>();
    f->is_vararg = true;
    f->vararg_line = 1;
    funcs_.push_back({true, 0});
    lx_.next();
    f->body = block_body();
    check(TK_EOS);
    f->last = lx_.lastline();
    funcs_.pop_back();
    ast_.main = f;
  }

 private:
  struct FuncCtx {
    bool vararg;
    int loops;
    int locals = 0;  // variables in registers, counted as PUC counts them while parsing
    int line = 0;    // linedefined, for the limit's message
  };

  // PUC checks the limit of 200 locals as soon as a declaration ends, so a
  // chunk with too many locals fails there, before later syntax errors. The
  // code generator checks again exactly (compile-time constants take no
  // register); this early check counts only variables that surely do.
  void add_locals(int n) {
    FuncCtx& f = funcs_.back();
    f.locals += n;
    if (f.locals > 200) {
      std::string where = f.line == 0 ? "main function" : "function at line " + std::to_string(f.line);
      lx_.syntax_error("too many local variables (limit is 200) in " + where);
    }
  }

  // ---- helpers ----
  const Token& t() const { return lx_.t(); }
  int tok() const { return lx_.t().tok; }
  bool is_global_keyword() {  // 'global' is a keyword only before '<', a name, '*' or 'function'
    if (tok() != TK_NAME || t().s != "global") return false;
    int la = lx_.lookahead();
    return la == '<' || la == TK_NAME || la == '*' || la == TK_FUNCTION;
  }
  [[noreturn]] void error_expected(int token) { lx_.syntax_error(lx_.token_to_string(token) + " expected"); }
  void check(int c) {
    if (tok() != c) error_expected(c);
  }
  void checknext(int c) {
    check(c);
    lx_.next();
  }
  bool testnext(int c) {
    if (tok() != c) return false;
    lx_.next();
    return true;
  }
  void check_match(int what, int who, int where) {
    if (tok() == what) {
      lx_.next();
      return;
    }
    if (where == lx_.line()) error_expected(what);
    lx_.syntax_error(lx_.token_to_string(what) + " expected (to close " + lx_.token_to_string(who) +
                     " at line " + std::to_string(where) + ")");
  }
  std::string_view check_name() {
    check(TK_NAME);
    std::string_view s = t().s;
    lx_.next();
    return s;
  }
  void enter_level() {
    if (++depth_ > max_depth_) throw CompileError{"C stack overflow"};
  }
  void leave_level() { depth_--; }

  static bool block_follow(int token, bool with_until) {
    switch (token) {
      case TK_ELSE:
      case TK_ELSEIF:
      case TK_END:
      case TK_EOS: return true;
      case TK_UNTIL: return with_until;
      default: return false;
    }
  }

  template <typename T>
  T* node(int line) {
    T* n = ast_.make<T>();
    n->line = line;
    return n;
  }

  // ---- blocks and statements ----
  Block* block_body() {
    int saved_locals = funcs_.back().locals;
    Block* b = ast_.make<Block>();
    while (!block_follow(tok(), true)) {
      if (tok() == TK_RETURN) {
        if (Stmt* s = statement()) b->stmts.push_back(s);
        break;  // 'return' must be the last statement
      }
      if (Stmt* s = statement()) b->stmts.push_back(s);
    }
    b->last = lx_.lastline();
    mark_last_labels(b);
    funcs_.back().locals = saved_locals;
    return b;
  }

  // A label followed only by no-op statements up to the end of its block
  // (not 'until': the condition still sees the block's locals) counts as
  // outside the block's local scopes.
  void mark_last_labels(Block* b) {
    if (tok() == TK_UNTIL) return;
    for (size_t i = b->stmts.size(); i-- > 0;) {
      if (b->stmts[i]->kind != StmtKind::Label) break;
      static_cast<LabelStmt*>(b->stmts[i])->last_in_block = true;
    }
  }

  Stmt* statement() {
    int line = lx_.line();
    enter_level();
    Stmt* s = nullptr;
    switch (tok()) {
      case ';': lx_.next(); break;
      case TK_IF: s = if_stat(line); break;
      case TK_WHILE: s = while_stat(line); break;
      case TK_DO: {
        lx_.next();
        auto* d = node<DoStmt>(line);
        d->body = block_body();
        check_match(TK_END, TK_DO, line);
        s = d;
        break;
      }
      case TK_FOR: s = for_stat(line); break;
      case TK_REPEAT: s = repeat_stat(line); break;
      case TK_FUNCTION: s = func_stat(line); break;
      case TK_LOCAL:
        lx_.next();
        s = testnext(TK_FUNCTION) ? local_func(line) : local_stat(line);
        break;
      case TK_DBCOLON: {
        lx_.next();
        auto* l = node<LabelStmt>(line);
        l->name = check_name();
        checknext(TK_DBCOLON);
        s = l;
        break;
      }
      case TK_RETURN:
        lx_.next();
        s = ret_stat(line);
        break;
      case TK_BREAK: s = break_stat(line); break;
      case TK_GOTO: {
        lx_.next();
        auto* g = node<GotoStmt>(line);
        g->label = check_name();
        s = g;
        break;
      }
      default:
        if (is_global_keyword()) {
          s = global_stat(line);
          break;
        }
        s = expr_stat(line);
        break;
    }
    if (s && s->last == 0) s->last = lx_.lastline();
    leave_level();
    return s;
  }

  Stmt* if_stat(int line) {
    auto* s = node<IfStmt>(line);
    do {  // IF/ELSEIF cond THEN block
      lx_.next();
      s->conds.push_back(expr());
      checknext(TK_THEN);
      s->blocks.push_back(block_body());
    } while (tok() == TK_ELSEIF);
    if (testnext(TK_ELSE)) s->else_block = block_body();
    check_match(TK_END, TK_IF, line);
    return s;
  }

  Stmt* while_stat(int line) {
    lx_.next();
    auto* s = node<WhileStmt>(line);
    s->cond = expr();
    checknext(TK_DO);
    s->body = loop_block();
    check_match(TK_END, TK_WHILE, line);
    return s;
  }

  Block* loop_block() {
    funcs_.back().loops++;
    Block* b = block_body();
    funcs_.back().loops--;
    return b;
  }

  Stmt* repeat_stat(int line) {
    lx_.next();
    auto* s = node<RepeatStmt>(line);
    s->body = loop_block();
    check_match(TK_UNTIL, TK_REPEAT, line);
    s->cond = expr();
    return s;
  }

  Stmt* for_stat(int line) {
    lx_.next();  // skip 'for'
    std::string_view var = check_name();
    switch (tok()) {
      case '=': {
        auto* s = node<NumForStmt>(line);
        s->var = var;
        lx_.next();
        s->start = expr();
        checknext(',');
        s->limit = expr();
        if (testnext(',')) s->step = expr();
        checknext(TK_DO);
        s->do_line = lx_.lastline();
        add_locals(3);  // two internal variables and the control variable
        s->body = loop_block();
        funcs_.back().locals -= 3;
        check_match(TK_END, TK_FOR, line);
        return s;
      }
      case ',':
      case TK_IN: {
        auto* s = node<GenForStmt>(line);
        s->names.push_back(var);
        while (testnext(',')) s->names.push_back(check_name());
        checknext(TK_IN);
        s->exprs_line = lx_.line();
        expr_list(s->exprs);
        checknext(TK_DO);
        s->do_line = lx_.lastline();
        int n = 3 + int(s->names.size());  // three internal variables and the declared ones
        add_locals(n);
        s->body = loop_block();
        funcs_.back().locals -= n;
        check_match(TK_END, TK_FOR, line);
        return s;
      }
      default: lx_.syntax_error("'=' or 'in' expected");
    }
  }

  Stmt* func_stat(int line) {
    lx_.next();  // skip 'function'
    auto* s = node<FunctionStmt>(line);
    // funcname -> NAME {'.' NAME} [':' NAME]
    auto* n = node<NameExpr>(lx_.line());
    n->name = check_name();
    n->last = lx_.lastline();
    Expr* target = n;
    bool is_method = false;
    while (tok() == '.' || tok() == ':') {
      is_method = tok() == ':';
      target = field_sel(target);
      if (is_method) break;
    }
    s->target = target;
    s->body = body(is_method, line);
    return s;
  }

  Stmt* local_func(int line) {
    auto* s = node<LocalFunctionStmt>(line);
    s->name = check_name();
    add_locals(1);
    s->body = body(false, lx_.line());
    return s;
  }

  Attrib attribute(Attrib def) {
    if (!testnext('<')) return def;
    std::string_view a = check_name();
    checknext('>');
    if (a == "const") return Attrib::Const;
    if (a == "close") return Attrib::Close;
    lx_.semantic_error("unknown attribute '" + std::string(a) + "'");
  }

  Stmt* local_stat(int line) {
    auto* s = node<LocalStmt>(line);
    Attrib def = attribute(Attrib::None);
    bool has_close = false;
    do {
      AttribName an;
      an.name = check_name();
      an.attrib = attribute(def);
      if (an.attrib == Attrib::Close) {
        if (has_close) lx_.semantic_error("multiple to-be-closed variables in local list");
        has_close = true;
      }
      s->names.push_back(an);
    } while (testnext(','));
    if (testnext('=')) expr_list(s->exprs);
    int regular = 0;
    for (const AttribName& an : s->names) regular += an.attrib != Attrib::Const;
    add_locals(regular);
    return s;
  }

  Attrib global_attribute(Attrib def) {
    Attrib a = attribute(def);
    if (a == Attrib::Close) lx_.semantic_error("global variables cannot be to-be-closed");
    return a;
  }

  Stmt* global_stat(int line) {
    lx_.next();  // skip 'global'
    if (testnext(TK_FUNCTION)) {
      auto* s = node<GlobalFunctionStmt>(line);
      s->name = check_name();
      s->body = body(false, lx_.line());
      return s;
    }
    Attrib def = global_attribute(Attrib::None);
    if (testnext('*')) {
      auto* s = ast_.make<GlobalStmt>(StmtKind::GlobalStar);
      s->line = line;
      s->star_attrib = def;
      return s;
    }
    auto* s = ast_.make<GlobalStmt>(StmtKind::Global);
    s->line = line;
    do {
      AttribName an;
      an.name = check_name();
      an.attrib = global_attribute(def);
      s->names.push_back(an);
    } while (testnext(','));
    if (testnext('=')) {
      s->has_init = true;
      s->init_line = lx_.line();
      expr_list(s->exprs);
    }
    return s;
  }

  Stmt* ret_stat(int line) {
    auto* s = node<ReturnStmt>(line);
    if (!block_follow(tok(), true) && tok() != ';') expr_list(s->exprs);
    s->last = lx_.lastline();
    testnext(';');
    return s;
  }

  Stmt* break_stat(int line) {
    if (funcs_.back().loops == 0) lx_.syntax_error("break outside loop");
    lx_.next();
    return node<BreakStmt>(line);
  }

  static bool is_var(const Expr* e) { return e->kind == ExprKind::Name || e->kind == ExprKind::Index; }

  Stmt* expr_stat(int line) {
    Expr* e = suffixed_exp();
    if (tok() == '=' || tok() == ',') {
      auto* s = node<AssignStmt>(line);
      s->targets.push_back(e);
      if (!is_var(e)) lx_.syntax_error("syntax error");
      int levels = 0;
      while (testnext(',')) {
        Expr* v = suffixed_exp();
        if (!is_var(v)) lx_.syntax_error("syntax error");
        s->targets.push_back(v);
        enter_level();  // PUC recurses once per target
        levels++;
      }
      checknext('=');
      expr_list(s->exprs);
      depth_ -= levels;
      return s;
    }
    if (e->kind != ExprKind::Call) lx_.syntax_error("syntax error");
    auto* s = node<CallStmt>(line);
    s->call = static_cast<CallExpr*>(e);
    return s;
  }

  // ---- functions ----
  FuncBody* body(bool is_method, int line) {
    FuncBody* f = ast_.make<FuncBody>();
    f->line = line;
    f->is_method = is_method;
    checknext('(');
    if (tok() != ')') {
      do {
        if (tok() == TK_NAME) {
          f->params.push_back(check_name());
        } else if (tok() == TK_DOTS) {
          lx_.next();
          f->is_vararg = true;
          if (tok() == TK_NAME) f->vararg_name = check_name();
          f->vararg_line = lx_.lastline();
        } else {
          lx_.syntax_error("<name> or '...' expected");
        }
      } while (!f->is_vararg && testnext(','));
    }
    checknext(')');
    funcs_.push_back({f->is_vararg, 0});
    funcs_.back().line = line;
    add_locals(int(f->params.size()) + (is_method ? 1 : 0) + (f->is_vararg ? 1 : 0));
    f->body = block_body();
    funcs_.pop_back();
    f->last = lx_.line();
    check_match(TK_END, TK_FUNCTION, line);
    return f;
  }

  // ---- expressions ----
  void expr_list(ExprList& out) {
    out.push_back(expr());
    while (testnext(',')) out.push_back(expr());
  }

  Expr* expr() {
    Expr* e;
    subexpr(e, 0);
    return e;
  }

  BinOpr subexpr(Expr*& v, int limit) {
    enter_level();
    UnOpr uop = unary_op(tok());
    if (uop != UnOpr::None) {
      auto* u = node<UnaryExpr>(lx_.line());
      u->op = uop;
      lx_.next();
      subexpr(u->operand, kUnaryPriority);
      u->last = lx_.lastline();
      v = u;
    } else {
      v = simple_exp();
    }
    BinOpr op = binary_op(tok());
    while (op != BinOpr::None && kPriority[int(op)].left > limit) {
      auto* b = node<BinaryExpr>(lx_.line());
      b->op = op;
      b->lhs = v;
      lx_.next();
      BinOpr nextop = subexpr(b->rhs, kPriority[int(op)].right);
      b->last = lx_.lastline();
      v = b;
      op = nextop;
    }
    leave_level();
    return op;
  }

  Expr* simple_exp() {
    int line = lx_.line();
    ConstExpr* c;
    switch (tok()) {
      case TK_FLT:
        c = ast_.make<ConstExpr>(ExprKind::Float);
        c->n = t().n;
        break;
      case TK_INT:
        c = ast_.make<ConstExpr>(ExprKind::Int);
        c->i = t().i;
        break;
      case TK_STRING:
        c = ast_.make<ConstExpr>(ExprKind::String);
        c->s = t().s;
        break;
      case TK_NIL: c = ast_.make<ConstExpr>(ExprKind::Nil); break;
      case TK_TRUE: c = ast_.make<ConstExpr>(ExprKind::True); break;
      case TK_FALSE: c = ast_.make<ConstExpr>(ExprKind::False); break;
      case TK_DOTS:
        if (!funcs_.back().vararg) lx_.syntax_error("cannot use '...' outside a vararg function");
        c = ast_.make<ConstExpr>(ExprKind::Vararg);
        line = lx_.lastline();  // VARARG is coded before '...' is consumed
        break;
      case '{': return constructor();
      case TK_FUNCTION: {
        lx_.next();
        auto* f = node<FunctionExpr>(line);
        f->body = body(false, lx_.line());
        f->last = lx_.lastline();
        return f;
      }
      default: return suffixed_exp();
    }
    c->line = line;
    lx_.next();
    c->last = lx_.lastline();
    return c;
  }

  Expr* primary_exp() {
    switch (tok()) {
      case '(': {
        int line = lx_.line();
        lx_.next();
        auto* p = node<ParenExpr>(line);
        p->inner = expr();
        check_match(')', '(', line);
        p->last = lx_.lastline();
        return p;
      }
      case TK_NAME: {
        auto* n = node<NameExpr>(lx_.line());
        n->name = check_name();
        n->last = lx_.lastline();
        return n;
      }
      default: lx_.syntax_error("unexpected symbol");
    }
  }

  Expr* name_constant() {
    auto* k = ast_.make<ConstExpr>(ExprKind::String);
    k->line = lx_.line();
    k->s = check_name();
    k->last = lx_.lastline();
    return k;
  }

  Expr* field_sel(Expr* obj) {  // ['.' | ':'] NAME
    auto* ix = node<IndexExpr>(lx_.line());
    lx_.next();
    ix->obj = obj;
    ix->key = name_constant();
    ix->last = lx_.lastline();
    return ix;
  }

  Expr* suffixed_exp() {
    Expr* v = primary_exp();
    for (;;) {
      switch (tok()) {
        case '.': v = field_sel(v); break;
        case '[': {
          auto* ix = node<IndexExpr>(lx_.line());
          lx_.next();
          ix->obj = v;
          ix->key = expr();
          checknext(']');
          ix->last = lx_.lastline();
          v = ix;
          break;
        }
        case ':': {
          lx_.next();
          auto* c = ast_.make<CallExpr>();
          c->fn = v;
          c->method = check_name();
          c->method_line = lx_.lastline();
          func_args(c);
          v = c;
          break;
        }
        case '(':
        case TK_STRING:
        case '{': {
          auto* c = ast_.make<CallExpr>();
          c->fn = v;
          func_args(c);
          v = c;
          break;
        }
        default: return v;
      }
    }
  }

  void func_args(CallExpr* c) {
    int line = lx_.line();
    c->line = line;
    switch (tok()) {
      case '(':
        lx_.next();
        if (tok() != ')') expr_list(c->args);
        check_match(')', '(', line);
        break;
      case '{': c->args.push_back(constructor()); break;
      case TK_STRING: {
        auto* s = ast_.make<ConstExpr>(ExprKind::String);
        s->s = t().s;
        s->line = line;
        lx_.next();
        s->last = lx_.lastline();
        c->args.push_back(s);
        break;
      }
      default: lx_.syntax_error("function arguments expected");
    }
    c->last = lx_.lastline();
  }

  Expr* constructor() {
    int line = lx_.line();
    auto* t = ast_.make<TableExpr>();
    t->line = lx_.lastline();  // NEWTABLE is coded before '{' is consumed
    checknext('{');
    do {
      if (tok() == '}') break;
      TableField f;
      if (tok() == TK_NAME && lx_.lookahead() == '=') {
        f.kind = TableField::Named;
        f.key = name_constant();
        checknext('=');
      } else if (tok() == '[') {
        f.kind = TableField::Keyed;
        lx_.next();
        f.key = expr();
        checknext(']');
        checknext('=');
      }
      f.value = expr();
      t->fields.push_back(f);
    } while (testnext(',') || testnext(';'));
    check_match('}', '{', line);
    t->last = lx_.lastline();
    return t;
  }

  Lexer& lx_;
  Ast& ast_;
  int depth_ = 0;
  int max_depth_;
  std::vector<FuncCtx> funcs_;
};

}  // namespace

void parse_chunk(Lexer& lx, Ast& ast, int max_depth) {
  Parser p(lx, ast, max_depth);
  p.main_function();
}

}  // namespace rua
