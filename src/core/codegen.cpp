// The code generator: walks the AST and emits Lua 5.5 bytecode.
//
// It resolves names (locals, upvalues, globals and 5.5's global
// declarations), checks the scope rules (constants, gotos, labels) and
// allocates registers. The expression machinery (ExpDesc, jump lists,
// discharging, constant folding) is PUC Lua's lcode.c design, kept because
// the goal is bytecode identical to PUC's: same registers, same constants,
// same jumps and the same line for every instruction. Visiting the AST in
// source order reproduces the order in which PUC's one-pass parser emits.
#include "codegen.hpp"

#include <cmath>
#include <cstring>
#include <unordered_map>

#include "arith.hpp"
#include "compiler.hpp"

namespace rua {
namespace {

constexpr int kNoJump = -1;
constexpr int kMultRet = -1;
constexpr int kMaxVars = 200;
constexpr int kMaxUpvals = 255;
constexpr int kMaxFStack = kMaxArgA;
constexpr int kMaxShortLen = 40;
constexpr int kMaxConstructorItems = INT32_MAX / 2;
constexpr std::string_view kBreakLabel = "break";  // a reserved word: no user label has it
constexpr std::string_view kEnvName = "_ENV";

// Kinds of variables (PUC lparser.h).
enum : uint8_t {
  VDKREG = 0,      // regular local
  RDKCONST = 1,    // local constant
  RDKVAVAR = 2,    // vararg parameter
  RDKTOCLOSE = 3,  // to-be-closed
  RDKCTC = 4,      // compile-time constant
  GDKREG = 5,      // regular global
  GDKCONST = 6     // global constant
};

// A compile-time value (constants of <const> locals and of folding).
struct ConstVal {
  Constant::Kind kind = Constant::Kind::Nil;
  int64_t i = 0;
  double n = 0;
  std::string_view s = {};
};

struct Vardesc {
  uint8_t kind = VDKREG;
  uint8_t ridx = 0;   // register holding the variable
  int16_t pidx = 0;   // index in the prototype's locvars
  bool star = false;  // 'global *' entry (no name)
  std::string_view name;
  ConstVal k;  // value of a compile-time constant
  bool in_reg() const { return kind <= RDKTOCLOSE; }
  bool is_global() const { return kind >= GDKREG; }
};

enum class EK : uint8_t {
  Void,
  Nil,
  True,
  False,
  K,
  KFlt,
  KInt,
  KStr,
  NonReloc,
  Local,
  VargVar,
  Global,
  Upval,
  Const,
  Indexed,
  VargInd,
  IndexUp,
  IndexI,
  IndexStr,
  Jmp,
  Reloc,
  Call,
  Vararg
};

bool is_indexed(EK k) { return k >= EK::Indexed && k <= EK::IndexStr; }
bool has_multret(EK k) { return k == EK::Call || k == EK::Vararg; }

struct ExpDesc {
  EK k = EK::Void;
  int info = 0;             // generic use
  int64_t ival = 0;         // KInt
  double nval = 0;          // KFlt
  std::string_view strval;  // KStr
  struct {
    int idx = 0;      // key register or constant
    int t = 0;        // table register or upvalue
    bool ro = false;  // read-only global
    int keystr = -1;  // K index of a string key, or -1
  } ind;
  struct {
    int ridx = 0;
    int vidx = 0;
  } var;
  int t = kNoJump;  // patch list of "exit when true"
  int f = kNoJump;  // patch list of "exit when false"
};

void init_exp(ExpDesc& e, EK k, int info) {
  e = ExpDesc{};
  e.k = k;
  e.info = info;
}

bool has_jumps(const ExpDesc& e) { return e.t != e.f; }

struct Labeldesc {
  std::string_view name;
  int pc;
  int line;
  int nactvar;
  bool close;
};

struct BlockCnt {
  BlockCnt* previous = nullptr;
  int firstlabel = 0;
  int firstgoto = 0;
  int nactvar = 0;
  bool upval = false;      // some variable in the block is an upvalue
  uint8_t isloop = 0;      // 1: loop; 2: loop with pending breaks
  bool insidetbc = false;  // inside the scope of a to-be-closed variable
};

struct FuncState {
  FuncProto* f = nullptr;
  FuncState* prev = nullptr;
  BlockCnt* bl = nullptr;
  int lasttarget = 0;
  int firstlocal = 0;
  int firstlabel = 0;
  int nactvar = 0;
  int freereg = 0;
  bool needclose = false;
  std::unordered_map<std::string_view, int> kstr;
  std::unordered_map<int64_t, int> kint;
  std::unordered_map<uint64_t, int> kflt;
  int knil = -1, ktrue = -1, kfalse = -1, kzero = -1;
  int pc() const { return int(f->code.size()); }
  int nups() const { return int(f->upvalues.size()); }
};

uint64_t float_bits(double d) {
  uint64_t u;
  std::memcpy(&u, &d, sizeof u);
  return u;
}

int ceil_log2(unsigned x) {
  int l = 0;
  x--;
  while (x >= 1) {
    l++;
    x >>= 1;
  }
  return l;
}

// ORDER OPR: an arithmetic BinOpr is also a LUA_OP* code; unary minus and
// bitwise not come after them.
constexpr int kOpUnm = 12, kOpBNot = 13;

class CodeGen {
 public:
  CodeGen(Lexer& lx) : lx_(lx) {}

  std::unique_ptr<FuncProto> main_function(FuncBody* main) {
    auto proto = std::make_unique<FuncProto>();
    FuncState fs;
    BlockCnt bl;
    fs.f = proto.get();
    cur_line_ = 1;
    open_func(fs, bl);
    set_vararg(fs);
    UpvalDesc env;
    env.name = std::string(kEnvName);
    env.instack = true;
    env.idx = 0;
    env.kind = VarKind::Regular;
    fs.f->upvalues.push_back(env);
    statlist(main->body);
    cur_line_ = main->last;
    close_func();
    return proto;
  }

 private:
  // ==================== errors ====================
  [[noreturn]] void semerror(const std::string& msg) { lx_.error_at(msg, cur_line_); }

  [[noreturn]] void errorlimit(int limit, const char* what) {
    int line = fs_->f->linedefined;
    std::string where = line == 0 ? "main function" : "function at line " + std::to_string(line);
    semerror("too many " + std::string(what) + " (limit is " + std::to_string(limit) + ") in " + where);
  }

  void checklimit(int v, int l, const char* what) {
    if (v > l) errorlimit(l, what);
  }

  // ==================== instructions ====================
  Instruction& instr(int pc) { return fs_->f->code[size_t(pc)]; }
  Instruction& instr(const ExpDesc& e) { return instr(e.info); }

  int code(Instruction i) {
    fs_->f->code.push_back(i);
    fs_->f->lineinfo.push_back(cur_line_);
    return fs_->pc() - 1;
  }
  int code_abck(OpCode o, int a, int b, int c, int k) { return code(make_abck(o, a, b, c, k)); }
  int code_abc(OpCode o, int a, int b, int c) { return code_abck(o, a, b, c, 0); }
  int code_vabck(OpCode o, int a, int b, int c, int k) { return code(make_vabck(o, a, b, c, k)); }
  int code_abx(OpCode o, int a, int bx) { return code(make_abx(o, a, unsigned(bx))); }
  int code_asbx(OpCode o, int a, int sbx) { return code(make_asbx(o, a, sbx)); }
  int code_sj(OpCode o, int sj, int k) { return code(make_sj(o, sj, k)); }
  int code_extraarg(int a) { return code(make_ax(OpCode::ExtraArg, unsigned(a))); }

  void fixline(int line) { fs_->f->lineinfo.back() = line; }

  void remove_last_instruction() {
    fs_->f->code.pop_back();
    fs_->f->lineinfo.pop_back();
  }

  int codek(int reg, int k) {
    if (k <= kMaxArgBx) return code_abx(OpCode::LoadK, reg, k);
    int p = code_abx(OpCode::LoadKX, reg, 0);
    code_extraarg(k);
    return p;
  }

  // The previous instruction, unless a jump may target the current position.
  Instruction previous_instruction() {
    if (fs_->pc() > fs_->lasttarget) return instr(fs_->pc() - 1);
    return ~Instruction(0);
  }

  void checkstack(int n) {
    int newstack = fs_->freereg + n;
    if (newstack > fs_->f->maxstacksize) {
      checklimit(newstack, kMaxFStack, "registers");
      fs_->f->maxstacksize = uint8_t(newstack);
    }
  }

  void reserveregs(int n) {
    checkstack(n);
    fs_->freereg += n;
  }

  void freereg(int reg) {
    if (reg >= nvarstack()) fs_->freereg--;
  }

  void freeregs(int r1, int r2) {
    if (r1 > r2) {
      freereg(r1);
      freereg(r2);
    } else {
      freereg(r2);
      freereg(r1);
    }
  }

  void freeexp(const ExpDesc& e) {
    if (e.k == EK::NonReloc) freereg(e.info);
  }

  void freeexps(const ExpDesc& e1, const ExpDesc& e2) {
    int r1 = e1.k == EK::NonReloc ? e1.info : -1;
    int r2 = e2.k == EK::NonReloc ? e2.info : -1;
    freeregs(r1, r2);
  }

  // ==================== constants ====================
  int addk(Constant c) {
    auto& k = fs_->f->k;
    if (int(k.size()) >= kMaxArgAx) errorlimit(kMaxArgAx, "constants");
    k.push_back(std::move(c));
    return int(k.size()) - 1;
  }

  int string_k(std::string_view s) {
    auto it = fs_->kstr.find(s);
    if (it != fs_->kstr.end()) return it->second;
    Constant c;
    c.kind = Constant::Kind::String;
    c.s.assign(s);
    int idx = addk(std::move(c));
    fs_->kstr.emplace(s, idx);
    return idx;
  }

  int int_k(int64_t i) {
    auto it = fs_->kint.find(i);
    if (it != fs_->kint.end()) return it->second;
    Constant c;
    c.kind = Constant::Kind::Int;
    c.i = i;
    int idx = addk(c);
    fs_->kint.emplace(i, idx);
    return idx;
  }

  // Floats are cached under a key that cannot collide with an integer
  // (PUC adds the smallest significant fraction); when the key is still
  // integral, a new entry is made every time, as PUC does.
  int number_k(double r) {
    Constant c;
    c.kind = Constant::Kind::Float;
    c.n = r;
    if (r == 0) {
      if (fs_->kzero < 0) fs_->kzero = addk(c);
      return fs_->kzero;
    }
    const double q = std::ldexp(1.0, -53 + 1);
    const double key = r * (1 + q);
    int64_t ik;
    if (!float_to_integer(key, &ik)) {
      uint64_t bits = float_bits(key);
      auto it = fs_->kflt.find(bits);
      if (it == fs_->kflt.end()) {
        int idx = addk(c);
        fs_->kflt.emplace(bits, idx);
        return idx;
      }
      const Constant& old = fs_->f->k[size_t(it->second)];
      if (old.kind == Constant::Kind::Float && old.n == r) return it->second;
    }
    return addk(c);
  }

  int bool_k(bool b) {
    int& slot = b ? fs_->ktrue : fs_->kfalse;
    if (slot < 0) {
      Constant c;
      c.kind = b ? Constant::Kind::True : Constant::Kind::False;
      slot = addk(c);
    }
    return slot;
  }

  int nil_k() {
    if (fs_->knil < 0) fs_->knil = addk(Constant{});
    return fs_->knil;
  }

  static bool fits_c(int64_t i) { return uint64_t(i) + kOffsetSC <= uint64_t(kMaxArgC); }
  static bool fits_bx(int64_t i) { return -kOffsetSBx <= i && i <= kMaxArgBx - kOffsetSBx; }

  void code_int(int reg, int64_t i) {
    if (fits_bx(i))
      code_asbx(OpCode::LoadI, reg, int(i));
    else
      codek(reg, int_k(i));
  }

  void code_float(int reg, double f) {
    int64_t fi;
    if (float_to_integer(f, &fi) && fits_bx(fi))
      code_asbx(OpCode::LoadF, reg, int(fi));
    else
      codek(reg, number_k(f));
  }

  // ==================== jumps ====================
  int getjump(int pc) {
    int offset = arg_sj(instr(pc));
    return offset == kNoJump ? kNoJump : pc + 1 + offset;
  }

  void fixjump(int pc, int dest) {
    int offset = dest - (pc + 1);
    if (!(-kOffsetSJ <= offset && offset <= kMaxArgSJ - kOffsetSJ)) semerror("control structure too long");
    instr(pc) = set_sj(instr(pc), offset);
  }

  void concat(int& l1, int l2) {
    if (l2 == kNoJump) return;
    if (l1 == kNoJump) {
      l1 = l2;
      return;
    }
    int list = l1, next;
    while ((next = getjump(list)) != kNoJump) list = next;
    fixjump(list, l2);
  }

  int jump() { return code_sj(OpCode::Jmp, kNoJump, 0); }

  void ret(int first, int nret) {
    OpCode op = nret == 0 ? OpCode::Return0 : nret == 1 ? OpCode::Return1 : OpCode::Return;
    checklimit(nret + 1, kMaxArgB, "returns");
    code_abc(op, first, nret + 1, 0);
  }

  int condjump(OpCode op, int a, int b, int c, int k) {
    code_abck(op, a, b, c, k);
    return jump();
  }

  int getlabel() {
    fs_->lasttarget = fs_->pc();
    return fs_->pc();
  }

  int jump_control_pc(int pc) {
    if (pc >= 1 && op_info(get_op(instr(pc - 1))).is_test) return pc - 1;
    return pc;
  }

  bool patchtestreg(int node, int reg) {
    Instruction& i = instr(jump_control_pc(node));
    if (get_op(i) != OpCode::TestSet) return false;
    if (reg != kNoReg && reg != arg_b(i))
      i = set_a(i, reg);
    else
      i = make_abck(OpCode::Test, arg_b(i), 0, 0, arg_k(i));
    return true;
  }

  void removevalues(int list) {
    for (; list != kNoJump; list = getjump(list)) patchtestreg(list, kNoReg);
  }

  void patchlistaux(int list, int vtarget, int reg, int dtarget) {
    while (list != kNoJump) {
      int next = getjump(list);
      if (patchtestreg(list, reg))
        fixjump(list, vtarget);
      else
        fixjump(list, dtarget);
      list = next;
    }
  }

  void patchlist(int list, int target) { patchlistaux(list, target, kNoReg, target); }
  void patchtohere(int list) { patchlist(list, getlabel()); }
  void jumpto(int target) { patchlist(jump(), target); }

  // ==================== expressions: discharging ====================
  static void const2exp(const ConstVal& v, ExpDesc& e) {
    switch (v.kind) {
      case Constant::Kind::Int:
        e.k = EK::KInt;
        e.ival = v.i;
        break;
      case Constant::Kind::Float:
        e.k = EK::KFlt;
        e.nval = v.n;
        break;
      case Constant::Kind::False: e.k = EK::False; break;
      case Constant::Kind::True: e.k = EK::True; break;
      case Constant::Kind::Nil: e.k = EK::Nil; break;
      case Constant::Kind::String:
        e.k = EK::KStr;
        e.strval = v.s;
        break;
    }
  }

  static bool tonumeral(const ExpDesc& e, ConstVal* v) {
    if (has_jumps(e)) return false;
    switch (e.k) {
      case EK::KInt:
        if (v) *v = ConstVal{Constant::Kind::Int, e.ival, 0, {}};
        return true;
      case EK::KFlt:
        if (v) *v = ConstVal{Constant::Kind::Float, 0, e.nval, {}};
        return true;
      default: return false;
    }
  }

  bool exp2const(const ExpDesc& e, ConstVal& v) {
    if (has_jumps(e)) return false;
    switch (e.k) {
      case EK::False: v = ConstVal{Constant::Kind::False}; return true;
      case EK::True: v = ConstVal{Constant::Kind::True}; return true;
      case EK::Nil: v = ConstVal{Constant::Kind::Nil}; return true;
      case EK::KStr: v = ConstVal{Constant::Kind::String, 0, 0, e.strval}; return true;
      case EK::Const: v = actvar_[size_t(e.info)].k; return true;
      default: return tonumeral(e, &v);
    }
  }

  void nil(int from, int n) {
    int l = from + n - 1;
    Instruction prev = previous_instruction();
    if (get_op(prev) == OpCode::LoadNil) {
      int pfrom = arg_a(prev), pl = pfrom + arg_b(prev);
      if ((pfrom <= from && from <= pl + 1) || (from <= pfrom && pfrom <= l + 1)) {
        if (pfrom < from) from = pfrom;
        if (pl > l) l = pl;
        Instruction& p = instr(fs_->pc() - 1);
        p = set_b(set_a(p, from), l - from);
        return;
      }
    }
    code_abc(OpCode::LoadNil, from, n - 1, 0);
  }

  void setreturns(ExpDesc& e, int nresults) {
    Instruction& pc = instr(e);
    checklimit(nresults + 1, kMaxArgC, "multiple results");
    pc = set_c(pc, nresults + 1);
    if (e.k == EK::Vararg) {
      pc = set_a(pc, fs_->freereg);
      reserveregs(1);
    }
  }

  void setmultret(ExpDesc& e) { setreturns(e, kMultRet); }

  int str2k(ExpDesc& e) {
    e.info = string_k(e.strval);
    e.k = EK::K;
    return e.info;
  }

  void setoneret(ExpDesc& e) {
    if (e.k == EK::Call) {
      e.k = EK::NonReloc;
      e.info = arg_a(instr(e));
    } else if (e.k == EK::Vararg) {
      instr(e) = set_c(instr(e), 2);
      e.k = EK::Reloc;
    }
  }

  void need_vatab() { fs_->f->flag |= kProtoVarargTable; }

  void vapar2local(ExpDesc& e) {
    need_vatab();
    e.k = EK::Local;
  }

  void dischargevars(ExpDesc& e) {
    switch (e.k) {
      case EK::Const: const2exp(actvar_[size_t(e.info)].k, e); break;
      case EK::VargVar: vapar2local(e); [[fallthrough]];
      case EK::Local:
        e.info = e.var.ridx;
        e.k = EK::NonReloc;
        break;
      case EK::Upval:
        e.info = code_abc(OpCode::GetUpval, 0, e.info, 0);
        e.k = EK::Reloc;
        break;
      case EK::IndexUp:
        e.info = code_abc(OpCode::GetTabUp, 0, e.ind.t, e.ind.idx);
        e.k = EK::Reloc;
        break;
      case EK::IndexI:
        freereg(e.ind.t);
        e.info = code_abc(OpCode::GetI, 0, e.ind.t, e.ind.idx);
        e.k = EK::Reloc;
        break;
      case EK::IndexStr:
        freereg(e.ind.t);
        e.info = code_abc(OpCode::GetField, 0, e.ind.t, e.ind.idx);
        e.k = EK::Reloc;
        break;
      case EK::Indexed:
        freeregs(e.ind.t, e.ind.idx);
        e.info = code_abc(OpCode::GetTable, 0, e.ind.t, e.ind.idx);
        e.k = EK::Reloc;
        break;
      case EK::VargInd:
        freeregs(e.ind.t, e.ind.idx);
        e.info = code_abc(OpCode::GetVarg, 0, e.ind.t, e.ind.idx);
        e.k = EK::Reloc;
        break;
      case EK::Vararg:
      case EK::Call: setoneret(e); break;
      default: break;
    }
  }

  void discharge2reg(ExpDesc& e, int reg) {
    dischargevars(e);
    switch (e.k) {
      case EK::Nil: nil(reg, 1); break;
      case EK::False: code_abc(OpCode::LoadFalse, reg, 0, 0); break;
      case EK::True: code_abc(OpCode::LoadTrue, reg, 0, 0); break;
      case EK::KStr: str2k(e); [[fallthrough]];
      case EK::K: codek(reg, e.info); break;
      case EK::KFlt: code_float(reg, e.nval); break;
      case EK::KInt: code_int(reg, e.ival); break;
      case EK::Reloc: instr(e) = set_a(instr(e), reg); break;
      case EK::NonReloc:
        if (reg != e.info) code_abc(OpCode::Move, reg, e.info, 0);
        break;
      default: return;  // EK::Jmp: nothing to do yet
    }
    e.info = reg;
    e.k = EK::NonReloc;
  }

  void discharge2anyreg(ExpDesc& e) {
    if (e.k != EK::NonReloc) {
      reserveregs(1);
      discharge2reg(e, fs_->freereg - 1);
    }
  }

  int code_loadbool(int a, OpCode op) {
    getlabel();  // those instructions may be jump targets
    return code_abc(op, a, 0, 0);
  }

  bool need_value(int list) {
    for (; list != kNoJump; list = getjump(list))
      if (get_op(instr(jump_control_pc(list))) != OpCode::TestSet) return true;
    return false;
  }

  void exp2reg(ExpDesc& e, int reg) {
    discharge2reg(e, reg);
    if (e.k == EK::Jmp) concat(e.t, e.info);
    if (has_jumps(e)) {
      int p_f = kNoJump, p_t = kNoJump;
      if (need_value(e.t) || need_value(e.f)) {
        int fj = e.k == EK::Jmp ? kNoJump : jump();
        p_f = code_loadbool(reg, OpCode::LFalseSkip);
        p_t = code_loadbool(reg, OpCode::LoadTrue);
        patchtohere(fj);
      }
      int final = getlabel();
      patchlistaux(e.f, final, reg, p_f);
      patchlistaux(e.t, final, reg, p_t);
    }
    e.f = e.t = kNoJump;
    e.info = reg;
    e.k = EK::NonReloc;
  }

  void exp2nextreg(ExpDesc& e) {
    dischargevars(e);
    freeexp(e);
    reserveregs(1);
    exp2reg(e, fs_->freereg - 1);
  }

  int exp2anyreg(ExpDesc& e) {
    dischargevars(e);
    if (e.k == EK::NonReloc) {
      if (!has_jumps(e)) return e.info;
      if (e.info >= nvarstack()) {
        exp2reg(e, e.info);
        return e.info;
      }
    }
    exp2nextreg(e);
    return e.info;
  }

  void exp2anyregup(ExpDesc& e) {
    if ((e.k != EK::Upval && e.k != EK::VargVar) || has_jumps(e)) exp2anyreg(e);
  }

  void exp2val(ExpDesc& e) {
    if (e.k == EK::Jmp || has_jumps(e))
      exp2anyreg(e);
    else
      dischargevars(e);
  }

  bool exp2k(ExpDesc& e) {
    if (has_jumps(e)) return false;
    int info;
    switch (e.k) {
      case EK::True: info = bool_k(true); break;
      case EK::False: info = bool_k(false); break;
      case EK::Nil: info = nil_k(); break;
      case EK::KInt: info = int_k(e.ival); break;
      case EK::KFlt: info = number_k(e.nval); break;
      case EK::KStr: info = string_k(e.strval); break;
      case EK::K: info = e.info; break;
      default: return false;
    }
    if (info <= kMaxIndexRK) {
      e.k = EK::K;
      e.info = info;
      return true;
    }
    return false;
  }

  bool exp2rk(ExpDesc& e) {
    if (exp2k(e)) return true;
    exp2anyreg(e);
    return false;
  }

  void code_abrk(OpCode o, int a, int b, ExpDesc& ec) {
    int k = exp2rk(ec);
    code_abck(o, a, b, ec.info, k);
  }

  void storevar(ExpDesc& var, ExpDesc& ex) {
    switch (var.k) {
      case EK::Local:
        freeexp(ex);
        exp2reg(ex, var.var.ridx);
        return;
      case EK::Upval: {
        int e = exp2anyreg(ex);
        code_abc(OpCode::SetUpval, e, var.info, 0);
        break;
      }
      case EK::IndexUp: code_abrk(OpCode::SetTabUp, var.ind.t, var.ind.idx, ex); break;
      case EK::IndexI: code_abrk(OpCode::SetI, var.ind.t, var.ind.idx, ex); break;
      case EK::IndexStr: code_abrk(OpCode::SetField, var.ind.t, var.ind.idx, ex); break;
      case EK::VargInd: need_vatab(); [[fallthrough]];
      case EK::Indexed: code_abrk(OpCode::SetTable, var.ind.t, var.ind.idx, ex); break;
      default: break;
    }
    freeexp(ex);
  }

  // ==================== expressions: conditions ====================
  void negatecondition(ExpDesc& e) {
    Instruction& pc = instr(jump_control_pc(e.info));
    pc = set_k(pc, arg_k(pc) ^ 1);
  }

  int jumponcond(ExpDesc& e, int cond) {
    if (e.k == EK::Reloc) {
      Instruction ie = instr(e);
      if (get_op(ie) == OpCode::Not) {
        remove_last_instruction();
        return condjump(OpCode::Test, arg_b(ie), 0, 0, !cond);
      }
    }
    discharge2anyreg(e);
    freeexp(e);
    return condjump(OpCode::TestSet, kNoReg, e.info, 0, cond);
  }

  void goiftrue(ExpDesc& e) {
    int pc;
    dischargevars(e);
    switch (e.k) {
      case EK::Jmp:
        negatecondition(e);
        pc = e.info;
        break;
      case EK::K:
      case EK::KFlt:
      case EK::KInt:
      case EK::KStr:
      case EK::True: pc = kNoJump; break;
      default: pc = jumponcond(e, 0); break;
    }
    concat(e.f, pc);
    patchtohere(e.t);
    e.t = kNoJump;
  }

  void goiffalse(ExpDesc& e) {
    int pc;
    dischargevars(e);
    switch (e.k) {
      case EK::Jmp: pc = e.info; break;
      case EK::Nil:
      case EK::False: pc = kNoJump; break;
      default: pc = jumponcond(e, 1); break;
    }
    concat(e.t, pc);
    patchtohere(e.f);
    e.f = kNoJump;
  }

  void codenot(ExpDesc& e) {
    switch (e.k) {
      case EK::Nil:
      case EK::False: e.k = EK::True; break;
      case EK::K:
      case EK::KFlt:
      case EK::KInt:
      case EK::KStr:
      case EK::True: e.k = EK::False; break;
      case EK::Jmp: negatecondition(e); break;
      case EK::Reloc:
      case EK::NonReloc:
        discharge2anyreg(e);
        freeexp(e);
        e.info = code_abc(OpCode::Not, 0, e.info, 0);
        e.k = EK::Reloc;
        break;
      default: break;
    }
    std::swap(e.f, e.t);
    removevalues(e.f);
    removevalues(e.t);
  }

  // ==================== expressions: operators ====================
  bool is_kstr(const ExpDesc& e) {
    if (e.k != EK::K || has_jumps(e) || e.info > kMaxIndexRK) return false;
    const Constant& c = fs_->f->k[size_t(e.info)];
    return c.kind == Constant::Kind::String && c.s.size() <= size_t(kMaxShortLen);
  }
  static bool is_kint(const ExpDesc& e) { return e.k == EK::KInt && !has_jumps(e); }
  static bool is_cint(const ExpDesc& e) { return is_kint(e) && uint64_t(e.ival) <= uint64_t(kMaxArgC); }
  static bool is_scint(const ExpDesc& e) { return is_kint(e) && fits_c(e.ival); }

  static bool is_scnumber(const ExpDesc& e, int* pi, int* isfloat) {
    int64_t i;
    if (e.k == EK::KInt)
      i = e.ival;
    else if (e.k == EK::KFlt && float_to_integer(e.nval, &i))
      *isfloat = 1;
    else
      return false;
    if (!has_jumps(e) && fits_c(i)) {
      *pi = int(i) + kOffsetSC;
      return true;
    }
    return false;
  }

  void self(ExpDesc& e, ExpDesc& key) {
    exp2anyreg(e);
    int ereg = e.info;
    freeexp(e);
    int base = e.info = fs_->freereg;
    e.k = EK::NonReloc;
    reserveregs(2);
    if (key.strval.size() <= size_t(kMaxShortLen) && exp2k(key)) {
      code_abck(OpCode::Self, base, ereg, key.info, 0);
    } else {
      exp2anyreg(key);
      code_abc(OpCode::Move, base + 1, ereg, 0);
      code_abc(OpCode::GetTable, base, ereg, key.info);
    }
    freeexp(key);
  }

  void indexed(ExpDesc& t, ExpDesc& k) {
    int keystr = -1;
    if (k.k == EK::KStr) keystr = str2k(k);
    if (t.k == EK::Upval && !is_kstr(k)) exp2anyreg(t);
    if (t.k == EK::Upval) {
      int up = t.info;
      t.ind.t = up;
      t.ind.idx = k.info;
      t.k = EK::IndexUp;
    } else if (t.k == EK::VargVar) {
      int kreg = exp2anyreg(k);
      t.ind.t = t.var.ridx;
      t.ind.idx = kreg;
      t.k = EK::VargInd;
    } else {
      t.ind.t = t.k == EK::Local ? t.var.ridx : t.info;
      if (is_kstr(k)) {
        t.ind.idx = k.info;
        t.k = EK::IndexStr;
      } else if (is_cint(k)) {
        t.ind.idx = int(k.ival);
        t.k = EK::IndexI;
      } else {
        t.ind.idx = exp2anyreg(k);
        t.k = EK::Indexed;
      }
    }
    t.ind.keystr = keystr;
    t.ind.ro = false;
  }

  static bool to_integer(const ConstVal& v, int64_t* out) {
    if (v.kind == Constant::Kind::Int) {
      *out = v.i;
      return true;
    }
    return float_to_integer(v.n, out);
  }
  static double to_number(const ConstVal& v) { return v.kind == Constant::Kind::Int ? double(v.i) : v.n; }

  static bool validop(int op, const ConstVal& v1, const ConstVal& v2) {
    int64_t i;
    switch (op) {
      case int(BinOpr::BAnd):
      case int(BinOpr::BOr):
      case int(BinOpr::BXor):
      case int(BinOpr::Shl):
      case int(BinOpr::Shr):
      case kOpBNot: return to_integer(v1, &i) && to_integer(v2, &i);
      case int(BinOpr::Div):
      case int(BinOpr::IDiv):
      case int(BinOpr::Mod): return to_number(v2) != 0;
      default: return true;
    }
  }

  // luaO_rawarith on two numerals; false if the result is not foldable.
  static bool raw_arith(int op, const ConstVal& v1, const ConstVal& v2, ConstVal& res) {
    switch (op) {
      case int(BinOpr::BAnd):
      case int(BinOpr::BOr):
      case int(BinOpr::BXor):
      case int(BinOpr::Shl):
      case int(BinOpr::Shr):
      case kOpBNot: {
        int64_t a, b;
        to_integer(v1, &a);
        to_integer(v2, &b);
        int64_t r = 0;
        switch (op) {
          case int(BinOpr::BAnd): r = a & b; break;
          case int(BinOpr::BOr): r = a | b; break;
          case int(BinOpr::BXor): r = a ^ b; break;
          case int(BinOpr::Shl): r = shift_left(a, b); break;
          case int(BinOpr::Shr): r = shift_right(a, b); break;
          default: r = int64_t(~uint64_t(a)); break;
        }
        res = ConstVal{Constant::Kind::Int, r};
        return true;
      }
      case int(BinOpr::Div):
      case int(BinOpr::Pow): break;  // always float
      default:
        if (v1.kind == Constant::Kind::Int && v2.kind == Constant::Kind::Int) {
          int64_t a = v1.i, b = v2.i, r = 0;
          switch (op) {
            case int(BinOpr::Add): r = int_add(a, b); break;
            case int(BinOpr::Sub): r = int_sub(a, b); break;
            case int(BinOpr::Mul): r = int_mul(a, b); break;
            case int(BinOpr::Mod): r = int_mod(a, b); break;
            case int(BinOpr::IDiv): r = int_floor_div(a, b); break;
            case kOpUnm: r = int_neg(a); break;
            default: return false;
          }
          res = ConstVal{Constant::Kind::Int, r};
          return true;
        }
    }
    double a = to_number(v1), b = to_number(v2), r;
    switch (op) {
      case int(BinOpr::Add): r = a + b; break;
      case int(BinOpr::Sub): r = a - b; break;
      case int(BinOpr::Mul): r = a * b; break;
      case int(BinOpr::Div): r = a / b; break;
      case int(BinOpr::Pow): r = float_pow(a, b); break;
      case int(BinOpr::IDiv): r = float_floor_div(a, b); break;
      case int(BinOpr::Mod): r = float_mod(a, b); break;
      case kOpUnm: r = -a; break;
      default: return false;
    }
    res = ConstVal{Constant::Kind::Float, 0, r};
    return true;
  }

  bool constfolding(int op, ExpDesc& e1, const ExpDesc& e2) {
    ConstVal v1, v2, res;
    if (!tonumeral(e1, &v1) || !tonumeral(e2, &v2) || !validop(op, v1, v2)) return false;
    if (!raw_arith(op, v1, v2, res)) return false;
    if (res.kind == Constant::Kind::Int) {
      e1.k = EK::KInt;
      e1.ival = res.i;
    } else {
      if (std::isnan(res.n) || res.n == 0) return false;  // avoid problems with -0.0 and NaN
      e1.k = EK::KFlt;
      e1.nval = res.n;
    }
    return true;
  }

  void codeunexpval(OpCode op, ExpDesc& e, int line) {
    int r = exp2anyreg(e);
    freeexp(e);
    e.info = code_abc(op, 0, r, 0);
    e.k = EK::Reloc;
    fixline(line);
  }

  void finishbinexpval(ExpDesc& e1, ExpDesc& e2, OpCode op, int v2, int flip, int line, OpCode mmop,
                       TM event) {
    int v1 = exp2anyreg(e1);
    int pc = code_abck(op, 0, v1, v2, 0);
    freeexps(e1, e2);
    e1.info = pc;
    e1.k = EK::Reloc;
    fixline(line);
    code_abck(mmop, v1, v2, int(event), flip);
    fixline(line);
  }

  static TM binopr2tm(BinOpr opr) { return TM(int(opr) - int(BinOpr::Add) + int(TM::Add)); }

  void codebinexpval(BinOpr opr, ExpDesc& e1, ExpDesc& e2, int line) {
    OpCode op = OpCode(int(opr) + int(OpCode::Add));
    int v2 = exp2anyreg(e2);
    finishbinexpval(e1, e2, op, v2, 0, line, OpCode::MMBin, binopr2tm(opr));
  }

  void codebini(OpCode op, ExpDesc& e1, ExpDesc& e2, int flip, int line, TM event) {
    int v2 = int(e2.ival) + kOffsetSC;
    finishbinexpval(e1, e2, op, v2, flip, line, OpCode::MMBinI, event);
  }

  void codebink(BinOpr opr, ExpDesc& e1, ExpDesc& e2, int flip, int line) {
    TM event = binopr2tm(opr);
    int v2 = e2.info;
    OpCode op = OpCode(int(opr) + int(OpCode::AddK));
    finishbinexpval(e1, e2, op, v2, flip, line, OpCode::MMBinK, event);
  }

  bool finishbinexpneg(ExpDesc& e1, ExpDesc& e2, OpCode op, int line, TM event) {
    if (!is_kint(e2)) return false;
    int64_t i2 = e2.ival;
    if (!(fits_c(i2) && fits_c(-i2))) return false;
    int v2 = int(i2);
    finishbinexpval(e1, e2, op, -v2 + kOffsetSC, 0, line, OpCode::MMBinI, event);
    Instruction& mm = instr(fs_->pc() - 1);
    mm = set_b(mm, v2 + kOffsetSC);
    return true;
  }

  void codebinnok(BinOpr opr, ExpDesc& e1, ExpDesc& e2, int flip, int line) {
    if (flip) std::swap(e1, e2);
    codebinexpval(opr, e1, e2, line);
  }

  void codearith(BinOpr opr, ExpDesc& e1, ExpDesc& e2, int flip, int line) {
    if (tonumeral(e2, nullptr) && exp2k(e2))
      codebink(opr, e1, e2, flip, line);
    else
      codebinnok(opr, e1, e2, flip, line);
  }

  void codecommutative(BinOpr op, ExpDesc& e1, ExpDesc& e2, int line) {
    int flip = 0;
    if (tonumeral(e1, nullptr)) {
      std::swap(e1, e2);
      flip = 1;
    }
    if (op == BinOpr::Add && is_scint(e2))
      codebini(OpCode::AddI, e1, e2, flip, line, TM::Add);
    else
      codearith(op, e1, e2, flip, line);
  }

  void codebitwise(BinOpr opr, ExpDesc& e1, ExpDesc& e2, int line) {
    int flip = 0;
    if (e1.k == EK::KInt) {
      std::swap(e1, e2);
      flip = 1;
    }
    if (e2.k == EK::KInt && exp2k(e2))
      codebink(opr, e1, e2, flip, line);
    else
      codebinnok(opr, e1, e2, flip, line);
  }

  void codeorder(BinOpr opr, ExpDesc& e1, ExpDesc& e2) {
    int r1, r2, im, isfloat = 0;
    OpCode op;
    int rel = int(opr) - int(BinOpr::Lt);  // 0: <, 1: <=
    if (is_scnumber(e2, &im, &isfloat)) {
      r1 = exp2anyreg(e1);
      r2 = im;
      op = OpCode(int(OpCode::LtI) + rel);
    } else if (is_scnumber(e1, &im, &isfloat)) {
      r1 = exp2anyreg(e2);
      r2 = im;
      op = OpCode(int(OpCode::GtI) + rel);
    } else {
      r1 = exp2anyreg(e1);
      r2 = exp2anyreg(e2);
      op = OpCode(int(OpCode::Lt) + rel);
    }
    freeexps(e1, e2);
    e1.info = condjump(op, r1, r2, isfloat, 1);
    e1.k = EK::Jmp;
  }

  void codeeq(BinOpr opr, ExpDesc& e1, ExpDesc& e2) {
    int r1, r2, im, isfloat = 0;
    OpCode op;
    if (e1.k != EK::NonReloc) std::swap(e1, e2);
    r1 = exp2anyreg(e1);
    if (is_scnumber(e2, &im, &isfloat)) {
      op = OpCode::EqI;
      r2 = im;
    } else if (exp2rk(e2)) {
      op = OpCode::EqK;
      r2 = e2.info;
    } else {
      op = OpCode::Eq;
      r2 = exp2anyreg(e2);
    }
    freeexps(e1, e2);
    e1.info = condjump(op, r1, r2, isfloat, opr == BinOpr::Eq);
    e1.k = EK::Jmp;
  }

  void prefix(UnOpr opr, ExpDesc& e, int line) {
    ExpDesc ef;
    ef.k = EK::KInt;
    ef.ival = 0;
    dischargevars(e);
    switch (opr) {
      case UnOpr::Minus:
      case UnOpr::BNot:
        if (constfolding(opr == UnOpr::Minus ? kOpUnm : kOpBNot, e, ef)) break;
        codeunexpval(opr == UnOpr::Minus ? OpCode::Unm : OpCode::BNot, e, line);
        break;
      case UnOpr::Len: codeunexpval(OpCode::Len, e, line); break;
      case UnOpr::Not: codenot(e); break;
      default: break;
    }
  }

  void infix(BinOpr op, ExpDesc& v) {
    dischargevars(v);
    switch (op) {
      case BinOpr::And: goiftrue(v); break;
      case BinOpr::Or: goiffalse(v); break;
      case BinOpr::Concat: exp2nextreg(v); break;
      case BinOpr::Add:
      case BinOpr::Sub:
      case BinOpr::Mul:
      case BinOpr::Div:
      case BinOpr::IDiv:
      case BinOpr::Mod:
      case BinOpr::Pow:
      case BinOpr::BAnd:
      case BinOpr::BOr:
      case BinOpr::BXor:
      case BinOpr::Shl:
      case BinOpr::Shr:
        if (!tonumeral(v, nullptr)) exp2anyreg(v);
        break;
      case BinOpr::Eq:
      case BinOpr::Ne:
        if (!tonumeral(v, nullptr)) exp2rk(v);
        break;
      case BinOpr::Lt:
      case BinOpr::Le:
      case BinOpr::Gt:
      case BinOpr::Ge: {
        int dummy, dummy2 = 0;
        if (!is_scnumber(v, &dummy, &dummy2)) exp2anyreg(v);
        break;
      }
      default: break;
    }
  }

  void codeconcat(ExpDesc& e1, ExpDesc& e2, int line) {
    Instruction ie2 = previous_instruction();
    if (get_op(ie2) == OpCode::Concat) {
      int n = arg_b(ie2);
      freeexp(e2);
      Instruction& p = instr(fs_->pc() - 1);
      p = set_b(set_a(p, e1.info), n + 1);
    } else {
      code_abc(OpCode::Concat, e1.info, 2, 0);
      freeexp(e2);
      fixline(line);
    }
  }

  void posfix(BinOpr opr, ExpDesc& e1, ExpDesc& e2, int line) {
    dischargevars(e2);
    if (opr <= BinOpr::Shr && constfolding(int(opr), e1, e2)) return;
    switch (opr) {
      case BinOpr::And:
        concat(e2.f, e1.f);
        e1 = e2;
        break;
      case BinOpr::Or:
        concat(e2.t, e1.t);
        e1 = e2;
        break;
      case BinOpr::Concat:
        exp2nextreg(e2);
        codeconcat(e1, e2, line);
        break;
      case BinOpr::Add:
      case BinOpr::Mul: codecommutative(opr, e1, e2, line); break;
      case BinOpr::Sub:
        if (finishbinexpneg(e1, e2, OpCode::AddI, line, TM::Sub)) break;
        [[fallthrough]];
      case BinOpr::Div:
      case BinOpr::IDiv:
      case BinOpr::Mod:
      case BinOpr::Pow: codearith(opr, e1, e2, 0, line); break;
      case BinOpr::BAnd:
      case BinOpr::BOr:
      case BinOpr::BXor: codebitwise(opr, e1, e2, line); break;
      case BinOpr::Shl:
        if (is_scint(e1)) {
          std::swap(e1, e2);
          codebini(OpCode::ShlI, e1, e2, 1, line, TM::Shl);
        } else if (!finishbinexpneg(e1, e2, OpCode::ShrI, line, TM::Shl)) {
          codebinexpval(opr, e1, e2, line);
        }
        break;
      case BinOpr::Shr:
        if (is_scint(e2))
          codebini(OpCode::ShrI, e1, e2, 0, line, TM::Shr);
        else
          codebinexpval(opr, e1, e2, line);
        break;
      case BinOpr::Eq:
      case BinOpr::Ne: codeeq(opr, e1, e2); break;
      case BinOpr::Gt:
      case BinOpr::Ge:
        std::swap(e1, e2);
        opr = BinOpr(int(opr) - int(BinOpr::Gt) + int(BinOpr::Lt));
        [[fallthrough]];
      case BinOpr::Lt:
      case BinOpr::Le: codeorder(opr, e1, e2); break;
      default: break;
    }
  }

  void settablesize(int pc, int ra, int asize, int hsize) {
    int extra = asize / (kMaxArgVC + 1);
    int rc = asize % (kMaxArgVC + 1);
    int k = extra > 0;
    hsize = hsize != 0 ? ceil_log2(unsigned(hsize)) + 1 : 0;
    instr(pc) = make_vabck(OpCode::NewTable, ra, hsize, rc, k);
    instr(pc + 1) = make_ax(OpCode::ExtraArg, unsigned(extra));
  }

  void setlist(int base, int nelems, int tostore) {
    if (tostore == kMultRet) tostore = 0;
    if (nelems <= kMaxArgVC) {
      code_vabck(OpCode::SetList, base, tostore, nelems, 0);
    } else {
      int extra = nelems / (kMaxArgVC + 1);
      nelems %= (kMaxArgVC + 1);
      code_vabck(OpCode::SetList, base, tostore, nelems, 1);
      code_extraarg(extra);
    }
    fs_->freereg = base + 1;
  }

  int finaltarget(int i) {
    for (int count = 0; count < 100; count++) {
      Instruction pc = instr(i);
      if (get_op(pc) != OpCode::Jmp) break;
      i += arg_sj(pc) + 1;
    }
    return i;
  }

  void finish() {
    FuncProto* p = fs_->f;
    if (p->flag & kProtoVarargTable) p->flag &= uint8_t(~kProtoVarargHidden);
    for (int i = 0; i < fs_->pc(); i++) {
      Instruction& pc = instr(i);
      switch (get_op(pc)) {
        case OpCode::Return0:
        case OpCode::Return1:
          if (!(fs_->needclose || (p->flag & kProtoVarargHidden))) break;
          pc = set_op(pc, OpCode::Return);
          [[fallthrough]];
        case OpCode::Return:
        case OpCode::TailCall:
          if (fs_->needclose) pc = set_k(pc, 1);
          if (p->flag & kProtoVarargHidden) pc = set_c(pc, p->numparams + 1);
          break;
        case OpCode::GetVarg:
          if (p->flag & kProtoVarargTable) pc = set_op(pc, OpCode::GetTable);
          break;
        case OpCode::VarArg:
          if (p->flag & kProtoVarargTable) pc = set_k(pc, 1);
          break;
        case OpCode::Jmp: fixjump(i, finaltarget(i)); break;
        default: break;
      }
    }
  }

  // ==================== variables and scopes ====================
  Vardesc& localvardesc(int vidx) { return actvar_[size_t(fs_->firstlocal + vidx)]; }
  Vardesc& localvardesc(FuncState* fs, int vidx) { return actvar_[size_t(fs->firstlocal + vidx)]; }

  int registerlocalvar(std::string_view name) {
    LocVar lv;
    lv.name.assign(name);
    lv.startpc = fs_->pc();
    fs_->f->locvars.push_back(std::move(lv));
    return int(fs_->f->locvars.size()) - 1;
  }

  int new_varkind(std::string_view name, uint8_t kind, bool star = false) {
    if (actvar_.size() >= size_t(INT16_MAX)) errorlimit(INT16_MAX, "variable declarations");
    Vardesc v;
    v.kind = kind;
    v.name = name;
    v.star = star;
    actvar_.push_back(v);
    return int(actvar_.size()) - 1 - fs_->firstlocal;
  }
  int new_localvar(std::string_view name) { return new_varkind(name, VDKREG); }

  int reglevel(FuncState* fs, int nvar) {
    while (nvar-- > 0) {
      Vardesc& vd = localvardesc(fs, nvar);
      if (vd.in_reg()) return vd.ridx + 1;
    }
    return 0;
  }
  int reglevel(int nvar) { return reglevel(fs_, nvar); }
  int nvarstack() { return reglevel(fs_->nactvar); }

  LocVar* localdebuginfo(int vidx) {
    Vardesc& vd = localvardesc(vidx);
    if (!vd.in_reg()) return nullptr;
    return &fs_->f->locvars[size_t(vd.pidx)];
  }

  void init_var(ExpDesc& e, int vidx) {
    e = ExpDesc{};
    e.k = EK::Local;
    e.var.vidx = vidx;
    e.var.ridx = localvardesc(vidx).ridx;
  }

  void check_readonly(ExpDesc& e) {
    std::string_view varname;
    bool ro = false;
    switch (e.k) {
      case EK::Const:
        varname = actvar_[size_t(e.info)].name;
        ro = true;
        break;
      case EK::Local:
      case EK::VargVar: {
        Vardesc& vd = localvardesc(e.var.vidx);
        if (vd.kind != VDKREG) {
          varname = vd.name;
          ro = true;
        }
        break;
      }
      case EK::Upval: {
        const UpvalDesc& up = fs_->f->upvalues[size_t(e.info)];
        if (up.kind != VarKind::Regular) {
          varname = up.name;
          ro = true;
        }
        break;
      }
      case EK::VargInd:
        need_vatab();
        e.k = EK::Indexed;
        [[fallthrough]];
      case EK::IndexUp:
      case EK::IndexStr:
      case EK::Indexed:
        if (e.ind.ro) {
          varname = fs_->f->k[size_t(e.ind.keystr)].s;
          ro = true;
        }
        break;
      default: return;
    }
    if (ro) semerror("attempt to assign to const variable '" + std::string(varname) + "'");
  }

  void adjustlocalvars(int nvars) {
    int level = nvarstack();
    for (int i = 0; i < nvars; i++) {
      int vidx = fs_->nactvar++;
      Vardesc& var = localvardesc(vidx);
      var.ridx = uint8_t(level++);
      var.pidx = int16_t(registerlocalvar(var.name));
      checklimit(level, kMaxVars, "local variables");
    }
  }

  void removevars(int tolevel) {
    actvar_.resize(actvar_.size() - size_t(fs_->nactvar - tolevel));
    while (fs_->nactvar > tolevel) {
      --fs_->nactvar;
      Vardesc& vd = actvar_[size_t(fs_->firstlocal + fs_->nactvar)];
      if (vd.in_reg()) fs_->f->locvars[size_t(vd.pidx)].endpc = fs_->pc();
    }
  }

  static int searchupvalue(FuncState* fs, std::string_view name) {
    for (int i = 0; i < fs->nups(); i++)
      if (fs->f->upvalues[size_t(i)].name == name) return i;
    return -1;
  }

  int newupvalue(FuncState* fs, std::string_view name, const ExpDesc& v) {
    FuncState* saved = fs_;
    fs_ = fs;
    checklimit(fs->nups() + 1, kMaxUpvals, "upvalues");
    fs_ = saved;
    UpvalDesc up;
    FuncState* prev = fs->prev;
    if (v.k == EK::Local) {
      up.instack = true;
      up.idx = uint8_t(v.var.ridx);
      up.kind = VarKind(localvardesc(prev, v.var.vidx).kind);
    } else {
      up.instack = false;
      up.idx = uint8_t(v.info);
      up.kind = prev->f->upvalues[size_t(v.info)].kind;
    }
    up.name.assign(name);
    fs->f->upvalues.push_back(std::move(up));
    return fs->nups() - 1;
  }

  // Looks for an active variable 'n' in 'fs'. While searching, var.info
  // tracks the global declarations seen: -1 the implicit 'global *' is
  // still in force, -2 some other declaration voided it, >= 0 the innermost
  // collective ('global *') declaration.
  int searchvar(FuncState* fs, std::string_view n, ExpDesc& var) {
    for (int i = fs->nactvar - 1; i >= 0; i--) {
      Vardesc& vd = localvardesc(fs, i);
      if (vd.is_global()) {
        if (vd.star) {
          if (var.info < 0) var.info = fs->firstlocal + i;
        } else if (n == vd.name) {
          init_exp(var, EK::Global, fs->firstlocal + i);
          return int(EK::Global);
        } else if (var.info == -1) {
          var.info = -2;
        }
      } else if (n == vd.name) {
        if (vd.kind == RDKCTC) {
          init_exp(var, EK::Const, fs->firstlocal + i);
        } else {
          FuncState* saved = fs_;
          fs_ = fs;
          init_var(var, i);
          fs_ = saved;
          if (vd.kind == RDKVAVAR) var.k = EK::VargVar;
        }
        return int(var.k);
      }
    }
    return -1;
  }

  static void markupval(FuncState* fs, int level) {
    BlockCnt* bl = fs->bl;
    while (bl->nactvar > level) bl = bl->previous;
    bl->upval = true;
    fs->needclose = true;
  }

  void marktobeclosed() {
    BlockCnt* bl = fs_->bl;
    bl->upval = true;
    bl->insidetbc = true;
    fs_->needclose = true;
  }

  void singlevaraux(FuncState* fs, std::string_view n, ExpDesc& var, bool base) {
    int v = searchvar(fs, n, var);
    if (v >= 0) {
      if (!base) {
        if (var.k == EK::VargVar) {
          FuncState* saved = fs_;
          fs_ = fs;
          vapar2local(var);
          fs_ = saved;
        }
        if (var.k == EK::Local) markupval(fs, var.var.vidx);
      }
      return;
    }
    int idx = searchupvalue(fs, n);
    if (idx < 0) {
      if (fs->prev != nullptr) singlevaraux(fs->prev, n, var, false);
      if (var.k == EK::Local || var.k == EK::Upval)
        idx = newupvalue(fs, n, var);
      else
        return;  // a global or a constant
    }
    init_exp(var, EK::Upval, idx);
  }

  void buildglobal(std::string_view varname, ExpDesc& var) {
    init_exp(var, EK::Global, -1);
    singlevaraux(fs_, kEnvName, var, true);
    if (var.k == EK::Global)
      semerror(std::string(kEnvName) + " is global when accessing variable '" + std::string(varname) + "'");
    exp2anyregup(var);
    ExpDesc key;
    key.k = EK::KStr;
    key.strval = varname;
    indexed(var, key);
  }

  void buildvar(std::string_view varname, ExpDesc& var) {
    init_exp(var, EK::Global, -1);
    singlevaraux(fs_, varname, var, true);
    if (var.k == EK::Global) {
      int info = var.info;
      if (info == -2) semerror("variable '" + std::string(varname) + "' not declared");
      buildglobal(varname, var);
      if (info != -1 && actvar_[size_t(info)].kind == GDKCONST) var.ind.ro = true;
    }
  }

  void adjust_assign(int nvars, int nexps, ExpDesc& e) {
    int needed = nvars - nexps;
    checkstack(needed);
    if (has_multret(e.k)) {
      int extra = needed + 1;
      if (extra < 0) extra = 0;
      setreturns(e, extra);
    } else {
      if (e.k != EK::Void) exp2nextreg(e);
      if (needed > 0) nil(fs_->freereg, needed);
    }
    if (needed > 0)
      reserveregs(needed);
    else
      fs_->freereg += needed;
  }

  // ==================== gotos and labels ====================
  [[noreturn]] void jumpscopeerror(const Labeldesc& gt) {
    const Vardesc& vd = localvardesc(gt.nactvar);
    std::string varname = vd.star ? "*" : std::string(vd.name);
    semerror("<goto " + std::string(gt.name) + "> at line " + std::to_string(gt.line) +
             " jumps into the scope of '" + varname + "'");
  }

  void closegoto(int g, const Labeldesc& label, bool bup) {
    Labeldesc& gt = gotos_[size_t(g)];
    if (gt.nactvar < label.nactvar) jumpscopeerror(gt);
    if (gt.close || (label.nactvar < gt.nactvar && bup)) {
      int stklevel = reglevel(label.nactvar);
      instr(gt.pc + 1) = instr(gt.pc);  // move the jump to the CLOSE's place
      instr(gt.pc) = make_abck(OpCode::Close, stklevel, 0, 0, 0);
      gt.pc++;
    }
    patchlist(gt.pc, label.pc);
    gotos_.erase(gotos_.begin() + g);
  }

  const Labeldesc* findlabel(std::string_view name, int ilb) {
    for (; ilb < int(labels_.size()); ilb++)
      if (labels_[size_t(ilb)].name == name) return &labels_[size_t(ilb)];
    return nullptr;
  }

  int newlabelentry(std::vector<Labeldesc>& l, std::string_view name, int line, int pc) {
    l.push_back(Labeldesc{name, pc, line, fs_->nactvar, false});
    return int(l.size()) - 1;
  }

  int newgotoentry(std::string_view name, int line) {
    int pc = jump();
    code_abc(OpCode::Close, 0, 1, 0);  // placeholder, dead unless the goto needs a CLOSE
    return newlabelentry(gotos_, name, line, pc);
  }

  void createlabel(std::string_view name, int line, bool last) {
    int l = newlabelentry(labels_, name, line, getlabel());
    if (last) labels_[size_t(l)].nactvar = fs_->bl->nactvar;
  }

  void solvegotos(BlockCnt* bl) {
    int outlevel = reglevel(bl->nactvar);
    int igt = bl->firstgoto;
    while (igt < int(gotos_.size())) {
      Labeldesc& gt = gotos_[size_t(igt)];
      const Labeldesc* lb = findlabel(gt.name, bl->firstlabel);
      if (lb != nullptr) {
        Labeldesc label = *lb;
        closegoto(igt, label, bl->upval);
      } else {
        if (bl->upval && reglevel(gt.nactvar) > outlevel) gt.close = true;
        gt.nactvar = bl->nactvar;
        igt++;
      }
    }
    labels_.resize(size_t(bl->firstlabel));
  }

  void enterblock(BlockCnt& bl, uint8_t isloop) {
    bl.isloop = isloop;
    bl.nactvar = fs_->nactvar;
    bl.firstlabel = int(labels_.size());
    bl.firstgoto = int(gotos_.size());
    bl.upval = false;
    bl.insidetbc = fs_->bl != nullptr && fs_->bl->insidetbc;
    bl.previous = fs_->bl;
    fs_->bl = &bl;
  }

  void leaveblock() {
    BlockCnt* bl = fs_->bl;
    int stklevel = reglevel(bl->nactvar);
    if (bl->previous && bl->upval) code_abc(OpCode::Close, stklevel, 0, 0);
    fs_->freereg = stklevel;
    removevars(bl->nactvar);
    if (bl->isloop == 2) createlabel(kBreakLabel, 0, false);
    solvegotos(bl);
    if (bl->previous == nullptr && bl->firstgoto < int(gotos_.size())) {
      const Labeldesc& gt = gotos_[size_t(bl->firstgoto)];
      semerror("no visible label '" + std::string(gt.name) + "' for <goto> at line " +
               std::to_string(gt.line));
    }
    fs_->bl = bl->previous;
  }

  // ==================== functions ====================
  void open_func(FuncState& fs, BlockCnt& bl) {
    if (fs_ == nullptr) fs.f->source = source_;  // nested functions share the chunk's
    fs.prev = fs_;
    fs_ = &fs;
    fs.f->maxstacksize = 2;
    fs.firstlocal = int(actvar_.size());
    fs.firstlabel = int(labels_.size());
    enterblock(bl, 0);
  }

  void close_func() {
    ret(nvarstack(), 0);
    leaveblock();
    finish();
    fs_ = fs_->prev;
  }

  void set_vararg(FuncState& fs) {
    fs.f->flag |= kProtoVarargHidden;
    code_abc(OpCode::VarArgPrep, 0, 0, 0);
  }

  static bool is_vararg(const FuncProto* f) {
    return (f->flag & (kProtoVarargHidden | kProtoVarargTable)) != 0;
  }

  void body(FuncBody* b, ExpDesc& e) {
    auto proto = std::make_unique<FuncProto>();
    FuncProto* f = proto.get();
    if (fs_->f->p.size() >= size_t(kMaxArgBx)) errorlimit(kMaxArgBx, "functions");
    fs_->f->p.push_back(std::move(proto));
    f->linedefined = b->line;
    FuncState fs;
    BlockCnt bl;
    fs.f = f;
    open_func(fs, bl);
    if (b->is_method) {
      new_localvar("self");
      adjustlocalvars(1);
    }
    for (std::string_view p : b->params) new_localvar(p);
    adjustlocalvars(int(b->params.size()));
    f->numparams = uint8_t(fs_->nactvar);
    if (b->is_vararg) {
      cur_line_ = b->vararg_line;
      if (b->vararg_name.empty())
        new_localvar("(vararg table)");
      else
        new_varkind(b->vararg_name, RDKVAVAR);
      set_vararg(fs);
      adjustlocalvars(1);
    }
    reserveregs(fs_->nactvar);
    statlist(b->body);
    f->lastlinedefined = b->last;
    cur_line_ = b->last;
    // codeclosure: the CLOSURE goes in the enclosing function
    FuncState* parent = fs_->prev;
    fs_ = parent;
    init_exp(e, EK::Reloc, code_abx(OpCode::Closure, 0, int(parent->f->p.size()) - 1));
    exp2nextreg(e);
    fs_ = &fs;
    close_func();
  }

  // ==================== expressions ====================
  void gen_exp(Expr* e, ExpDesc& v) {
    switch (e->kind) {
      case ExprKind::Nil: init_exp(v, EK::Nil, 0); break;
      case ExprKind::True: init_exp(v, EK::True, 0); break;
      case ExprKind::False: init_exp(v, EK::False, 0); break;
      case ExprKind::Int:
        init_exp(v, EK::KInt, 0);
        v.ival = static_cast<ConstExpr*>(e)->i;
        break;
      case ExprKind::Float:
        init_exp(v, EK::KFlt, 0);
        v.nval = static_cast<ConstExpr*>(e)->n;
        break;
      case ExprKind::String:
        init_exp(v, EK::KStr, 0);
        v.strval = static_cast<ConstExpr*>(e)->s;
        break;
      case ExprKind::Vararg:
        cur_line_ = e->line;
        init_exp(v, EK::Vararg, code_abc(OpCode::VarArg, 0, fs_->f->numparams, 1));
        break;
      case ExprKind::Function: body(static_cast<FunctionExpr*>(e)->body, v); break;
      case ExprKind::Table: constructor(static_cast<TableExpr*>(e), v); break;
      case ExprKind::Unary: {
        auto* u = static_cast<UnaryExpr*>(e);
        gen_exp(u->operand, v);
        cur_line_ = u->last;
        prefix(u->op, v, u->line);
        break;
      }
      case ExprKind::Binary: gen_binary(static_cast<BinaryExpr*>(e), v); break;
      default: gen_suffixed(e, v); break;
    }
    cur_line_ = e->last;
  }

  // Left-nested operator chains are walked iteratively (their depth is not
  // bounded by the parser's recursion limit).
  void gen_binary(BinaryExpr* e, ExpDesc& v) {
    std::vector<BinaryExpr*> spine;
    Expr* x = e;
    while (x->kind == ExprKind::Binary) {
      spine.push_back(static_cast<BinaryExpr*>(x));
      x = static_cast<BinaryExpr*>(x)->lhs;
    }
    gen_exp(x, v);
    for (size_t i = spine.size(); i-- > 0;) {
      BinaryExpr* b = spine[i];
      cur_line_ = b->line;
      infix(b->op, v);
      ExpDesc v2;
      gen_exp(b->rhs, v2);
      posfix(b->op, v, v2, b->line);
      cur_line_ = b->last;
    }
  }

  void gen_primary(Expr* e, ExpDesc& v) {
    if (e->kind == ExprKind::Name) {
      buildvar(static_cast<NameExpr*>(e)->name, v);
    } else if (e->kind == ExprKind::Paren) {
      gen_exp(static_cast<ParenExpr*>(e)->inner, v);
      cur_line_ = e->last;
      dischargevars(v);
    } else {
      gen_exp(e, v);  // not reached from the parser's suffixed expressions
    }
    cur_line_ = e->last;
  }

  void gen_suffixed(Expr* e, ExpDesc& v) {
    std::vector<Expr*> chain;
    Expr* x = e;
    for (;;) {
      if (x->kind == ExprKind::Index) {
        chain.push_back(x);
        x = static_cast<IndexExpr*>(x)->obj;
      } else if (x->kind == ExprKind::Call) {
        chain.push_back(x);
        x = static_cast<CallExpr*>(x)->fn;
      } else {
        break;
      }
    }
    gen_primary(x, v);
    int prev_last = x->last;
    for (size_t i = chain.size(); i-- > 0;) {
      Expr* s = chain[i];
      cur_line_ = prev_last;
      if (s->kind == ExprKind::Index) {
        auto* ix = static_cast<IndexExpr*>(s);
        exp2anyregup(v);
        ExpDesc key;
        gen_exp(ix->key, key);
        exp2val(key);
        cur_line_ = ix->last;
        indexed(v, key);
      } else {
        auto* c = static_cast<CallExpr*>(s);
        if (!c->method.empty()) {
          cur_line_ = c->method_line;
          ExpDesc key;
          key.k = EK::KStr;
          key.strval = c->method;
          self(v, key);
        } else {
          exp2nextreg(v);
        }
        funcargs(c, v);
      }
      prev_last = s->last;
    }
  }

  int explist(const ExprList& list, ExpDesc& v) {
    gen_exp(list[0], v);
    for (size_t i = 1; i < list.size(); i++) {
      exp2nextreg(v);
      gen_exp(list[i], v);
    }
    return int(list.size());
  }

  void funcargs(CallExpr* c, ExpDesc& f) {
    ExpDesc args;
    if (c->args.empty()) {
      args.k = EK::Void;
    } else {
      explist(c->args, args);
      if (has_multret(args.k)) setmultret(args);
    }
    cur_line_ = c->last;
    int base = f.info;
    int nparams;
    if (has_multret(args.k)) {
      nparams = kMultRet;
    } else {
      if (args.k != EK::Void) exp2nextreg(args);
      nparams = fs_->freereg - (base + 1);
    }
    init_exp(f, EK::Call, code_abc(OpCode::Call, base, nparams + 1, 2));
    fixline(c->line);
    fs_->freereg = base + 1;
  }

  struct ConsControl {
    ExpDesc v;        // last list item read
    ExpDesc* t;       // table descriptor
    int nh = 0;       // number of record elements
    int na = 0;       // number of array elements already stored
    int tostore = 0;  // number of array elements pending
    int maxtostore = 0;
  };

  void closelistfield(ConsControl& cc) {
    exp2nextreg(cc.v);
    cc.v.k = EK::Void;
    if (cc.tostore >= cc.maxtostore) {
      setlist(cc.t->info, cc.na, cc.tostore);
      cc.na += cc.tostore;
      cc.tostore = 0;
    }
  }

  void lastlistfield(ConsControl& cc) {
    if (cc.tostore == 0) return;
    if (has_multret(cc.v.k)) {
      setmultret(cc.v);
      setlist(cc.t->info, cc.na, kMultRet);
      cc.na--;
    } else {
      if (cc.v.k != EK::Void) exp2nextreg(cc.v);
      setlist(cc.t->info, cc.na, cc.tostore);
    }
    cc.na += cc.tostore;
  }

  int maxtostore() {
    int numfreeregs = kMaxFStack - fs_->freereg;
    if (numfreeregs >= 160) return numfreeregs / 5;
    if (numfreeregs >= 80) return 10;
    return 1;
  }

  void constructor(TableExpr* te, ExpDesc& t) {
    cur_line_ = te->line;
    int pc = code_vabck(OpCode::NewTable, 0, 0, 0, 0);
    code(0);  // space for the extra argument
    ConsControl cc;
    cc.t = &t;
    init_exp(t, EK::NonReloc, fs_->freereg);
    reserveregs(1);
    init_exp(cc.v, EK::Void, 0);
    cc.maxtostore = maxtostore();
    for (const TableField& fld : te->fields) {
      if (cc.v.k != EK::Void) closelistfield(cc);
      if (fld.kind == TableField::List) {
        gen_exp(fld.value, cc.v);
        cc.tostore++;
      } else {
        int reg = fs_->freereg;
        ExpDesc key, val;
        gen_exp(fld.key, key);
        if (fld.kind == TableField::Keyed) exp2val(key);
        cc.nh++;
        ExpDesc tab = *cc.t;
        indexed(tab, key);
        gen_exp(fld.value, val);
        storevar(tab, val);
        fs_->freereg = reg;
      }
      if (cc.tostore + cc.na + cc.nh > kMaxConstructorItems)
        errorlimit(kMaxConstructorItems, "items in a constructor");
    }
    cur_line_ = te->last;
    lastlistfield(cc);
    settablesize(pc, t.info, cc.na, cc.nh);
  }

  // ==================== statements ====================
  void block(Block* b) {
    BlockCnt bl;
    enterblock(bl, 0);
    statlist(b);
    cur_line_ = b->last;
    leaveblock();
  }

  void statlist(Block* b) {
    for (Stmt* s : b->stmts) {
      statement(s);
      fs_->freereg = nvarstack();
    }
  }

  int cond(Expr* e) {
    ExpDesc v;
    gen_exp(e, v);
    if (v.k == EK::Nil) v.k = EK::False;
    goiftrue(v);
    return v.f;
  }

  void statement(Stmt* s) {
    cur_line_ = s->line;
    switch (s->kind) {
      case StmtKind::If: if_stat(static_cast<IfStmt*>(s)); break;
      case StmtKind::While: while_stat(static_cast<WhileStmt*>(s)); break;
      case StmtKind::Do: block(static_cast<DoStmt*>(s)->body); break;
      case StmtKind::NumFor:
      case StmtKind::GenFor: for_stat(s); break;
      case StmtKind::Repeat: repeat_stat(static_cast<RepeatStmt*>(s)); break;
      case StmtKind::Function: func_stat(static_cast<FunctionStmt*>(s)); break;
      case StmtKind::LocalFunction: local_func(static_cast<LocalFunctionStmt*>(s)); break;
      case StmtKind::Local: local_stat(static_cast<LocalStmt*>(s)); break;
      case StmtKind::Global:
      case StmtKind::GlobalStar: global_stat(static_cast<GlobalStmt*>(s)); break;
      case StmtKind::GlobalFunction: global_func(static_cast<GlobalFunctionStmt*>(s)); break;
      case StmtKind::Label: {
        auto* l = static_cast<LabelStmt*>(s);
        cur_line_ = l->last;
        if (const Labeldesc* lb = findlabel(l->name, fs_->firstlabel))
          semerror("label '" + std::string(l->name) + "' already defined on line " +
                   std::to_string(lb->line));
        createlabel(l->name, l->line, l->last_in_block);
        break;
      }
      case StmtKind::Return: ret_stat(static_cast<ReturnStmt*>(s)); break;
      case StmtKind::Break: {
        BlockCnt* bl = fs_->bl;
        while (!bl->isloop) bl = bl->previous;
        bl->isloop = 2;
        newgotoentry(kBreakLabel, s->line);
        break;
      }
      case StmtKind::Goto:
        cur_line_ = s->last;
        newgotoentry(static_cast<GotoStmt*>(s)->label, s->line);
        break;
      case StmtKind::Assign: assign_stat(static_cast<AssignStmt*>(s)); break;
      case StmtKind::Call: {
        ExpDesc v;
        gen_exp(static_cast<CallStmt*>(s)->call, v);
        instr(v) = set_c(instr(v), 1);  // a call statement uses no results
        break;
      }
    }
  }

  void if_stat(IfStmt* s) {
    int escapelist = kNoJump;
    for (size_t i = 0; i < s->conds.size(); i++) {
      int condtrue = cond(s->conds[i]);
      block(s->blocks[i]);
      if (i + 1 < s->conds.size() || s->else_block) concat(escapelist, jump());
      patchtohere(condtrue);
    }
    if (s->else_block) block(s->else_block);
    cur_line_ = s->last;
    patchtohere(escapelist);
  }

  void while_stat(WhileStmt* s) {
    BlockCnt bl;
    int whileinit = getlabel();
    int condexit = cond(s->cond);
    enterblock(bl, 1);
    block(s->body);
    jumpto(whileinit);
    cur_line_ = s->last;
    leaveblock();
    patchtohere(condexit);
  }

  void repeat_stat(RepeatStmt* s) {
    int repeat_init = getlabel();
    BlockCnt bl1, bl2;
    enterblock(bl1, 1);
    enterblock(bl2, 0);
    statlist(s->body);
    int condexit = cond(s->cond);
    leaveblock();
    if (bl2.upval) {
      int exit = jump();
      patchtohere(condexit);
      code_abc(OpCode::Close, reglevel(bl2.nactvar), 0, 0);
      condexit = jump();
      patchtohere(exit);
    }
    patchlist(condexit, repeat_init);
    leaveblock();
  }

  void exp1(Expr* e) {
    ExpDesc v;
    gen_exp(e, v);
    exp2nextreg(v);
  }

  void fixforjump(int pc, int dest, bool back) {
    int offset = dest - (pc + 1);
    if (back) offset = -offset;
    if (offset > kMaxArgBx) semerror("control structure too long");
    instr(pc) = set_bx(instr(pc), offset);
  }

  void forbody(int base, int line, int nvars, bool isgen, int do_line, Block* body) {
    BlockCnt bl;
    cur_line_ = do_line;
    int prep = code_abx(isgen ? OpCode::TForPrep : OpCode::ForPrep, base, 0);
    fs_->freereg--;
    enterblock(bl, 0);
    adjustlocalvars(nvars);
    reserveregs(nvars);
    block(body);
    leaveblock();
    fixforjump(prep, getlabel(), false);
    if (isgen) {
      code_abc(OpCode::TForCall, base, 0, nvars);
      fixline(line);
    }
    int endfor = code_abx(isgen ? OpCode::TForLoop : OpCode::ForLoop, base, 0);
    fixforjump(endfor, prep + 1, true);
    fixline(line);
  }

  void for_stat(Stmt* s) {
    BlockCnt bl;
    enterblock(bl, 1);
    int base = fs_->freereg;
    if (s->kind == StmtKind::NumFor) {
      auto* f = static_cast<NumForStmt*>(s);
      new_localvar("(for state)");
      new_localvar("(for state)");
      new_varkind(f->var, RDKCONST);
      exp1(f->start);
      exp1(f->limit);
      if (f->step) {
        exp1(f->step);
      } else {
        code_int(fs_->freereg, 1);
        reserveregs(1);
      }
      adjustlocalvars(2);
      forbody(base, s->line, 1, false, f->do_line, f->body);
    } else {
      auto* f = static_cast<GenForStmt*>(s);
      new_localvar("(for state)");
      new_localvar("(for state)");
      new_localvar("(for state)");
      new_varkind(f->names[0], RDKCONST);
      for (size_t i = 1; i < f->names.size(); i++) new_localvar(f->names[i]);
      int nvars = int(f->names.size()) + 3;
      ExpDesc e;
      int nexps = explist(f->exprs, e);
      adjust_assign(4, nexps, e);
      adjustlocalvars(3);
      marktobeclosed();
      checkstack(2);
      forbody(base, f->exprs_line, nvars - 3, true, f->do_line, f->body);
    }
    cur_line_ = s->last;
    leaveblock();
  }

  void func_stat(FunctionStmt* s) {
    ExpDesc v, b;
    gen_suffixed(s->target, v);
    check_readonly(v);
    body(s->body, b);
    storevar(v, b);
    fixline(s->line);
  }

  void local_func(LocalFunctionStmt* s) {
    ExpDesc b;
    int fvar = fs_->nactvar;
    new_localvar(s->name);
    adjustlocalvars(1);
    body(s->body, b);
    localdebuginfo(fvar)->startpc = fs_->pc();
  }

  static uint8_t local_kind(Attrib a) {
    switch (a) {
      case Attrib::Const: return RDKCONST;
      case Attrib::Close: return RDKTOCLOSE;
      default: return VDKREG;
    }
  }

  void local_stat(LocalStmt* s) {
    int toclose = -1, vidx = 0, nvars = 0, nexps;
    for (const AttribName& an : s->names) {
      uint8_t kind = local_kind(an.attrib);
      vidx = new_varkind(an.name, kind);
      if (kind == RDKTOCLOSE) toclose = fs_->nactvar + nvars;
      nvars++;
    }
    ExpDesc e;
    if (!s->exprs.empty()) {
      nexps = explist(s->exprs, e);
    } else {
      e.k = EK::Void;
      nexps = 0;
    }
    cur_line_ = s->last;
    Vardesc& var = localvardesc(vidx);
    ConstVal k;
    if (nvars == nexps && var.kind == RDKCONST && exp2const(e, k)) {
      var.kind = RDKCTC;
      var.k = k;
      adjustlocalvars(nvars - 1);
      fs_->nactvar++;
    } else {
      adjust_assign(nvars, nexps, e);
      adjustlocalvars(nvars);
    }
    if (toclose != -1) {
      marktobeclosed();
      code_abc(OpCode::Tbc, reglevel(toclose), 0, 0);
    }
  }

  static uint8_t global_kind(Attrib a) { return a == Attrib::Const ? GDKCONST : GDKREG; }

  void checkglobal(std::string_view varname, int line) {
    ExpDesc var;
    buildglobal(varname, var);
    int k = var.ind.keystr;
    exp2anyreg(var);
    fixline(line);
    k = k >= kMaxArgBx ? 0 : k + 1;
    code_abx(OpCode::ErrNNil, var.info, k);
    fixline(line);
    freeexp(var);
  }

  void storevartop(ExpDesc& var) {
    ExpDesc e;
    init_exp(e, EK::NonReloc, fs_->freereg - 1);
    storevar(var, e);
  }

  void initglobal(GlobalStmt* s, int firstidx, size_t n) {
    if (n == s->names.size()) {
      ExpDesc e;
      int nexps = explist(s->exprs, e);
      adjust_assign(int(s->names.size()), nexps, e);
      return;
    }
    ExpDesc var;
    std::string_view varname = localvardesc(firstidx + int(n)).name;
    buildglobal(varname, var);
    initglobal(s, firstidx, n + 1);
    checkglobal(varname, s->init_line);
    storevartop(var);
  }

  void global_stat(GlobalStmt* s) {
    if (s->kind == StmtKind::GlobalStar) {
      new_varkind({}, global_kind(s->star_attrib), true);
      fs_->nactvar++;
      return;
    }
    int lastidx = 0;
    for (const AttribName& an : s->names) lastidx = new_varkind(an.name, global_kind(an.attrib));
    int nvars = int(s->names.size());
    if (s->has_init) initglobal(s, lastidx - nvars + 1, 0);
    fs_->nactvar += nvars;
  }

  void global_func(GlobalFunctionStmt* s) {
    ExpDesc var, b;
    new_varkind(s->name, GDKREG);
    fs_->nactvar++;
    buildglobal(s->name, var);
    body(s->body, b);
    checkglobal(s->name, s->line);
    storevar(var, b);
    fixline(s->line);
  }

  void ret_stat(ReturnStmt* s) {
    int first = nvarstack();
    int nret;
    if (s->exprs.empty()) {
      nret = 0;
    } else {
      ExpDesc e;
      nret = explist(s->exprs, e);
      if (has_multret(e.k)) {
        setmultret(e);
        if (e.k == EK::Call && nret == 1 && !fs_->bl->insidetbc)
          instr(e) = set_op(instr(e), OpCode::TailCall);
        nret = kMultRet;
      } else if (nret == 1) {
        first = exp2anyreg(e);
      } else {
        exp2nextreg(e);
      }
    }
    cur_line_ = s->last;
    ret(first, nret);
  }

  struct LhsAssign {
    LhsAssign* prev;
    ExpDesc v;
  };

  void check_conflict(LhsAssign* lh, ExpDesc& v) {
    int extra = fs_->freereg;
    bool conflict = false;
    for (; lh; lh = lh->prev) {
      if (!is_indexed(lh->v.k)) continue;
      if (lh->v.k == EK::IndexUp) {
        if (v.k == EK::Upval && lh->v.ind.t == v.info) {
          conflict = true;
          lh->v.k = EK::IndexStr;
          lh->v.ind.t = extra;
        }
      } else {
        if (v.k == EK::Local && lh->v.ind.t == v.var.ridx) {
          conflict = true;
          lh->v.ind.t = extra;
        }
        if (lh->v.k == EK::Indexed && v.k == EK::Local && lh->v.ind.idx == v.var.ridx) {
          conflict = true;
          lh->v.ind.idx = extra;
        }
      }
    }
    if (conflict) {
      if (v.k == EK::Local)
        code_abc(OpCode::Move, extra, v.var.ridx, 0);
      else
        code_abc(OpCode::GetUpval, extra, v.info, 0);
      reserveregs(1);
    }
  }

  void restassign(AssignStmt* s, LhsAssign* lh, size_t nvars) {
    check_readonly(lh->v);
    if (nvars < s->targets.size()) {
      LhsAssign nv;
      nv.prev = lh;
      gen_suffixed(s->targets[nvars], nv.v);
      if (!is_indexed(nv.v.k)) check_conflict(lh, nv.v);
      restassign(s, &nv, nvars + 1);
    } else {
      ExpDesc e;
      int nexps = explist(s->exprs, e);
      if (nexps != int(nvars)) {
        adjust_assign(int(nvars), nexps, e);
      } else {
        setoneret(e);
        storevar(lh->v, e);
        return;
      }
    }
    storevartop(lh->v);
  }

  void assign_stat(AssignStmt* s) {
    LhsAssign v;
    v.prev = nullptr;
    gen_suffixed(s->targets[0], v.v);
    restassign(s, &v, 1);
  }

  Lexer& lx_;
  FuncState* fs_ = nullptr;
  std::vector<Vardesc> actvar_;
  std::vector<Labeldesc> gotos_;
  std::vector<Labeldesc> labels_;
  int cur_line_ = 1;

 public:
  std::string source_;
};

}  // namespace

std::unique_ptr<FuncProto> generate_code(Lexer& lx, Ast& ast) {
  CodeGen cg(lx);
  cg.source_ = lx.source();
  return cg.main_function(ast.main);
}

}  // namespace rua
